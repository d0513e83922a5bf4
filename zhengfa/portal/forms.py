from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengfa.core.attachments import AttachmentField
from zhengfa.core.forms import NamedErrorsMixin
from zhengfa.core.models import Satisfaction


class QueryForm(NamedErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("Follow-up code"),
        max_length=40,
        help_text=_("The code you were given when you submitted, e.g. ABCD-EFGH-JKMN."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class SupplementForm(NamedErrorsMixin, forms.Form):
    comment = forms.CharField(
        label=_("What you want to add"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = AttachmentField(label=_("Pictures or files (optional)"), max_files=5)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not (data.get("comment") or "").strip() and not data.get("attachments"):
            raise forms.ValidationError(_("Write something or add a file."))
        return data


class RatingForm(NamedErrorsMixin, forms.Form):
    rating = forms.ChoiceField(
        label=_("Are you satisfied with how it was handled?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
