from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "zhengfa.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from . import services

        services.register(
            services.PublicEntry(
                label=_("Check progress"),
                url_name="portal:query",
                description=_("Enter your follow-up code to see how your request is going"),
                order=90,
            ),
        )
