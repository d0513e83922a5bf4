from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhengfa.core.attachments import AttachmentField
from zhengfa.core.forms import IsoDateInput, LongSelect, NamedErrorsMixin
from zhengfa.core.validators import validate_plausible_date
from zhengfa.org.models import Officer


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Officer) -> str:
        kind = _("auxiliary") if obj.is_auxiliary else obj.position
        return f"{obj.user.display_name}({obj.unit.name} {kind})"


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

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = officers


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
