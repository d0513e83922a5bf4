from django.utils.translation import gettext_lazy as _

from zhengfa.core import registry


class OrgConfig(registry.ModuleConfig):
    name = "zhengfa.org"
    label = "org"
    verbose_name = _("Organisation")
