from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInEvent(models.Model):
    """Every staff sign-in, failed sign-in, second-factor failure and sign-out.

    Model changes are audited by django-auditlog; this records the authentication events
    that have no model change behind them. Kept AUDIT_RETENTION_DAYS (at least 180).
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        FAILURE = "failure", _("Sign-in failed")
        OTP_FAILURE = "otp_failure", _("Second factor failed")
        LOCKED = "locked", _("Refused: account locked")
        LOGOUT = "logout", _("Signed out")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("account"),
    )
    username = models.CharField(_("user name given"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-time"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()}"

    @property
    def succeeded(self) -> bool:
        return self.kind in {self.Kind.LOGIN, self.Kind.LOGOUT}
