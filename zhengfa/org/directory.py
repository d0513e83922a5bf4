"""The units as a citizen knows them: county organs, then each township's own offices.

Used by public forms that ask "which unit is it about?" — a short list grouped by township
(a village's mediation committee is reached through its township's justice office), with
"I don't know" sending the matter to the root unit, which routes it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from zhengfa.core.scope import grant_for, path_ancestors

from .access import Role
from .models import Area, AreaLevel, RoleAssignment, Unit, UnitKind, User

# Units a citizen does not address directly: reached through their township's office.
NOT_LISTED = {UnitKind.MEDIATION_COMMITTEE}

# Roles whose holders answer what the public sends to a unit.
HANDLERS = (Role.CLERK, Role.LEADER, Role.COMMITTEE)


def root_unit() -> Unit | None:
    """The unit that runs the site (the county's political-legal committee)."""
    return Unit.objects.filter(parent=None, is_active=True).order_by("path").first()


def public_unit_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices for a <select>: ("县级单位", [...]) then one group per township, in code order."""
    townships = Prefetch(
        "areas", queryset=Area.objects.filter(level=AreaLevel.TOWNSHIP), to_attr="townships"
    )
    county: list[tuple[int, str]] = []
    by_township: dict[Area, list[tuple[int, str]]] = defaultdict(list)
    units = (
        Unit.objects.filter(is_active=True)
        .exclude(kind__in=NOT_LISTED)
        .prefetch_related(townships)
        .order_by("path")
    )
    for unit in units:
        town = min(unit.townships, key=lambda a: a.code) if unit.townships else None
        (by_township[town] if town else county).append((unit.pk, unit.name))
    groups = [(_("County units"), county)] if county else []
    for town in sorted(by_township, key=lambda a: a.code):
        groups.append((town.name, by_township[town]))
    return groups


def answering_paths(unit_paths: Iterable[str], roles: Iterable[str] = HANDLERS) -> dict[str, str]:
    """For each unit path, the path of the nearest unit at or above it where an active
    account holds one of `roles` (a station without a leader's account answers through its
    bureau). One query, whatever the number of units."""
    wanted = {path for unit_path in unit_paths for path in path_ancestors(unit_path)}
    held = set(
        RoleAssignment.objects.filter(
            unit__path__in=wanted, role__in=list(roles), user__is_active=True
        ).values_list("unit__path", flat=True)
    )
    found = {}
    for unit_path in set(unit_paths):
        for path in reversed(path_ancestors(unit_path)):
            if path in held:
                found[unit_path] = path
                break
    return found


def answered_by(user: Any, unit_paths: Iterable[str], domain: str, action: str) -> list[str]:
    """Of `unit_paths`, those whose work falls to `user`: the nearest unit that has someone
    to do it is one where he holds `action` himself."""
    mine = set(grant_for(user, domain, action).unit_paths)
    return [unit for unit, at in answering_paths(unit_paths).items() if at in mine]


def handlers_for(unit: Unit) -> list[User]:
    """Who answers what the public sends to `unit`: its clerks, leaders and committee staff;
    if it has none (a station run from its bureau), those of the nearest unit above."""
    at = answering_paths([unit.path]).get(unit.path)
    if at is None:
        return []
    return list(
        User.objects.filter(
            is_active=True, role_assignments__unit__path=at, role_assignments__role__in=HANDLERS
        )
        .distinct()
        .order_by("username")
    )
