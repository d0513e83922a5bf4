from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhengfa.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import navigation, signals  # noqa: F401  (signals: sign-in auditing)

        navigation.register(
            navigation.NavItem(
                pillar=navigation.Pillar.SYSTEM,
                label=_("Audit log"),
                url_name="core:audit_list",
                domain="audit",
                order=90,
            ),
        )
