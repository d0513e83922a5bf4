from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.attachments import AttachmentField
from zhengfa.core.challenge import PublicForm
from zhengfa.core.forms import IsoDateInput, LongSelect, NamedErrorsMixin
from zhengfa.core.validators import (
    normalize_phone,
    plain_text,
    validate_mobile,
    validate_plausible_date,
)
from zhengfa.org.forms import OfficerChoiceField
from zhengfa.org.models import Area, Officer

from .models import (
    AppointmentState,
    CalendarDay,
    Measure,
    MeasureState,
    Offer,
    Opening,
    VisitReason,
    VolunteerActivity,
)


class AssignForm(NamedErrorsMixin, forms.Form):
    officer = OfficerChoiceField(
        label=_("Officer"), queryset=Officer.objects.none(), widget=LongSelect
    )
    starts_on = forms.DateField(
        label=_("From"), validators=[validate_plausible_date], widget=IsoDateInput()
    )
    duties = forms.CharField(
        label=_("Duties"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    office_hours = forms.CharField(
        label=_("When to find the officer"),
        max_length=120,
        required=False,
        help_text=_("For example: Tuesday and Friday mornings at the village committee."),
    )
    photo = AttachmentField(
        label=_("The officer's photo (optional)"),
        max_files=1,
        help_text=_("Shown on the village's page, so that people know whom to look for."),
    )

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = officers


class PostForm(NamedErrorsMixin, forms.Form):
    """The present officer's duties, hours and photo (no change of officer)."""

    duties = forms.CharField(
        label=_("Duties"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    office_hours = forms.CharField(
        label=_("When to find the officer"),
        max_length=120,
        required=False,
        help_text=_("For example: Tuesday and Friday mornings at the village committee."),
    )
    photo = AttachmentField(
        label=_("The officer's photo (optional)"),
        max_files=1,
        help_text=_("Shown on the village's page, so that people know whom to look for."),
    )


class GroupForm(NamedErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=60)
    members = forms.IntegerField(label=_("Members"), min_value=0, max_value=100000)
    code_image = AttachmentField(
        label=_("Join code picture (from WeChat)"),
        max_files=1,
        help_text=_("A screenshot of the group's QR code."),
    )
    code_expires_on = forms.DateField(
        label=_("Join code valid until"),
        required=False,
        validators=[validate_plausible_date],
        widget=IsoDateInput(),
        help_text=_("WeChat shows this date under the code (usually 7 days)."),
    )


# --- Appointments -----------------------------------------------------------------------------


def _mobile(value: str) -> str:
    number = normalize_phone(value)
    validate_mobile(number)
    return number


class BookingForm(NamedErrorsMixin, PublicForm):
    """The citizen's booking: a time of the chosen day, his name and mobile, a note."""

    slot = forms.ChoiceField(
        label=_("Time"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("This time cannot be booked. Choose another.")},
    )
    name = forms.CharField(label=_("Your name"), max_length=40)
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("We text you the confirmation and a reminder the day before."),
    )
    note = forms.CharField(
        label=_("Anything we should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, slots: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (
                s.key,
                _("%(start)s–%(end)s (%(left)s places left)")
                % {
                    "start": timezone.localtime(s.starts_at).strftime("%H:%M"),
                    "end": timezone.localtime(s.ends_at).strftime("%H:%M"),
                    "left": s.left,
                },
            )
            for s in slots
        ]

    def clean_phone(self) -> str:
        return _mobile(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("name", "note"):
            if data.get(name):
                data[name] = plain_text(data[name])
        return data


class OfferForm(NamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = Offer
        fields = [
            "unit",
            "kind",
            "name",
            "description",
            "place",
            "min_notice_hours",
            "horizon_days",
            "active",
        ]
        widgets = {"unit": LongSelect, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        self.fields["min_notice_hours"].validators.append(MaxValueValidator(24 * 14))
        self.fields["horizon_days"].validators.extend([MinValueValidator(1), MaxValueValidator(90)])


class OpeningForm(NamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = Opening
        fields = ["day", "closed", "opens", "closes", "slot_minutes", "capacity"]
        widgets = {
            "day": IsoDateInput(),
            "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "day": _(
                "Leave empty for the hours of every working day. A holiday or weekend has "
                "no appointments unless you open it here (节假日预约)."
            ),
            "closed": _(
                "Tick to take no appointments on this working day (the hours are then not needed)."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].validators.append(validate_plausible_date)
        for name in ("opens", "closes"):
            self.fields[name].required = False
        self.fields["capacity"].validators.extend([MinValueValidator(1), MaxValueValidator(500)])
        self.fields["slot_minutes"].validators.extend(
            [MinValueValidator(5), MaxValueValidator(24 * 60)]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("closed"):
            # A closed day has no hours.
            data["opens"] = data["closes"] = dt.time(0)
            self.instance.opens = self.instance.closes = dt.time(0)
        else:
            for name in ("opens", "closes"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Please fill this in."))
        return data


class CalendarDayForm(NamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["day", "working", "name"]
        widgets = {"day": IsoDateInput()}
        help_texts = {
            "working": _("Tick for an adjusted working day (调休上班); leave empty for a holiday."),
            "name": _("For a holiday: its name, e.g. 春节."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].validators.append(validate_plausible_date)


class AppointmentFilterForm(forms.Form):
    day = forms.DateField(
        label=_("Day"), required=False, validators=[validate_plausible_date], widget=IsoDateInput()
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *AppointmentState.choices],
    )
    holiday = forms.BooleanField(label=_("Holiday appointments only"), required=False)


# --- Home visits ------------------------------------------------------------------------------


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.parent.name if obj.parent else ''} {obj.name}"


class HomeVisitForm(NamedErrorsMixin, forms.Form):
    """A request for a home visit: by a citizen (public) or an officer for someone."""

    village = VillageChoiceField(label=_("Village"), queryset=Area.objects.none())
    person = forms.CharField(label=_("Who is to be visited"), max_length=40)
    reason = forms.ChoiceField(
        label=_("Why can't the person come?"), choices=VisitReason.choices, widget=forms.RadioSelect
    )
    reason_detail = forms.CharField(
        label=_("More about it (optional)"), max_length=200, required=False
    )
    need = forms.CharField(
        label=_("What is needed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: renewing an ID card, legal advice on a will, a dispute."),
        error_messages={"required": _("Please say what is needed.")},
    )
    address = forms.CharField(
        label=_("Address to visit"),
        max_length=200,
        help_text=_("Only the officer who visits sees it."),
        error_messages={"required": _("Please give the address where to visit.")},
    )
    phone = forms.CharField(
        label=_("Mobile number to call"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    preferred = forms.CharField(
        label=_("Preferred time (optional)"),
        max_length=60,
        required=False,
        help_text=_("For example: weekday mornings."),
    )
    requester = forms.CharField(
        label=_("Your name, if you ask for someone else (optional)"),
        max_length=40,
        required=False,
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = villages
        # Under their townships: a long list is found by the township first.
        towns: dict[str, list[tuple[int, str]]] = {}
        for v in villages:
            towns.setdefault(v.parent.name if v.parent else "", []).append((v.pk, v.name))
        field.choices = [("", _("Choose the village")), *towns.items()]

    def clean_phone(self) -> str:
        return _mobile(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("person", "reason_detail", "need", "address", "preferred", "requester"):
            if data.get(name):
                data[name] = plain_text(data[name])
        return data


class PublicHomeVisitForm(HomeVisitForm, PublicForm):
    pass


class ScheduleForm(NamedErrorsMixin, forms.Form):
    when = forms.DateTimeField(
        label=_("Visit on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    officer = OfficerChoiceField(
        label=_("Who visits"), queryset=Officer.objects.none(), widget=LongSelect
    )

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = officers


class VisitDoneForm(NamedErrorsMixin, forms.Form):
    visited_on = forms.DateField(
        label=pgettext_lazy("home visit", "Visited on"),
        validators=[validate_plausible_date],
        widget=IsoDateInput(),
    )
    record = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write briefly what was done.")},
    )
    photos = AttachmentField(label=_("Photo (optional)"), max_files=3)


# --- Volunteer services -----------------------------------------------------------------------


class OfficersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Officer) -> str:
        return f"{obj.user.display_name}({obj.unit.name})"


class ActivityForm(NamedErrorsMixin, forms.ModelForm):
    officers = OfficersField(
        label=_("Officers taking part"),
        queryset=Officer.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    photos = AttachmentField(label=_("Photos"), max_files=6)

    class Meta:
        model = VolunteerActivity
        fields = ["title", "unit", "held_on", "place", "hours", "served", "description"]
        widgets = {
            "unit": LongSelect,
            "held_on": IsoDateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, units: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units
        field = self.fields["officers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = officers
        self.fields["held_on"].validators.append(validate_plausible_date)
        self.fields["served"].validators.append(MaxValueValidator(1_000_000))


# --- Convenience measures ---------------------------------------------------------------------


class MeasureForm(NamedErrorsMixin, forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["number", "title", "unit", "parent", "weight", "launched_on", "description"]
        widgets = {
            "unit": LongSelect,
            "parent": LongSelect,
            "launched_on": IsoDateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"weight": _("For a part: how much it counts in the measure's progress.")}

    def __init__(self, *args: Any, units: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = parents
        self.fields["launched_on"].validators.append(validate_plausible_date)
        self.fields["weight"].validators.extend([MinValueValidator(1), MaxValueValidator(100)])


class MeasureUpdateForm(NamedErrorsMixin, forms.Form):
    on = forms.DateField(
        label=_("Date"), validators=[validate_plausible_date], widget=IsoDateInput()
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "max_value": _("Progress is a percentage from 0 to 100."),
            "min_value": _("Progress is a percentage from 0 to 100."),
        },
    )
    state = forms.ChoiceField(label=_("Status"), choices=MeasureState.choices)
    milestone = forms.CharField(
        label=_("What was reached"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=_("Why it goes back (if it does)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when progress or status is lower than before; shown in public."),
    )
    photos = AttachmentField(label=_("Photos"), max_files=4)
