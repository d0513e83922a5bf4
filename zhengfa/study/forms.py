from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from zhengfa.core.attachments import AttachmentField
from zhengfa.core.forms import IsoDateInput, NamedErrorsMixin
from zhengfa.core.validators import validate_plausible_date
from zhengfa.org.forms import UnitChoiceField, UnitPeriodForm, UnitTreeField

from .models import ActivityType

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def officer_entry(officer: Any) -> str:
    """How an officer is written in a typed list: 姓名(警号)."""
    return f"{officer.user.display_name}({officer.staff_number})"


# Longer than any 姓名(警号) can be: a user's name (50) and a staff number (30), bracketed.
LONGEST_ENTRY = 82


def find_officer(officers: Any, typed: str) -> Any:
    """The one officer of `officers` that `typed` names: 姓名(警号), the staff number in any
    case, or a name nobody else in the list bears (a Chinese keyboard's （） is accepted)."""
    # Full-width letters, digits and brackets, as a Chinese keyboard may type them.
    typed = unicodedata.normalize("NFKC", typed).strip()
    if len(typed) > LONGEST_ENTRY:
        # Longer than any 姓名(警号): nobody, and never a pattern the database refuses
        # (SQLite's LIKE, behind a case-blind match, takes at most 50,000 characters).
        raise forms.ValidationError(
            _("Nobody called or numbered %(name)s is among them.")
            % {"name": Truncator(typed).chars(20)}
        )
    number = typed.rsplit("(", 1)[-1].rstrip(")").strip() if typed.endswith(")") else typed
    found = list(officers.filter(staff_number__iexact=number)[:2])
    if not found:
        found = list(officers.filter(user__name=typed)[:2])
    if len(found) > 1:
        raise forms.ValidationError(
            _("More than one person is called %(name)s: write the staff number.") % {"name": typed}
        )
    if not found:
        raise forms.ValidationError(
            _("Nobody called or numbered %(name)s is among them.") % {"name": typed}
        )
    return found[0]


