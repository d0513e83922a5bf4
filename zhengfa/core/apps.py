from django.utils.translation import gettext_lazy as _

from . import registry


class CoreConfig(registry.ModuleConfig):
    name = "zhengfa.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        super().ready()
        from django.core.checks import register

        from . import checks, lookups, signals

        lookups.register()
        signals.connect()
        register(checks.trusted_proxies)
