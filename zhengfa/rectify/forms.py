from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.campaign.models import Campaign
from zhengfa.core.attachments import AttachmentField
from zhengfa.core.forms import IsoDateInput
from zhengfa.core.validators import validate_plausible_date
from zhengfa.org.forms import StaffNumberField, UnitChoiceField, UnitTreeField

from .models import AskerKind, LedgerState, Manner, ProblemCategory, Source


def _future(value: dt.date) -> None:
    if value < timezone.localdate():
        raise forms.ValidationError(_("The deadline cannot be in the past."))


def _deadline_field(label: Any = None) -> forms.DateField:
    return forms.DateField(
        label=label or pgettext_lazy("ledger", "Deadline"),
        validators=[validate_plausible_date, _future],
        widget=IsoDateInput(),
    )


class CategoryForm(forms.ModelForm[ProblemCategory]):
    class Meta:
        model = ProblemCategory
        fields = ["code", "name", "order", "is_active"]


class RoundForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    unit = UnitChoiceField(label=_("Opened by"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=120)
    deadline = _deadline_field(pgettext_lazy("round", "Deadline"))
    units = UnitTreeField(
        label=_("Units covered"),
        queryset=None,
        help_text=_("Every officer of a ticked unit and of the units below it fills in a form."),
    )

    def __init__(self, *args: Any, campaigns: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, qs in (("campaign", campaigns), ("unit", units), ("units", units)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs


class DeclarationForm(forms.Form):
    """For every category: none, or the problem in his own words."""

    def __init__(self, *args: Any, categories: Any, initial_text: dict[int, str], **kw: Any):
        super().__init__(*args, **kw)
        self.categories = list(categories)
        for category in self.categories:
            text = initial_text.get(category.pk, "")
            self.fields[f"has_{category.pk}"] = forms.TypedChoiceField(
                label=category.name,
                choices=[("0", _("None")), ("1", _("Yes, I have this problem"))],
                coerce=lambda v: v == "1",
                widget=forms.RadioSelect,
                initial="1" if text else "0",
            )
            self.fields[f"text_{category.pk}"] = forms.CharField(
                label=_("What it is"),
                required=False,
                initial=text,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for category in self.categories:
            if data.get(f"has_{category.pk}") and not data.get(f"text_{category.pk}", "").strip():
                self.add_error(
                    f"text_{category.pk}",
                    _("Describe the problem, or choose “None”."),
                )
        return data

    def entries(self) -> dict[int, str]:
        data = self.cleaned_data
        return {
            c.pk: data.get(f"text_{c.pk}", "") if data.get(f"has_{c.pk}") else ""
            for c in self.categories
        }

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(c, self[f"has_{c.pk}"], self[f"text_{c.pk}"]) for c in self.categories]


class InquiryForm(forms.Form):
    asker_kind = forms.ChoiceField(label=_("Who asked"), choices=AskerKind.choices)
    asker = forms.CharField(label=_("Name and position of who asked"), max_length=120)
    case_number = forms.CharField(label=_("Case number"), max_length=60)
    case_organ = forms.CharField(label=_("Court or organ of the case"), max_length=120)
    asked_on = forms.DateField(
        label=_("Date"), validators=[validate_plausible_date], widget=IsoDateInput()
    )
    manner = forms.ChoiceField(label=_("How"), choices=Manner.choices)
    content = forms.CharField(label=_("What was asked"), widget=forms.Textarea(attrs={"rows": 3}))
    handling = forms.CharField(
        label=_("How it was handled"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_asked_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["asked_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return value


class ItemForm(forms.Form):
    """A new ledger item with its 五定."""

    source = forms.ChoiceField(
        label=_("Source"), choices=[c for c in Source.choices if c[0] != Source.SELF]
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=ProblemCategory.objects.none())
    unit = UnitChoiceField(label=_("Responsible unit"), queryset=None)
    officer = StaffNumberField(
        label=_("Officer concerned (staff or police number)"),
        required=False,
        help_text=_("Leave empty when the problem is the unit's, not one officer's."),
    )
    problem = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("Measures"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = _deadline_field()
    responsible = StaffNumberField(label=_("Responsible person (staff or police number)"))
    standard = forms.CharField(
        label=_("Acceptance standard"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, units: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = ProblemCategory.objects.filter(is_active=True)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units
        for name in ("officer", "responsible"):
            field = self.fields[name]
            assert isinstance(field, StaffNumberField)
            field.officers = officers


class FiveForm(forms.Form):
    """The 五定 of an open item; the deadline only while none is set."""

    problem = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label=_("Measures"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = _deadline_field()
    responsible = StaffNumberField(label=_("Responsible person (staff or police number)"))
    standard = forms.CharField(
        label=_("Acceptance standard"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, officers: Any, with_deadline: bool, problem_fixed: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not with_deadline:
            del self.fields["deadline"]
        if problem_fixed:  # a self-declared problem stays in the officer's own words
            self.fields["problem"].disabled = True
        field = self.fields["responsible"]
        assert isinstance(field, StaffNumberField)
        field.officers = officers


class DeadlineForm(forms.Form):
    deadline = _deadline_field()
    reason = forms.CharField(
        label=pgettext_lazy("deadline move", "Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    comment = forms.CharField(
        label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    attachments = AttachmentField(label=_("Evidence (photos, documents)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("comment", "").strip() and not data.get("attachments"):
            raise forms.ValidationError(_("Write something or add a file."))
        return data


OVERDUE = "overdue"


class LedgerFilterForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Unit (with units below it)"),
        queryset=None,
        required=False,
        empty_label=_("All units"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ProblemCategory.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All")), *Source.choices]
    )
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Not closed")), *LedgerState.choices],
    )
    due = forms.ChoiceField(
        label=pgettext_lazy("ledger", "Deadline"),
        required=False,
        choices=[("", _("All")), (OVERDUE, _("Overdue"))],
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units
        category = self.fields["category"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = ProblemCategory.objects.all()
