from django.utils.translation import gettext_lazy as _

from zhengfa.core import registry


class PortalConfig(registry.ModuleConfig):
    name = "zhengfa.portal"
    label = "portal"
    verbose_name = _("Public portal")
