from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengfa.org.forms import UnitPeriodForm


class ReportPeriodForm(UnitPeriodForm):
    """One unit (with those below it: the person's top unit when none is chosen) and a range
    that has begun, for the dashboards and the brief."""

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, units=units, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.empty_label = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data["start"] > timezone.localdate():
            self.add_error("start", _("The period has not begun yet."))
        return data


def default_period() -> tuple[dt.date, dt.date]:
    """The current (or latest) campaign from its start to today or its end; else this year."""
    from zhengfa.campaign.selectors import current_campaign

    today = timezone.localdate()
    campaign = current_campaign(today)
    if campaign is None:
        return today.replace(month=1, day=1), today
    return campaign.starts_on, min(campaign.ends_on, today)
