from django.utils.translation import gettext_lazy as _

from zhengfa.core import registry


class RectifyConfig(registry.ModuleConfig):
    name = "zhengfa.rectify"
    label = "rectify"
    verbose_name = _("Investigation and rectification")
