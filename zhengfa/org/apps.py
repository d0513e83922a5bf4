from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "zhengfa.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from zhengfa.core import navigation, scope

        from . import access
        from .models import Area, Mediator, Officer, RoleAssignment, Unit, User

        scope.register_resolver(access.resolve)
        from zhengfa.core import demo as core_demo

        from . import demo

        core_demo.register("org", demo.build, order=10)
        auditlog.register(Area)
        auditlog.register(Unit, m2m_fields={"areas"})
        auditlog.register(User, exclude_fields=["password", "last_login"])
        # Encrypted values never enter the audit log, only the fact that they changed.
        auditlog.register(Officer, mask_fields=["id_number"], exclude_fields=["id_number_hash"])
        auditlog.register(Mediator)
        auditlog.register(RoleAssignment)

        navigation.register(
            navigation.NavItem(
                pillar=navigation.Pillar.RESPONSIBILITY,
                label=_("Units"),
                url_name="org:unit_tree",
                domain="org",
                action="view",
                order=10,
            ),
            navigation.NavItem(
                pillar=navigation.Pillar.RESPONSIBILITY,
                label=_("Officers"),
                url_name="org:officer_list",
                domain="org",
                action="view",
                order=20,
            ),
            navigation.NavItem(
                pillar=navigation.Pillar.SYSTEM,
                label=_("Accounts"),
                url_name="org:account_list",
                domain="org",
                action="admin",
                order=10,
            ),
        )
