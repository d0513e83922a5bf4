from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengfa.core.forms import IsoDateInput
from zhengfa.core.validators import validate_plausible_date
from zhengfa.org.forms import UnitChoiceField


class ReportPeriodForm(forms.Form):
    """A unit (with those below it) and a date range, for the dashboards and the brief."""

    unit = UnitChoiceField(label=_("Unit (with units below it)"), queryset=None, required=False)
    start = forms.DateField(
        validators=[validate_plausible_date], label=_("From"), required=False, widget=IsoDateInput()
    )
    end = forms.DateField(
        validators=[validate_plausible_date], label=_("To"), required=False, widget=IsoDateInput()
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        field.empty_label = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
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
