from django.utils.translation import gettext_lazy as _

from zhengfa.core import registry


class ReportsConfig(registry.ModuleConfig):
    name = "zhengfa.reports"
    label = "reports"
    verbose_name = _("Dashboards and the stage brief")
