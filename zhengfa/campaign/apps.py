from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "zhengfa.campaign"
    label = "campaign"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from zhengfa.core import navigation

        from .models import Campaign, Phase

        auditlog.register(Campaign)
        auditlog.register(Phase)
        navigation.register(
            navigation.NavItem(
                pillar=navigation.Pillar.POLITICS,
                label=_("Campaigns"),
                url_name="campaign:campaign_list",
                domain="work",
                order=10,
            ),
        )
