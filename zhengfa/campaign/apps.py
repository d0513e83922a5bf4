from django.utils.translation import gettext_lazy as _

from zhengfa.core import registry


class CampaignConfig(registry.ModuleConfig):
    name = "zhengfa.campaign"
    label = "campaign"
    verbose_name = _("Campaigns")
