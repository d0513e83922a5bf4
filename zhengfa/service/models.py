"""Service to the people (为民服务). This part: one village one officer (一村一警) and the
village groups (一村一群) — who is each village's officer, since when, and the WeChat group
citizens may join."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengfa.core.scope import ScopedManager, ScopeSpec

DEFAULT_DUTIES = _(
    "Patrols and home visits, help with disputes, warnings against fraud, legal advice, and "
    "passing on what the village asks of the police."
)


class VillagePost(models.Model):
    """An officer (police or auxiliary) assigned to an administrative village for a time.
    A village has at most one current post; reassigning ends it, so the history stays."""

    village = models.ForeignKey(
        "org.Area", on_delete=models.PROTECT, related_name="posts", verbose_name=_("village")
    )
    officer = models.ForeignKey(
        "org.Officer", on_delete=models.PROTECT, related_name="posts", verbose_name=_("officer")
    )
    # The officer's unit when assigned (whose staff keep the post).
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    duties = models.TextField(_("duties"), blank=True)
    office_hours = models.CharField(_("when to find the officer"), max_length=120, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopeSpec(domain="service", unit="unit")
    objects = ScopedManager["VillagePost"]()

    class Meta:
        verbose_name = _("village officer post")
        verbose_name_plural = _("village officer posts")
        ordering = ["village__code", "-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["village"], condition=Q(ends_on__isnull=True), name="one_current_post"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.officer}"

    @property
    def is_current(self) -> bool:
        return self.ends_on is None


class VillageGroup(models.Model):
    """The village's WeChat group (一村一群). Its join code is a picture that WeChat lets
    expire; an expired one is not shown, and the officer is reminded to upload a new one."""

    village = models.OneToOneField(
        "org.Area", on_delete=models.PROTECT, related_name="group", verbose_name=_("village")
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    name = models.CharField(_("group name"), max_length=60)
    members = models.PositiveIntegerField(_("members"), default=0)
    code_expires_on = models.DateField(_("join code valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope = ScopeSpec(domain="service", unit="unit")
    objects = ScopedManager["VillageGroup"]()

    class Meta:
        verbose_name = _("village group")
        verbose_name_plural = _("village groups")
        ordering = ["village__code"]

    def __str__(self) -> str:
        return self.name

    @property
    def code_valid(self) -> bool:
        return bool(self.code_expires_on and self.code_expires_on >= timezone.localdate())
