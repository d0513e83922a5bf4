from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengfa.core.attachments import AttachmentField
from zhengfa.core.challenge import PublicForm
from zhengfa.core.forms import IsoDateInput, LongSelect, NamedErrorsMixin
from zhengfa.core.validators import normalize_phone, validate_mobile, validate_plausible_date
from zhengfa.core.workflow import end_of_day
from zhengfa.org.directory import passing_on_choices
from zhengfa.org.forms import (
    OfficerChoiceField,
    PublicUnitField,
    UnitChoiceField,
    UnitTreeField,
)
from zhengfa.org.models import Officer, Unit, UnitKind

from .models import (
    Campaign,
    DataElement,
    Exemplar,
    GroupMember,
    PeriodType,
    Phase,
    SuggestionTopic,
    TaskState,
)


class TaskForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    phase = forms.ModelChoiceField(label=_("Phase"), queryset=Phase.objects.none(), required=False)
    title = forms.CharField(label=_("Task"), max_length=200)
    description = forms.CharField(
        label=_("What is to be done"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    units = UnitTreeField(
        label=_("Assign to units"),
        queryset=None,
        help_text=_("Tick the units; press a unit's arrow to see the units below it."),
    )
    with_subunits = forms.BooleanField(
        label=_("Also to every unit below the ticked ones"), required=False
    )
    lead = UnitChoiceField(
        label=_("Lead unit (牵头单位)"),
        queryset=None,
        required=False,
        help_text=_("One of the units assigned, which leads the others on this task."),
    )
    due_on = forms.DateField(
        validators=[validate_plausible_date],
        label=_("Deadline"),
        widget=IsoDateInput(),
    )

    def __init__(self, *args: Any, campaigns: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, qs in (
            ("campaign", campaigns),
            ("phase", Phase.objects.filter(campaign__in=campaigns)),
            ("units", units),
            ("lead", units),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs

    def clean_due_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The deadline must be today or later."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("phase")
            and data.get("campaign")
            and data["phase"].campaign_id != data["campaign"].pk
        ):
            self.add_error("phase", _("This phase belongs to another campaign."))
        if data.get("with_subunits") and data.get("units"):
            field = self.fields["units"]
            assert isinstance(field, forms.ModelMultipleChoiceField) and field.queryset is not None
            below = Q(pk__in=[])
            for unit in data["units"]:
                below |= Q(path__startswith=unit.path)
            data["units"] = list(field.queryset.filter(below).order_by("path"))
        if data.get("lead") and data.get("units") and data["lead"] not in data["units"]:
            self.add_error("lead", _("The lead unit must be one of the units assigned."))
        return data

    @property
    def due_at(self) -> dt.datetime:
        return end_of_day(self.cleaned_data["due_on"])


class SplitForm(NamedErrorsMixin, forms.Form):
    """A unit's task shared out among units below it."""

    units = UnitTreeField(
        label=_("Share out to units"),
        queryset=None,
        help_text=_("Tick the units below yours that take a part of this task."),
    )
    due_on = forms.DateField(
        validators=[validate_plausible_date], label=_("Deadline"), widget=IsoDateInput()
    )
    description = forms.CharField(
        label=_("What each part is"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Left empty, the parts say what the task says."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units

    def clean_due_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The deadline must be today or later."))
        return value

    @property
    def due_at(self) -> dt.datetime:
        return end_of_day(self.cleaned_data["due_on"])


class TaskFilterForm(forms.Form):
    work = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All tasks I can see")),
            ("report", _("For my unit to report")),
            ("check", _("Reports for me to check")),
        ],
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Not finished")), *TaskState.choices],
    )
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("All")),
            ("overdue", _("Overdue")),
            ("soon", _("Due within 3 days")),
        ],
    )
    unit = UnitChoiceField(
        label=_("Unit (with units below it)"),
        queryset=None,
        required=False,
        empty_label=_("All units"),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units


class SuggestionForm(NamedErrorsMixin, PublicForm):
    topic = forms.ChoiceField(
        label=_("What is it about?"), choices=SuggestionTopic.choices, widget=forms.RadioSelect
    )
    unit = PublicUnitField(
        label=_("Which unit is it about?"),
        required=False,
        help_text=_(
            "Choose “I don't know” if you are not sure; we will pass it to the right unit."
        ),
    )
    officer_named = forms.CharField(
        label=_("Officer's name or number (optional)"), max_length=50, required=False
    )
    content = forms.CharField(
        label=_("Your opinion"),
        min_length=5,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"min_length": _("Please write at least %(limit_value)d characters.")},
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Mobile number (optional)"),
        max_length=20,
        required=False,
        help_text=_(
            "We text you the follow-up code now, and again when there is a reply. Kept encrypted."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    attachments = AttachmentField(label=_("Pictures or files (optional)"), max_files=5)

    def __init__(
        self, *args: Any, county: Unit | None = None, several: bool = False, **kwargs: Any
    ) -> None:
        """`county`: the county the citizen chose on a province's site (`several` counties);
        without one there, the form offers "I don't know" alone."""
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, PublicUnitField)
        unit_field.offer(county, several=several)

    def clean_phone(self) -> str:
        value = normalize_phone(self.cleaned_data["phone"])
        if value:
            validate_mobile(value)
        return value


class TransferForm(NamedErrorsMixin, forms.Form):
    unit = forms.ChoiceField(
        label=_("Pass it on to"),
        error_messages={"invalid_choice": _("Please choose another unit from the list.")},
    )
    reason = forms.CharField(
        label=_("Why (for the staff there; the citizen does not see it)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give a reason.")},
    )

    def __init__(self, *args: Any, at: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = [
            ("", "—"),
            *[
                (group, [(str(pk), name) for pk, name in units if pk != at.pk])
                for group, units in passing_on_choices(at)
            ],
        ]

    def clean_unit(self) -> Unit:
        unit = Unit.objects.filter(pk=self.cleaned_data["unit"], is_active=True).first()
        if unit is None:
            raise forms.ValidationError(_("Please choose one."))
        return unit


class ExemplarForm(NamedErrorsMixin, forms.ModelForm):
    photo = AttachmentField(label=_("Photo (optional)"), max_files=1)

    class Meta:
        model = Exemplar
        fields = ["kind", "name", "unit", "local", "honour", "awarded_on", "deeds", "published"]
        widgets = {
            "unit": LongSelect,
            "awarded_on": IsoDateInput(),
            "deeds": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        self.fields["awarded_on"].validators.append(validate_plausible_date)


class GroupMemberForm(NamedErrorsMixin, forms.ModelForm):
    officer = OfficerChoiceField(
        label=_("Officer"), queryset=Officer.objects.none(), widget=LongSelect
    )

    class Meta:
        model = GroupMember
        fields = ["officer", "post", "role", "duty"]

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = officers


class DataPeriodForm(forms.Form):
    """Which period's figures to show: its kind and a day in it (today by default)."""

    period_type = forms.ChoiceField(label=_("Period"), choices=PeriodType.choices)
    day = forms.DateField(
        label=_("A day in the period"), validators=[validate_plausible_date], widget=IsoDateInput()
    )
    unit = UnitChoiceField(
        label=_("Unit (with units below it)"),
        queryset=None,
        required=False,
        empty_label=_("All my units"),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units

    def clean_day(self) -> dt.date:
        value: dt.date = self.cleaned_data["day"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Figures cannot be entered for a period still to come."))
        return value


class DataEntryForm(NamedErrorsMixin, forms.Form):
    """One field per figure the unit reports; empty is "not yet entered"."""

    def __init__(self, *args: Any, elements: list[DataElement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.elements = elements
        for e in elements:
            self.fields[e.code] = forms.DecimalField(
                label=f"{e.name}({e.measure})",
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                help_text=e.description,
                error_messages={"min_value": _("A figure cannot be negative.")},
            )

    def values(self) -> dict[DataElement, Decimal | None]:
        return {e: self.cleaned_data.get(e.code) for e in self.elements}


class DataElementForm(NamedErrorsMixin, forms.ModelForm):
    unit_kinds = forms.MultipleChoiceField(
        label=_("Reported by units of kind"),
        choices=UnitKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DataElement
        fields = [
            "code",
            "name",
            "measure",
            "period_type",
            "unit_kinds",
            "description",
            "order",
            "is_active",
        ]
