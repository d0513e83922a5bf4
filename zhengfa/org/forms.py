from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from zhengfa.core.forms import IsoDateInput, LongSelect, MaskedValueField
from zhengfa.core.generic import is_id
from zhengfa.core.masking import mask_id_number, mask_phone
from zhengfa.core.validators import (
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_phone,
    validate_plausible_date,
)

from .models import Officer, OfficerStatus, Unit, UnitKind, User


def unit_label(unit: Any) -> str:
    """A unit indented by its depth, so that a list of units reads as the tree."""
    return "　" * max(unit.depth - 1, 0) + unit.name


class _NearUnits(ModelChoiceIterator):
    """The units of the field's queryset at most `levels` below its top: a county's organs,
    stations and offices, a province's cities and counties, never a province's 60,000 units
    in one list. The chosen unit is listed too, however deep (it came from a link)."""

    def __iter__(self) -> Iterator[Any]:
        field = self.field
        assert isinstance(field, UnitChoiceField) and field.queryset is not None
        if field.empty_label is not None:
            yield ("", field.empty_label)
        top = field.queryset.order_by("depth").values_list("depth", flat=True).first()
        if top is None:
            return
        near = Q(depth__lte=top + field.levels)
        if field.chosen:
            near |= Q(pk=field.chosen)
        # One plain query (a list of units is short): no server-side cursor.
        for unit in field.queryset.filter(near):
            yield self.choice(unit)


class UnitChoiceField(forms.ModelChoiceField):
    """A unit from a list that reads as the tree, `levels` deep below the top of the
    queryset; any unit of the queryset is accepted."""

    iterator = _NearUnits
    widget = LongSelect
    levels = 2

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chosen: Any = None

    def label_from_instance(self, obj: Any) -> str:
        return unit_label(obj)

    def prepare_value(self, value: Any) -> Any:
        chosen = getattr(value, "pk", value)
        # Only an id is listed besides the near units: "abc" from a URL is an error to show.
        self.chosen = chosen if isinstance(chosen, int) or is_id(str(chosen or "")) else None
        return super().prepare_value(value)


class UnitTreeSelect(forms.CheckboxSelectMultiple):
    """Check boxes laid out as the unit tree: the first level open, deeper levels folded
    (opened where something is already ticked). Works without script."""

    template_name = "org/widgets/unit_tree.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        roots: list[dict[str, Any]] = []
        stack: list[tuple[str, dict[str, Any]]] = []
        for _group, options, _index in context["widget"]["optgroups"]:
            for option in options:
                unit = option["value"].instance
                node: dict[str, Any] = {"option": option, "children": [], "open": False}
                while stack and not unit.path.startswith(stack[-1][0]):
                    stack.pop()
                (stack[-1][1]["children"] if stack else roots).append(node)
                if option["selected"]:
                    for _path, above in stack:
                        above["open"] = True
                stack.append((unit.path, node))
        context["widget"]["tree"] = roots
        return context


