from django.utils.translation import gettext_lazy as _

from zhengfa.core import registry


class SupervisionConfig(registry.ModuleConfig):
    name = "zhengfa.supervision"
    label = "supervision"
    verbose_name = _("Public supervision")
