from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    name = "zhengfa.study"
    label = "study"
    verbose_name = _("Study and training")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from zhengfa.core import demo as core_demo
        from zhengfa.core import navigation

        from . import demo
        from .models import Activity, Attendance, Distribution, Material, Reflection, Topic

        for model in (Activity, Attendance, Distribution, Material, Topic, Reflection):
            auditlog.register(model)
        core_demo.register("study", demo.build, order=30)
        from zhengfa.org import access

        R = access.Role
        # What an officer writes about himself (notes, self-examination) is for him and the
        # leaders and clerks of his unit, not for his colleagues.
        access.register_domain(
            "study_personal",
            {
                R.LEADER: {access.VIEW, access.CHANGE},
                R.CLERK: {access.VIEW, access.CHANGE},
                R.COMMITTEE: {access.VIEW},
                R.OFFICER: {"own:view"},
            },
        )
        P = navigation.Pillar
        navigation.register(
            navigation.NavItem(
                pillar=P.POLITICS,
                label=_("My study"),
                url_name="study:my_study",
                domain="work",
                order=20,
            ),
            navigation.NavItem(
                pillar=P.POLITICS,
                label=_("Study activities"),
                url_name="study:activity_list",
                domain="work",
                order=30,
            ),
            navigation.NavItem(
                pillar=P.PROFESSION,
                label=_("Study materials"),
                url_name="study:material_list",
                domain="work",
                order=10,
            ),
            navigation.NavItem(
                pillar=P.PROFESSION,
                label=_("Education and rectification talks"),
                url_name="study:topic_list",
                domain="work",
                order=20,
            ),
            navigation.NavItem(
                pillar=P.PROFESSION,
                label=_("Study records"),
                url_name="study:records",
                domain="work",
                action="change",
                order=30,
            ),
        )
