from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengfa.core.forms import IsoDateInput, LongSelect, NamedErrorsMixin
from zhengfa.core.validators import validate_plausible_date
from zhengfa.org.models import Unit

from .models import CHANNEL_OF_KIND, DisputeType, Source


def mediating_units() -> Any:
    return Unit.objects.filter(kind__in=list(CHANNEL_OF_KIND), is_active=True).order_by("path")


class CaseForm(NamedErrorsMixin, forms.Form):
    """Intake by staff: the case and its two sides (more parties are added on the case)."""

    organisation = forms.ModelChoiceField(
        label=_("Mediation organisation"), queryset=Unit.objects.none(), widget=LongSelect
    )
    dispute_type = forms.ModelChoiceField(
        label=_("Kind of dispute"), queryset=DisputeType.objects.filter(is_active=True)
    )
    source = forms.ChoiceField(label=_("How it came"), choices=Source.choices)
    facts = forms.CharField(
        label=_("Facts"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    requests = forms.CharField(
        label=_("What the applicant asks"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    amount = forms.DecimalField(
        label=_("Amount at stake (yuan, optional)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    applicant_name = forms.CharField(label=_("Applicant's name"), max_length=80)
    applicant_phone = forms.CharField(label=_("Applicant's phone"), max_length=20, required=False)
    applicant_id = forms.CharField(label=_("Applicant's ID number"), max_length=20, required=False)
    respondent_name = forms.CharField(label=_("Respondent's name"), max_length=80)
    respondent_phone = forms.CharField(label=_("Respondent's phone"), max_length=20, required=False)
    respondent_id = forms.CharField(
        label=_("Respondent's ID number"), max_length=20, required=False
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units


class SessionForm(NamedErrorsMixin, forms.Form):
    held_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    online = forms.BooleanField(label=_("Held online"), required=False)
    participants = forms.CharField(label=_("Participants"), max_length=2000)
    record = forms.CharField(
        label=_("Record"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )


class AgreementForm(NamedErrorsMixin, forms.Form):
    issues = forms.CharField(
        label=_("Facts, issues and responsibility"), widget=forms.Textarea(attrs={"rows": 4})
    )
    terms = forms.CharField(label=_("Agreed terms"), widget=forms.Textarea(attrs={"rows": 4}))
    performance = forms.CharField(
        label=_("Manner and period of performance"), widget=forms.Textarea(attrs={"rows": 2})
    )
    agreed_on = forms.DateField(
        label=_("Agreed on"), validators=[validate_plausible_date], widget=IsoDateInput()
    )
    oral = forms.BooleanField(label=_("An oral agreement, recorded by me"), required=False)


class ReferForm(NamedErrorsMixin, forms.Form):
    to = forms.ModelChoiceField(
        label=_("Refer to"), queryset=Unit.objects.none(), widget=LongSelect
    )
    reason = forms.CharField(
        label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = mediating_units()
