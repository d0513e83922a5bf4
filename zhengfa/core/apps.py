from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhengfa.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import navigation
        from .audit import may_read_audit

        navigation.register(
            navigation.NavItem(
                pillar=navigation.Pillar.SYSTEM,
                label=_("Audit log"),
                url_name="core:audit_list",
                domain="audit",
                allowed=may_read_audit,
                order=90,
            ),
        )
