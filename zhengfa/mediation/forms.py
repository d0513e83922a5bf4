from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengfa.core.attachments import AttachmentField
from zhengfa.core.challenge import PublicForm
from zhengfa.core.forms import IsoDateInput, LongSelect, NamedErrorsMixin
from zhengfa.core.validators import (
    normalize_id_number,
    normalize_phone,
    plain_text,
    validate_id_number,
    validate_mobile,
    validate_phone,
    validate_plausible_date,
)
from zhengfa.org.directory import county_of
from zhengfa.org.forms import PublicUnitField
from zhengfa.org.models import Mediator, Unit

from .models import CHANNEL_OF_KIND, DisputeType, NextStep, PartyRole, Performance, Source


def mediating_units(within: Unit | None = None) -> Any:
    """The units that mediate, in `within`'s county when given (where a case may go)."""
    units = Unit.objects.filter(kind__in=list(CHANNEL_OF_KIND), is_active=True)
    county = county_of(within) if within is not None else None
    if county is not None:
        units = units.filter(path__startswith=county.path)
    return units.order_by("path")


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


class PartyForm(NamedErrorsMixin, forms.Form):
    role = forms.ChoiceField(label=_("Side"), choices=PartyRole.choices)
    is_organisation = forms.BooleanField(label=_("A company or organisation"), required=False)
    name = forms.CharField(label=_("Name"), max_length=80)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    id_number = forms.CharField(
        label=_("ID number (a person) or credit code (an organisation)"),
        max_length=20,
        required=False,
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)


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

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units


class ExtendForm(NamedErrorsMixin, forms.Form):
    days = forms.IntegerField(label=_("Extend by (days)"), min_value=1, max_value=90)
    consent = forms.CharField(
        label=_("How the parties agreed"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: both parties agreed at the session of 5 March, signed."),
    )


class ConfirmationApplyForm(NamedErrorsMixin, forms.Form):
    applied_on = forms.DateField(
        label=_("Applied on"), validators=[validate_plausible_date], widget=IsoDateInput()
    )
    applicants = forms.CharField(
        label=_("Applied for jointly by"),
        max_length=200,
        help_text=_("The parties who signed the application."),
    )


class ConfirmationStepForm(NamedErrorsMixin, forms.Form):
    step = forms.ChoiceField(
        choices=[
            ("accept", _("Accept")),
            ("refuse", _("Do not accept")),
            ("extend", _("Extend the time for the ruling by 10 days")),
            ("confirm", _("Confirm the agreement as valid")),
            ("reject", _("Reject the application")),
        ],
        widget=forms.HiddenInput,
    )
    on = forms.DateField(
        label=_("Date"), validators=[validate_plausible_date], widget=IsoDateInput()
    )
    reason = forms.CharField(
        label=_("Reason or ruling"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VisitForm(NamedErrorsMixin, forms.Form):
    visited_on = forms.DateField(
        label=_("Visited on"), validators=[validate_plausible_date], widget=IsoDateInput()
    )
    performance = forms.ChoiceField(
        label=_("Was the agreement performed?"), choices=Performance.choices
    )
    note = forms.CharField(
        label=_("What was found"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = forms.ChoiceField(label=_("Next step"), choices=NextStep.choices, required=False)


class RosterForm(NamedErrorsMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Mediation organisation"), queryset=Unit.objects.none(), widget=LongSelect
    )
    mediator = forms.ModelChoiceField(
        label=_("Mediator (leave empty for the whole organisation)"),
        queryset=Mediator.objects.none(),
        required=False,
    )
    specialties = forms.ModelMultipleChoiceField(
        label=_("Specialties"),
        queryset=DisputeType.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hours = forms.CharField(
        label=_("When available"),
        max_length=120,
        required=False,
        help_text=_("For example: Tuesdays and Thursdays."),
    )
    available = forms.BooleanField(label=_("Taking cases now"), required=False, initial=True)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = units
        mediator = self.fields["mediator"]
        assert isinstance(mediator, forms.ModelChoiceField)
        mediator.queryset = Mediator.objects.filter(
            is_active=True, organisation__in=units
        ).select_related("user")


# Where a citizen may apply online: people's mediation (his village's committee, the court's
# studio), the lawyer studio and the administrative dispute centre.
PUBLIC_KINDS = (
    "mediation_committee",
    "litigation_mediation",
    "lawyer_studio",
    "admin_dispute_centre",
)


class ApplicationForm(NamedErrorsMixin, PublicForm):
    """A citizen's application for mediation, on a phone, in three short parts."""

    organisation = PublicUnitField(
        label=_("Where do you want to apply?"),
        unknown_label=_("I'm not sure: let the court's mediation studio decide"),
        kinds=PUBLIC_KINDS,
        help_text=_("Usually your village's mediation committee."),
    )
    dispute_type = forms.ModelChoiceField(
        label=_("What is the dispute about?"),
        queryset=DisputeType.objects.filter(is_active=True),
        empty_label=None,
    )
    facts = forms.CharField(
        label=_("What happened?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Please tell us what happened.")},
    )
    requests = forms.CharField(
        label=_("What do you want?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    amount = forms.DecimalField(
        label=_("Money involved (yuan, if any)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    attachments = AttachmentField(label=_("Pictures or files (optional)"), max_files=5)
    name = forms.CharField(label=_("Your name"), max_length=40)
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("The mediator calls you on it."),
    )
    id_number = forms.CharField(
        label=_("Your ID card number (optional)"), max_length=20, required=False
    )
    respondent = forms.CharField(
        label=_("The other side: name of the person or organisation"), max_length=80
    )
    respondent_is_organisation = forms.BooleanField(
        label=_("The other side is a company or organisation"), required=False
    )
    respondent_phone = forms.CharField(
        label=_("The other side's phone (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def __init__(
        self, *args: Any, county: Unit | None = None, several: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, PublicUnitField)
        field.offer(county, several=several)

    def clean_phone(self) -> str:
        value = normalize_phone(self.cleaned_data["phone"])
        validate_mobile(value)
        return value

    def clean_respondent_phone(self) -> str:
        value = normalize_phone(self.cleaned_data["respondent_phone"])
        if value:
            validate_phone(value)
        return value

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data["id_number"])
        if value:
            validate_id_number(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("facts", "requests", "name", "respondent"):
            if data.get(name):
                data[name] = plain_text(data[name])
        return data
