from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.attachments import AttachmentField
from zhengfa.core.challenge import PublicForm
from zhengfa.core.forms import IsoDateInput, NamedErrorsMixin
from zhengfa.core.validators import (
    normalize_id_number,
    normalize_phone,
    plain_text,
    validate_id_number,
    validate_mobile,
    validate_plausible_date,
)
from zhengfa.org.directory import passing_on_choices
from zhengfa.org.forms import PublicUnitField, StaffNumberField
from zhengfa.org.models import Unit

from .models import (
    Category,
    Conclusion,
    FeedbackMethod,
    Method,
    ReportKind,
    ReportState,
)

ANONYMOUS, REAL = "anonymous", "real"
STORY_MAX = 5000


class ReportForm(NamedErrorsMixin, PublicForm):
    """The citizen's report, in four short parts (the page numbers them)."""

    kind = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=ReportKind.choices,
        widget=forms.RadioSelect,
    )
    unit = PublicUnitField(label=_("Which unit is it about?"), unknown_label=_("I'm not sure"))
    officer_named = forms.CharField(
        label=_("The officer's name or police number, if you know it"),
        max_length=60,
        required=False,
    )
    category = forms.ChoiceField(
        label=_("What kind of problem is it?"),
        choices=Category.choices,
        initial=Category.UNKNOWN,
    )
    story = forms.CharField(
        label=_("What happened?"),
        max_length=STORY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Say who did what. Up to 5,000 characters."),
        error_messages={"required": _("Please tell us what happened.")},
    )
    happened_on = forms.CharField(
        label=_("When did it happen?"),
        max_length=60,
        required=False,
        help_text=_("For example: March 2021, or last Monday."),
    )
    place = forms.CharField(label=_("Where did it happen?"), max_length=120, required=False)
    attachments = AttachmentField(label=_("Pictures or files (optional)"), max_files=5)
    identity = forms.ChoiceField(
        label=_("Do you want to give your name?"),
        choices=[
            (ANONYMOUS, _("No, anonymously")),
            (REAL, _("Yes, with my name (we contact you within 30 days)")),
        ],
        initial=ANONYMOUS,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your name"), max_length=40, required=False)
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    id_number = forms.CharField(
        label=_("Your ID card number (optional)"), max_length=20, required=False
    )

    def __init__(
        self, *args: Any, county: Unit | None = None, several: bool = False, **kwargs: Any
    ) -> None:
        """`county`: the county the citizen chose on a province's site (`several` counties);
        without one there, the form offers "not sure" alone."""
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, PublicUnitField)
        field.offer(county, several=several)

    def clean_story(self) -> str:
        story = plain_text(self.cleaned_data["story"])
        if not story:
            raise forms.ValidationError(_("Please tell us what happened."))
        return story

    def clean_phone(self) -> str:
        value = normalize_phone(self.cleaned_data["phone"])
        if value and self.data.get("identity") == REAL:
            validate_mobile(value)
        return value

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data["id_number"])
        if value and self.data.get("identity") == REAL:
            validate_id_number(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("officer_named", "happened_on", "place", "name"):
            if name in data:
                data[name] = plain_text(data[name])
        if data.get("identity") == REAL:
            if not data.get("name") and "name" not in self.errors:
                self.add_error("name", _("Please give your name, or choose “anonymously”."))
            if not data.get("phone") and "phone" not in self.errors:
                self.add_error("phone", _("Please give a mobile number, or choose “anonymously”."))
        elif any((self.data.get(name) or "").strip() for name in ("name", "phone", "id_number")):
            # An older person may fill in his name and miss the choice above: ask, never
            # drop what he typed without a word (nor keep it when he meant anonymous).
            self.add_error(
                "identity",
                _(
                    "You wrote your name or phone but chose “anonymously”. Choose “with my "
                    "name”, or clear those boxes."
                ),
            )
        else:
            data.update(name="", phone="", id_number="")
        return data


class ReportFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *ReportKind.choices]
    )
    category = forms.ChoiceField(
        label=_("About"), required=False, choices=[("", _("All")), *Category.choices]
    )
    name = forms.ChoiceField(
        label=_("Name given"),
        required=False,
        choices=[("", _("All")), (REAL, _("Real name")), (ANONYMOUS, _("Anonymous"))],
    )
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("All")),
            ("overdue", _("Overdue")),
            ("uncontacted", _("Real name, over 30 days without feedback")),
        ],
    )

    def __init__(self, *args: Any, supervisor: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = [
            ("", _("All")),
            ("open", pgettext_lazy("state", "Open")),
            *ReportState.choices,
        ]
        if not supervisor:  # whether the reporter gave his name is supervision's to know
            del self.fields["name"]
            due = self.fields["due"]
            assert isinstance(due, forms.ChoiceField)
            due.choices = [("", _("All")), ("overdue", _("Overdue"))]


def _deadline_field(**kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=pgettext_lazy("verification", "Verify by"),
        validators=[validate_plausible_date],
        widget=IsoDateInput(),
        **kwargs,
    )


class AssignForm(NamedErrorsMixin, forms.Form):
    unit = forms.ChoiceField(
        label=_("Unit to verify it"),
        error_messages={"invalid_choice": _("Please choose another unit from the list.")},
    )
    method = forms.ChoiceField(
        label=_("How it is handled"),
        choices=[(v, label) for v, label in Method.choices if v != Method.END],
        initial=Method.VERIFY,
    )
    deadline = _deadline_field()
    officer = StaffNumberField(
        label=_("Officer concerned (staff or police number, if known)"), required=False
    )
    comment = forms.CharField(
        label=_("What to verify (for the unit; never who reported it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, at: Unit, officers: Any, days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ChoiceField)
        unit.choices = [
            ("", "—"),
            *[
                (group, [(str(pk), name) for pk, name in units])
                for group, units in passing_on_choices(at)
            ],
        ]
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=days)
        officer = self.fields["officer"]
        assert isinstance(officer, StaffNumberField)
        officer.officers = officers

    def clean_unit(self) -> Unit:
        unit = Unit.objects.filter(pk=self.cleaned_data["unit"], is_active=True).first()
        if unit is None:
            raise forms.ValidationError(_("Please choose one."))
        return unit


class ConcludeForm(NamedErrorsMixin, forms.Form):
    conclusion = forms.ChoiceField(
        label=_("Conclusion"), choices=Conclusion.choices, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(
        label=_("How it was handled"), choices=Method.choices, required=False
    )
    officer = StaffNumberField(
        label=_("Officer concerned (staff or police number, if known)"), required=False
    )
    finding = forms.CharField(
        label=_("What was found (for staff and, if true, the ledger)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reply = forms.CharField(
        label=_("Reply to the reporter"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The reporter reads this under his follow-up code. Plain words, no names."),
    )

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        method = self.fields["method"]
        assert isinstance(method, forms.ChoiceField)
        method.choices = [("", "—"), *Method.choices]
        officer = self.fields["officer"]
        assert isinstance(officer, StaffNumberField)
        officer.officers = officers


class FeedbackForm(NamedErrorsMixin, forms.Form):
    method = forms.ChoiceField(label=_("How the reporter was told"), choices=FeedbackMethod.choices)
    note = forms.CharField(
        label=_("What he was told, and what he said"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VerificationForm(NamedErrorsMixin, forms.Form):
    comment = forms.CharField(
        label=_("What the verification found"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachments = AttachmentField(label=_("Evidence files"))


class MergeForm(NamedErrorsMixin, forms.Form):
    into = forms.ChoiceField(label=_("Handle it with report"))
    reason = forms.CharField(
        label=_("Why they are the same matter"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(r.pk): r for r in candidates}
        into = self.fields["into"]
        assert isinstance(into, forms.ChoiceField)
        into.choices = [(str(r.pk), str(r)) for r in candidates]

    def clean_into(self) -> Any:
        return self.candidates[self.cleaned_data["into"]]


class FromOpinionForm(NamedErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    category = forms.ChoiceField(
        label=_("What kind of problem is it?"), choices=Category.choices, initial=Category.UNKNOWN
    )


# --- Press conferences --------------------------------------------------------------------------


class ConferenceForm(NamedErrorsMixin, forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    held_on = forms.DateField(
        label=_("Date"), validators=[validate_plausible_date], widget=IsoDateInput()
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    speakers = forms.CharField(
        label=_("Speakers"),
        help_text=_("One per line: name and position."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    questions_open = forms.BooleanField(label=_("Taking questions from the public"), required=False)
    published = forms.BooleanField(label=_("Shown on the public site"), required=False)


class QuestionForm(NamedErrorsMixin, PublicForm):
    text = forms.CharField(
        label=_("Your question"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please write your question.")},
    )
    signed = forms.CharField(
        label=_("How to name you on the page (optional)"),
        max_length=40,
        required=False,
        help_text=_("For example: a villager of Zhangji. Leave it empty to stay unnamed."),
    )
    want_code = forms.BooleanField(
        label=_("Give me a follow-up code to see the answer"), required=False
    )

    def clean_text(self) -> str:
        text = plain_text(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError(_("Please write your question."))
        return text

    def clean_signed(self) -> str:
        return plain_text(self.cleaned_data["signed"])
