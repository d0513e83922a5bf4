from django.utils.translation import gettext_lazy as _

from zhengfa.core import registry


class OrgConfig(registry.ModuleConfig):
    name = "zhengfa.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        super().ready()
        from django.db.models.signals import post_delete, post_save
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from zhengfa.core.scope import access_changed

        from .models import RoleAssignment, Unit

        for model in (RoleAssignment, Unit, TOTPDevice):
            post_save.connect(access_changed, sender=model, dispatch_uid=f"access-{model}")
            post_delete.connect(access_changed, sender=model, dispatch_uid=f"access-{model}-x")