class UnitTreeField(forms.ModelMultipleChoiceField):
    """Units chosen on the tree (:class:`UnitTreeSelect`), named plainly."""

    widget = UnitTreeSelect

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class OfficerFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name or staff number"), "type": "search"}),
    )
    unit = UnitChoiceField(
        label=_("Unit (with units below it)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("All units"),
    )
    auxiliary = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All")), ("0", _("Officers")), ("1", _("Auxiliary officers"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *OfficerStatus.choices]
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units


class OfficerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    position = forms.CharField(label=_("Position"), max_length=60, required=False)
    staff_number = forms.CharField(label=_("Staff or police number"), max_length=30)
    is_auxiliary = forms.BooleanField(label=_("Auxiliary officer"), required=False)
    work_phone = MaskedValueField(
        label=_("Work phone"),
        max_length=20,
        required=False,
        validators=[validate_phone],
        mask=mask_phone,
    )
    id_number = MaskedValueField(
        label=_("ID number"),
        max_length=20,
        required=False,
        validators=[validate_id_number],
        mask=mask_id_number,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=OfficerStatus.choices, initial=OfficerStatus.ACTIVE
    )
    left_on = forms.DateField(
        validators=[validate_plausible_date],
        label=_("Left on"),
        required=False,
        widget=IsoDateInput(),
    )

    def __init__(
        self, *args: Any, units: Any, instance: Officer | None = None, **kwargs: Any
    ) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units
        if instance is not None:
            for name in ("work_phone", "id_number"):
                field = self.fields[name]
                assert isinstance(field, MaskedValueField)
                field.keep(getattr(instance, name))

    def clean_staff_number(self) -> str:
        value: str = self.cleaned_data["staff_number"].strip()
        clash = Officer.objects.filter(staff_number__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another officer already has this number."))
        # The number becomes the user name of a new account.
        if self.instance is None and User.objects.filter(username__iexact=value).exists():
            raise forms.ValidationError(_("An account with this user name exists already."))
        return value

    def clean_work_phone(self) -> str:
        return normalize_phone(self.cleaned_data["work_phone"])

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data["id_number"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == OfficerStatus.LEFT and not data.get("left_on"):
            self.add_error("left_on", _("Give the date the officer left."))
        return data


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster (.xlsx)"), help_text=_("Use the template; one officer per row.")
    )


class AccountFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("User name or name"), "type": "search"}),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .access import Role

        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", _("All")), *Role.choices]


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    unit = UnitChoiceField(
        label=_("At unit (reaches the units below it)"), queryset=Unit.objects.none()
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        from .access import Role

        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = Role.choices
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    code = forms.CharField(label=_("Unit code"), max_length=30)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    parent = UnitChoiceField(label=_("Parent unit"), queryset=Unit.objects.none())
    phone = forms.CharField(
        label=_("Public phone"), max_length=20, required=False, validators=[validate_phone]
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self, *args: Any, parents: Any, instance: Unit | None = None, **kwargs: Any
    ) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = parents
        if instance is not None:
            self.fields["code"].disabled = True
            if instance.parent_id is None:
                parent.required = False
                parent.disabled = True

    def clean_code(self) -> str:
        value: str = self.cleaned_data["code"].strip()
        clash = Unit.objects.filter(code__iexact=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another unit already has this code."))
        return value


class StaffNumberField(forms.CharField):
    """An officer by his staff or police number, among the officers given to the form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)
        self.officers: Any = Officer.objects.none()

    def prepare_value(self, value: Any) -> Any:
        return value.staff_number if isinstance(value, Officer) else value

    def clean(self, value: Any) -> Officer | None:
        number = super().clean(value)
        if not number:
            return None
        found = self.officers.filter(
            staff_number__iexact=number.strip(), status=OfficerStatus.ACTIVE
        ).first()
        if found is None:
            raise forms.ValidationError(
                _("No serving officer with this number in your units."), code="unknown_officer"
            )
        return found


class PublicUnitField(forms.ChoiceField):
    """The unit a citizen's matter is about: the units of his county (of the site, on a
    county's site) grouped by township, or "I don't know" (None). Call :meth:`offer` with
    the county he chose; on a province's site without one, only "I don't know" is offered."""

    UNKNOWN = "unknown"

    def __init__(
        self, *args: Any, unknown_label: Any = None, kinds: Any = (), **kwargs: Any
    ) -> None:
        """`kinds`: of these kinds of unit only (else all but the village committees)."""
        kwargs.setdefault("error_messages", {"invalid_choice": _("Please choose one.")})
        super().__init__(*args, **kwargs)
        self.unknown_label = unknown_label or _("I don't know")
        self.initial = self.UNKNOWN
        self.kinds = tuple(kinds)

    def offer(self, county: Unit | None, *, several: bool) -> None:
        from .directory import public_unit_choices

        groups = [] if several and county is None else public_unit_choices(county, self.kinds)
        self.choices = [
            (self.UNKNOWN, self.unknown_label),
            *[(group, [(str(pk), name) for pk, name in units]) for group, units in groups],
        ]

    def clean(self, value: Any) -> Unit | None:
        value = super().clean(value)
        if value in {"", self.UNKNOWN}:
            return None
        unit = Unit.objects.filter(pk=value, is_active=True).first()
        if unit is None or (self.kinds and unit.kind not in self.kinds):
            raise forms.ValidationError(_("Please choose one."))
        return unit


class UnitPeriodForm(forms.Form):
    """A unit among the person's (with those below it) and a period, for lists and figures."""

    unit = UnitChoiceField(
        label=_("Unit (with units below it)"),
        queryset=None,
        required=False,
        empty_label=_("All my units"),
    )
    start = forms.DateField(
        validators=[validate_plausible_date], label=_("From"), required=False, widget=IsoDateInput()
    )
    end = forms.DateField(
        validators=[validate_plausible_date], label=_("To"), required=False, widget=IsoDateInput()
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data


class OfficerChoiceField(forms.ModelChoiceField):
    """One officer, named with his unit and post (or 辅警), for a long list of a unit's."""

    def label_from_instance(self, obj: Any) -> str:
        kind = _("auxiliary") if obj.is_auxiliary else obj.position
        return f"{obj.user.display_name}({obj.unit.name} {kind})".replace(" )", ")")
