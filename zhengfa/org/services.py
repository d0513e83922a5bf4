"""Writes to the organisation: areas, units, officers, mediators, roles.

Every function is keyword-only, atomic, and checks scope where a person triggers it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from zhengfa.core.audit import record_action
from zhengfa.core.scope import access_changed, may
from zhengfa.core.validators import normalize_id_number, normalize_phone

from . import access
from .access import ADMIN, CHANGE
from .models import Area, Mediator, Officer, RoleAssignment, Unit, User


@transaction.atomic
def area_create(*, code: str, name: str, level: str, parent: Area | None) -> Area:
    return Area.objects.create(code=code, name=name, level=level, parent=parent)


@transaction.atomic
def unit_create(
    *, name: str, code: str, kind: str, parent: Unit | None, areas: Iterable[Area] = ()
) -> Unit:
    unit = Unit.objects.create(name=name, code=code, kind=kind, parent=parent)
    unit.path = unit.compute_path()
    unit.depth = unit.path.count(".") - 1
    unit.save(update_fields=["path", "depth"])
    if areas:
        unit.areas.set(list(areas))
    return unit


@transaction.atomic
def user_create(*, username: str, name: str, password: str | None = None) -> User:
    user = User(username=username, name=name)
    if password:
        user.set_password(password)
    else:
        # Accounts created from a roster get a password when an administrator issues one.
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def officer_create(
    *,
    unit: Unit,
    name: str,
    staff_number: str,
    position: str = "",
    is_auxiliary: bool = False,
    work_phone: str = "",
    id_number: str = "",
    username: str | None = None,
    password: str | None = None,
    by: Any = None,
) -> Officer:
    """Create an officer with an account; `by`, when given, must be able to change the unit."""
    if by is not None and not may(by, CHANGE, unit):
        raise PermissionDenied
    user = user_create(username=username or staff_number.lower(), name=name, password=password)
    officer = Officer(
        user=user,
        unit=unit,
        position=position,
        staff_number=staff_number,
        is_auxiliary=is_auxiliary,
        work_phone=normalize_phone(work_phone),
        id_number=normalize_id_number(id_number),
    )
    officer.full_clean(exclude=["user"])
    officer.save()
    role_assign(user=user, role=access.Role.OFFICER, unit=unit)
    return officer


@dataclass(frozen=True)
class NewOfficer:
    unit: Unit
    name: str
    staff_number: str
    position: str = ""
    is_auxiliary: bool = False
    work_phone: str = ""
    id_number: str = ""


@transaction.atomic
def officers_create_many(*, officers: Sequence[NewOfficer]) -> list[Officer]:
    """Many officers at once, each with an account (no password yet) and his officer role:
    three bulk inserts, each value checked by its field's validators. For the demo county
    and large rosters; staff numbers and user names must be new."""
    users = []
    for new in officers:
        user = User(username=new.staff_number.lower(), name=new.name)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users)
    rows = []
    for new, user in zip(officers, users, strict=True):
        officer = Officer(
            user=user,
            unit=new.unit,
            position=new.position,
            staff_number=new.staff_number,
            is_auxiliary=new.is_auxiliary,
            work_phone=normalize_phone(new.work_phone),
            id_number=normalize_id_number(new.id_number),
        )
        officer.clean_fields(exclude=["user"])
        rows.append(officer)
    created = Officer.objects.bulk_create(rows)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=o.user, role=access.Role.OFFICER, unit=o.unit) for o in created]
    )
    access_changed()
    return created


@transaction.atomic
def officer_update(*, officer: Officer, by: Any, name: str, **fields: Any) -> Officer:
    """Change an officer's profile. Moving him needs change rights on both units."""
    allowed = Unit.objects.visible_to(by, "change")
    if not allowed.filter(pk=officer.unit_id).exists():
        raise PermissionDenied
    new_unit = fields.get("unit", officer.unit)
    if not allowed.filter(pk=new_unit.pk).exists():
        raise PermissionDenied
    for key, value in fields.items():
        setattr(officer, key, value)
    officer.work_phone = normalize_phone(officer.work_phone)
    officer.id_number = normalize_id_number(officer.id_number)
    officer.full_clean(exclude=["user"])
    officer.save()
    if officer.user.name != name:
        officer.user.name = name
        officer.user.save(update_fields=["name"])
    moved = RoleAssignment.objects.filter(user=officer.user, role=access.Role.OFFICER).exclude(
        unit=officer.unit
    )
    if moved.update(unit=officer.unit):
        access_changed()
    return officer


