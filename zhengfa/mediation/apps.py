from django.utils.translation import gettext_lazy as _

from zhengfa.core import registry


class MediationConfig(registry.ModuleConfig):
    name = "zhengfa.mediation"
    label = "mediation"
    verbose_name = _("Dispute resolution")
