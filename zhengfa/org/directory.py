"""The units as a citizen knows them: county organs, then each township's own offices.

Used by public forms that ask "which unit is it about?" — a short list grouped by township
(a village's mediation committee is reached through its township's justice office), with
"I don't know" sending the matter to the root unit, which routes it.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Prefetch
from django.utils.translation import gettext as _

from zhengfa.core.scope import path_ancestors

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


def handlers_for(unit: Unit) -> list[User]:
    """Who answers what the public sends to `unit`: its clerks, leaders and committee staff;
    if it has none (a station run from its bureau), those of the nearest unit above."""
    paths = path_ancestors(unit)
    held = (
        RoleAssignment.objects.filter(unit__path__in=paths, role__in=HANDLERS, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    by_path: dict[str, list[User]] = defaultdict(list)
    for assignment in held.annotate(unit_path=F("unit__path")):
        users = by_path[assignment.unit_path]
        if assignment.user not in users:
            users.append(assignment.user)
    for path in reversed(paths):
        if by_path.get(path):
            return by_path[path]
    return []
