from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengfa.core.scope import ScopedManager, ScopeSpec


class Campaign(models.Model):
    """A campaign such as the 2021 education-and-rectification of the workforce (first batch).

    Held by the unit that leads it; seen by every unit below. Dates are data, never constants.
    """

    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("leading unit"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)

    scope = ScopeSpec(domain="work", unit="unit", seen_below=True)
    objects = ScopedManager["Campaign"]()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def current_phase(self, today: dt.date | None = None) -> Phase | None:
        today = today or timezone.localdate()
        return self.phases.filter(starts_on__lte=today, ends_on__gte=today).first()


class PhaseKind(models.TextChoices):
    STUDY = "study", _("Study and education")
    RECTIFY = "rectify", _("Investigation and rectification")
    CONSOLIDATE = "consolidate", _("Summary and improvement")


class Phase(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="phases", verbose_name=_("campaign")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PhaseKind.choices)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="phase_order_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name