@transaction.atomic
def mediator_create(
    *,
    organisation: Unit,
    name: str,
    kind: str,
    username: str,
    phone: str = "",
    password: str | None = None,
) -> Mediator:
    user = user_create(username=username, name=name, password=password)
    mediator = Mediator.objects.create(
        user=user, organisation=organisation, kind=kind, phone=normalize_phone(phone)
    )
    role_assign(user=user, role=access.Role.MEDIATOR, unit=organisation)
    return mediator


@transaction.atomic
def role_assign(*, user: User, role: str, unit: Unit) -> RoleAssignment:
    assignment, _created = RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
    access.forget(user)
    return assignment


def _require_admin_over(by: Any, user: User) -> None:
    """`by` administers accounts of `user`'s units (or unplaced accounts, at the root)."""
    if not may(by, ADMIN, user):
        raise PermissionDenied


@transaction.atomic
def account_set_password(*, user: User, password: str, by: Any) -> None:
    """An administrator issues a password (validated by the password rules)."""
    from django.contrib.auth.password_validation import validate_password

    _require_admin_over(by, user)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record_action(user, by=by, what="password_set", fields=["password"])


@transaction.atomic
def account_set_active(*, user: User, active: bool, by: Any) -> None:
    _require_admin_over(by, user)
    if user.pk == getattr(by, "pk", None) and not active:
        raise PermissionDenied
    user.is_active = active
    user.save(update_fields=["is_active"])


@transaction.atomic
def account_reset_second_factor(*, user: User, by: Any) -> int:
    """Remove the account's authenticator apps (a lost phone); it enrols again at sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require_admin_over(by, user)
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    record_action(user, by=by, what="second_factor_reset")
    return deleted


@transaction.atomic
def account_unlock(*, user: User, by: Any) -> None:
    """Lift a sign-in lockout before its 30 minutes are over."""
    from axes.utils import reset

    _require_admin_over(by, user)
    reset(username=user.get_username())
    record_action(user, by=by, what="unlocked")


@transaction.atomic
def role_grant(*, user: User, role: str, unit: Unit, by: Any) -> RoleAssignment:
    """An administrator grants a role at a unit within his own reach, never to himself."""
    if user.pk == getattr(by, "pk", None):
        raise PermissionDenied
    _require_admin_over(by, user)
    if not may(by, ADMIN, unit):
        raise PermissionDenied
    return role_assign(user=user, role=role, unit=unit)


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, by: Any) -> None:
    if not may(by, ADMIN, assignment):
        raise PermissionDenied
    if assignment.user_id == getattr(by, "pk", None) and assignment.role == access.Role.SYSADMIN:
        # Nobody removes his own administrator role: the county would lose its last one.
        raise PermissionDenied
    user = assignment.user
    assignment.delete()
    access.forget(user)


@transaction.atomic
def unit_add(
    *, by: Any, parent: Unit, name: str, code: str, kind: str, areas: Iterable[Area] = ()
) -> Unit:
    """An administrator adds a unit below one he administers."""
    if not may(by, ADMIN, parent):
        raise PermissionDenied
    return unit_create(name=name, code=code, kind=kind, parent=parent, areas=areas)


@transaction.atomic
def unit_update(
    *, by: Any, unit: Unit, name: str, kind: str, phone: str, is_active: bool, parent: Unit | None
) -> Unit:
    """Rename, retype, (de)activate or move a unit; moving carries its whole subtree."""
    admin = Unit.objects.visible_to(by, "admin")
    if not admin.filter(pk=unit.pk).exists():
        raise PermissionDenied
    unit.name, unit.kind, unit.phone, unit.is_active = name, kind, normalize_phone(phone), is_active
    unit.full_clean(exclude=["parent", "areas"])
    unit.save(update_fields=["name", "kind", "phone", "is_active"])
    if parent is not None and parent.pk != unit.parent_id:
        if not admin.filter(pk=parent.pk).exists():
            raise PermissionDenied
        if parent.is_within(unit):
            from django.core.exceptions import ValidationError
            from django.utils.translation import gettext as _

            raise ValidationError({"parent": _("A unit cannot move below itself.")})
        old = unit.path
        unit.parent = parent
        unit.save(update_fields=["parent"])
        new = unit.compute_path()
        # Every unit of the subtree keeps its place below, under the new prefix.
        for below in Unit.objects.within(old).order_by("path"):
            below.path = new + below.path[len(old) :]
            below.depth = below.path.count(".") - 1
            below.save(update_fields=["path", "depth"])
        unit.refresh_from_db()
    return unit
