from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .attachments import AttachmentField
from .validators import validate_plausible_date


class IsoDateInput(forms.DateInput):
    """A browser date picker. Its value must be ISO (2026-11-30): a date written the local way
    (2026/11/30) leaves the box empty in every browser."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class LongSelect(forms.Select):
    """Django's single select, its options written in Python instead of a template and a
    dictionary each: a list of a county's 350 units renders in a tenth of the time. Choices
    grouped under headings are rendered by Django's template as usual."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            chosen = text in wanted
            if chosen:
                wanted = set()  # one option of a single select is selected
            parts.append(
                f'\n  <option value="{escape(text)}"{" selected" if chosen else ""}>'
                f"{conditional_escape(str(label))}</option>"
            )
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class NamedErrorsMixin:
    """Plain words for an empty required field ("请填写这一项。" / "请选择一项。"), and, with
    ``core/partials/_form_errors.html`` at the top of the form, a list naming each field
    that needs attention, linking to it — not the same anonymous "这个字段是必填项。" twice."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stock = forms.Field.default_error_messages["required"]
        for field in self.fields.values():
            if field.error_messages.get("required") != stock:
                continue  # the form says it its own way ("请填写理由。")
            choose = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
            field.error_messages["required"] = (
                _("Please choose one.") if choose else _("Please fill this in.")
            )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("Enter the 6 digits shown in the app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Account"), required=False)
    model = forms.ChoiceField(label=_("Record type"), required=False)
    action = forms.ChoiceField(
        label=_("Change"),
        required=False,
        choices=[("", _("All")), ("0", _("Created")), ("1", _("Changed")), ("2", _("Deleted"))],
    )
    date_from = forms.DateField(
        validators=[validate_plausible_date],
        label=_("From"),
        required=False,
        widget=IsoDateInput(),
    )
    date_to = forms.DateField(
        validators=[validate_plausible_date],
        label=_("To"),
        required=False,
        widget=IsoDateInput(),
    )

    def __init__(self, *args: Any, model_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = self.fields["model"]
        assert isinstance(model, forms.ChoiceField)
        model.choices = [("", _("All")), *model_choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class SignInFilterForm(forms.Form):
    username = forms.CharField(label=_("User name"), required=False)
    kind = forms.ChoiceField(label=_("Event"), required=False)
    date_from = forms.DateField(
        validators=[validate_plausible_date],
        label=_("From"),
        required=False,
        widget=IsoDateInput(),
    )
    date_to = forms.DateField(
        validators=[validate_plausible_date],
        label=_("To"),
        required=False,
        widget=IsoDateInput(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import SignInEvent

        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("All")), *SignInEvent.Kind.choices]


def add_service_errors(form: forms.BaseForm, exc: Any) -> None:
    """Put a service's ValidationError on the form: at its field, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class MaskedValueField(forms.CharField):
    """A personal value (ID number, phone) on an edit form: shown masked, never in full.

    Left as shown, it keeps the stored value; typed anew, it is checked and replaces it;
    emptied, it is removed. Seeing the full value is the reveal button's, with a reason.
    """

    def __init__(self, *args: Any, mask: Callable[[str], str], **kwargs: Any) -> None:
        self.mask = mask
        self.stored = ""
        kwargs.setdefault(
            "help_text", _("Shown masked. Leave it to keep the value; type a new one to change it.")
        )
        super().__init__(*args, **kwargs)

    def keep(self, stored: str) -> None:
        """The current value: the form shows its mask and keeps it when left as is."""
        self.stored = stored or ""
        self.initial = self.mask(self.stored) if self.stored else ""

    def clean(self, value: Any) -> Any:
        if self.stored and (value or "").strip() == self.mask(self.stored):
            return self.stored
        return super().clean(value)


class TransitionForm(forms.Form):
    """The form of a record's workflow buttons: a comment, and files if the workflow takes
    them (``Workflow.files``)."""

    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = AttachmentField(label=_("Evidence files"))

    def __init__(self, *args: Any, files: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not files:
            del self.fields["attachments"]