class OfficersTextField(forms.CharField):
    """Named officers, typed one per line (or separated by commas): no 600-line list."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(
                officer_entry(o) if hasattr(o, "staff_number") else str(o) for o in value
            )
        return value


def _set_queryset(form: forms.Form, name: str, qs: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField)
    field.queryset = qs


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    type = forms.ModelChoiceField(label=_("Type"), queryset=ActivityType.objects.all())
    unit = UnitChoiceField(label=_("Organised by"), queryset=None)
    campaign: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Campaign"), queryset=None, required=False
    )
    phase: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Phase"), queryset=None, required=False
    )
    held = forms.BooleanField(label=_("Already held (recording it afterwards)"), required=False)
    starts_at = forms.DateTimeField(
        validators=[validate_plausible_date], label=_("Starts"), widget=DATETIME
    )
    ends_at = forms.DateTimeField(
        validators=[validate_plausible_date], label=_("Ends"), widget=DATETIME
    )
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    speaker = forms.CharField(label=_("Speaker"), max_length=60, required=False)
    speaker_position = forms.CharField(label=_("Speaker's position"), max_length=60, required=False)
    audience_units = UnitTreeField(
        label=_("Audience: units"),
        queryset=None,
        required=False,
        help_text=_("Tick the units; press a unit's arrow to see the units below it."),
    )
    include_subunits = forms.BooleanField(
        label=_("Include the units below them"), required=False, initial=True
    )
    audience_officers = OfficersTextField(
        label=_("Audience: named officers"),
        required=False,
        help_text=_("One per line: name, or name(staff number) where two share a name."),
    )
    expected_count = forms.IntegerField(label=_("Expected attendance"), min_value=0, initial=0)
    required = forms.BooleanField(label=_("Attendance required"), required=False, initial=True)
    allow_walk_ins = forms.BooleanField(
        label=_("People outside the audience may sign in"), required=False
    )
    sign_in_margin = forms.IntegerField(
        label=_("Sign-in opens minutes before, stays open after"),
        min_value=0,
        max_value=240,
        initial=30,
    )

    def __init__(
        self, *args: Any, units: Any, officers: Any, campaigns: Any, **kwargs: Any
    ) -> None:
        from zhengfa.campaign.models import Phase

        super().__init__(*args, **kwargs)
        _set_queryset(self, "campaign", campaigns)
        _set_queryset(self, "phase", Phase.objects.filter(campaign__in=campaigns))
        _set_queryset(self, "unit", units)
        _set_queryset(self, "audience_units", units)
        # Dates, audience and phase are checked once, by services.activity_save; its
        # errors land on these fields.
        self.officers = officers

    def clean_audience_officers(self) -> list[Any]:
        entries = [
            e
            for e in re.split(r"[\n,，、;；]+", self.cleaned_data["audience_officers"])
            if e.strip()
        ]
        found, errors = [], []
        for entry in entries:
            try:
                officer = find_officer(self.officers, entry)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
            else:
                if officer not in found:
                    found.append(officer)
        if errors:
            raise forms.ValidationError(errors)
        return found


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class LeaveForm(NamedErrorsMixin, forms.Form):
    """Who is on leave: typed, with the browser suggesting names from the audience (a
    ``<datalist>``: searchable on a phone, no long drop-down, no script)."""

    officer = forms.CharField(
        label=_("Officer"),
        max_length=80,
        help_text=_("Type a name or staff number and choose from the suggestions."),
    )
    reason = forms.CharField(label=_("Reason for leave"), max_length=200)

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = officers.select_related("user").order_by("staff_number")
        self.fields["officer"].widget.attrs.update({"list": self.options_id, "autocomplete": "off"})

    @property
    def options_id(self) -> str:
        auto_id = self.auto_id if isinstance(self.auto_id, str) else "id_%s"
        return f"{auto_id % 'officer'}_options"

    option = staticmethod(officer_entry)

    def datalist(self) -> str:
        """The suggestions, built in one go (an audience may be 600 people)."""
        names = self.officers.values_list("user__name", "user__username", "staff_number")
        return format_html(
            '<datalist id="{}">{}</datalist>',
            self.options_id,
            format_html_join(
                "", '<option value="{}({})"></option>', ((n or u, s) for n, u, s in names)
            ),
        )

    def clean_officer(self) -> Any:
        return find_officer(self.officers, self.cleaned_data["officer"])


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("My notes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = AttachmentField(label=_("Photo of my notes"), max_files=5)


class SpeechForm(forms.Form):
    speaker = forms.CharField(label=_("Who spoke"), max_length=60)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}))


class PhotosForm(forms.Form):
    attachments = AttachmentField(label=_("Activity photos"), required=True, max_files=10)


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = AttachmentField(label=_("Minutes as a document"), max_files=3)


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    unit = UnitChoiceField(label=_("Published by"), queryset=None)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    online_text = forms.CharField(
        label=_("Text to read online (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    is_booklet = forms.BooleanField(label=_("Printed booklet"), required=False, initial=True)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "unit", units)


class DistributionForm(forms.Form):
    unit = UnitChoiceField(label=_("To unit"), queryset=None)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=100000)
    distributed_on = forms.DateField(
        validators=[validate_plausible_date],
        label=_("Distributed on"),
        widget=IsoDateInput(),
        initial=timezone.localdate,
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "unit", units)

    def clean_distributed_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["distributed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class ConfirmForm(forms.Form):
    received_by = forms.CharField(label=_("Received by"), max_length=60)


class StudiedForm(forms.Form):
    note = forms.CharField(
        label=_("What you took from it"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Topic"), max_length=200)
    prompt = forms.CharField(
        label=_("What to reflect on"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = UnitChoiceField(label=_("For the officers of"), queryset=None)
    due_on = forms.DateField(
        validators=[validate_plausible_date],
        label=_("Due"),
        widget=IsoDateInput(),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "unit", units)


class ReflectionForm(forms.Form):
    shortcomings = forms.CharField(
        label=_("Where I fall short"), min_length=10, widget=forms.Textarea(attrs={"rows": 5})
    )
    plans = forms.CharField(
        label=_("What I will do"), min_length=10, widget=forms.Textarea(attrs={"rows": 5})
    )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}))


class RecordsFilterForm(UnitPeriodForm):
    pass


def activity_initial(activity: Any) -> dict[str, Any]:
    """What the edit form of an activity starts with."""
    from .models import ActivityStatus

    audience = list(activity.audience_units.select_related("unit"))
    tz = timezone.get_current_timezone()
    return {
        "title": activity.title,
        "type": activity.type,
        "unit": activity.unit,
        "campaign": activity.campaign,
        "phase": activity.phase,
        "held": activity.status != ActivityStatus.UPCOMING,
        "starts_at": activity.starts_at.astimezone(tz),
        "ends_at": activity.ends_at.astimezone(tz),
        "place": activity.place,
        "online_link": activity.online_link,
        "speaker": activity.speaker,
        "speaker_position": activity.speaker_position,
        "audience_units": [a.unit for a in audience],
        "include_subunits": all(a.include_subunits for a in audience) if audience else True,
        "audience_officers": list(activity.audience_officers.all()),
        "expected_count": activity.expected_count,
        "required": activity.required,
        "allow_walk_ins": activity.allow_walk_ins,
        "sign_in_margin": activity.sign_in_margin,
    }
