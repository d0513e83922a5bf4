from django.utils.translation import gettext_lazy as _

from zhengfa.core import registry


class ServiceConfig(registry.ModuleConfig):
    name = "zhengfa.service"
    label = "service"
    verbose_name = _("Service to the people")
