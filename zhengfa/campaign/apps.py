from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "zhengfa.campaign"
    label = "campaign"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from zhengfa.core import demo as core_demo
        from zhengfa.core import followup, navigation
        from zhengfa.portal import services as portal

        from .models import Campaign, Phase, Suggestion, Task

        auditlog.register(Campaign)
        auditlog.register(Phase)
        auditlog.register(Task)
        auditlog.register(Suggestion, mask_fields=["phone", "name"], exclude_fields=["phone_hash"])
        from zhengfa.org import access

        R = access.Role
        access.register_domain(
            "opinions",
            {
                R.COMMITTEE: {access.VIEW, access.CHANGE, access.REVEAL},
                R.LEADER: {access.VIEW, access.CHANGE, access.REVEAL},
                R.CLERK: {access.VIEW, access.CHANGE, access.REVEAL},
                R.SUPERVISION: {access.VIEW},
            },
        )
        navigation.register(
            navigation.NavItem(
                pillar=navigation.Pillar.POLITICS,
                label=_("Campaigns"),
                url_name="campaign:campaign_list",
                domain="work",
                order=10,
            ),
            navigation.NavItem(
                pillar=navigation.Pillar.RESPONSIBILITY,
                label=_("Tasks"),
                url_name="campaign:task_list",
                domain="work",
                order=30,
            ),
            navigation.NavItem(
                pillar=navigation.Pillar.DISCIPLINE,
                label=_("Opinions from the public"),
                url_name="campaign:suggestion_list",
                domain="opinions",
                order=40,
            ),
        )
        portal.register(
            portal.PublicEntry(
                label=_("Give your opinion"),
                url_name="campaign:suggestion_new",
                description=_("Tell us what you think of the officers' work"),
                order=40,
            ),
        )
        from . import demo, services

        core_demo.register("campaign", demo.build, order=20)

        followup.register(
            Suggestion,
            followup.PublicView(
                title=lambda s: str(_("Opinion: %(topic)s") % {"topic": s.get_topic_display()}),
                is_open=lambda s: s.is_open,
                details=lambda s: [(_("Submitted on"), s.created_at)],
                supplement=lambda s, text, files: services.suggestion_supplement(
                    suggestion=s, comment=text, files=files
                ),
            ),
        )
