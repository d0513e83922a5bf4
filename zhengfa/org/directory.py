"""The units as a citizen knows them: county organs, then each township's own offices.

Used by public forms that ask "which unit is it about?" — a short list grouped by township
(a village's mediation committee is reached through its township's justice office), with
"I don't know" sending the matter to the root unit, which routes it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zhengfa.core.scope import grant_for, path_ancestors

from .access import Role
from .models import Area, AreaLevel, Officer, RoleAssignment, Unit, UnitKind, User

# Units a citizen does not address directly: reached through their township's office.
NOT_LISTED = {UnitKind.MEDIATION_COMMITTEE}

# Roles whose holders answer what the public sends to a unit.
HANDLERS = (Role.CLERK, Role.LEADER, Role.COMMITTEE)


def root_unit() -> Unit | None:
    """The unit that runs the site (the county's political-legal committee)."""
    return Unit.objects.filter(parent=None, is_active=True).order_by("path").first()


CHOICES_SECONDS = 60


def county_committees() -> QuerySet[Unit]:
    """The committees that serve a county: one on a county's site, many on a province's."""
    return (
        Unit.objects.filter(kind=UnitKind.COMMITTEE, is_active=True, areas__level=AreaLevel.COUNTY)
        .distinct()
        .order_by("path")
    )


def county_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """The counties by city, for a province's public forms: [(city, [(committee, county)])].
    The same for everyone: kept a minute."""
    key = f"zf-counties:{get_language()}"
    found: list[tuple[str, list[tuple[int, str]]]] | None = cache.get(key)
    if found is None:
        by_city: dict[str, list[tuple[int, str]]] = defaultdict(list)
        rows = (
            Area.objects.filter(level=AreaLevel.COUNTY, units__in=county_committees())
            .order_by("parent__code", "code")
            .values_list("units__pk", "name", "parent__name")
        )
        for pk, name, city in rows:
            by_city[city or ""].append((pk, name))
        found = list(by_city.items())
        cache.set(key, found, CHOICES_SECONDS)
    return found


def public_unit_choices(
    county: Unit | None = None, kinds: Iterable[str] = ()
) -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices for a <select>: ("县级单位", [...]) then one group per township, in code order;
    of one county on a province's site; of the given `kinds` of unit only, when given (else
    all but the villages' mediation committees). The same for everyone: kept a minute."""
    kinds = sorted(kinds)
    key = f"zf-public-units:{county.pk if county else ''}:{','.join(kinds)}:{get_language()}"
    found: list[tuple[str, list[tuple[int, str]]]] | None = cache.get(key)
    if found is None:
        found = _public_unit_choices(county, kinds)
        cache.set(key, found, CHOICES_SECONDS)
    return found


def county_of(unit: Unit) -> Unit | None:
    """The county committee at or above `unit` (None above the counties of a province)."""
    return county_committees().filter(path__in=path_ancestors(unit)).last()


def passing_on_choices(unit: Unit) -> list[tuple[str, list[tuple[int, str]]]]:
    """Where a matter at `unit` may be passed on to: the units of its county; above the
    counties of a province, the counties' committees."""
    county = county_of(unit)
    if county is None and county_committees().count() > 1:
        # A city's committee passes it to its own counties; the province's to any.
        below = set(
            county_committees().filter(path__startswith=unit.path).values_list("pk", flat=True)
        )
        return [
            (city, kept)
            for city, counties in county_choices()
            if (kept := [(pk, name) for pk, name in counties if pk in below])
        ]
    return public_unit_choices(county)


def _public_unit_choices(
    within: Unit | None, kinds: list[str]
) -> list[tuple[str, list[tuple[int, str]]]]:
    # A unit's township: one it serves, or the township of a village it serves.
    places = Prefetch(
        "areas",
        queryset=Area.objects.filter(
            level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE]
        ).select_related("parent"),
        to_attr="places",
    )
    county: list[tuple[int, str]] = []
    by_township: dict[Area, list[tuple[int, str]]] = defaultdict(list)
    units = Unit.objects.filter(
        is_active=True, **({"path__startswith": within.path} if within else {})
    )
    units = units.filter(kind__in=kinds) if kinds else units.exclude(kind__in=NOT_LISTED)
    for unit in units.prefetch_related(places).order_by("path"):
        towns = [
            town
            for a in unit.places
            if (town := a if a.level == AreaLevel.TOWNSHIP else a.parent) is not None
        ]
        town = min(towns, key=lambda a: a.code) if towns else None
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


def handlers_for(unit: Unit, roles: Iterable[str] = HANDLERS) -> list[User]:
    """Who answers what the public sends to `unit`: its clerks, leaders and committee staff
    (or `roles`); if it has none (a station run from its bureau), those of the nearest unit
    above."""
    roles = tuple(roles)
    at = answering_paths([unit.path], roles).get(unit.path)
    if at is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__unit__path=at,
            role_assignments__role__in=list(roles),
        )
        .distinct()
        .order_by("username")
    )


def own_officer(user: Any) -> Officer | None:
    """The signed-in person's own officer profile, if he has one (no scope question: his)."""
    if not getattr(user, "is_authenticated", False):
        return None
    # Asked by several parts of one page (the workbench, the panels): kept on the user.
    if not hasattr(user, "_zf_officer"):
        user._zf_officer = Officer.objects.filter(user=user).select_related("unit").first()
    found: Officer | None = user._zf_officer
    return found


@dataclass(frozen=True)
class CountyAsked:
    """Which county a public form is about. On a province's site the citizen says first
    (``ask``: show ``org/county_choice.html`` with `counties`), or that he does not know."""

    several: bool
    county: Unit | None
    ask: bool
    counties: list[tuple[str, list[tuple[int, str]]]]


def county_asked(data: Any, *, first_visit: bool) -> CountyAsked:
    """The county in a public form's `data` (GET or POST). `first_visit`: a GET, when the
    question is to be asked if the site has several counties and none was given."""
    from zhengfa.core.generic import is_id

    counties = county_choices()
    several = sum(len(group) for _city, group in counties) > 1
    asked = data.get("county")
    county = (
        county_committees().filter(pk=asked).first() if several and asked and is_id(asked) else None
    )
    return CountyAsked(several, county, several and asked is None and first_visit, counties)


def by_branch(
    qs: QuerySet[Any], unit: str, paths: Iterable[str], by: str | None = None
) -> list[tuple[str, Counter[Any], int]]:
    """Counts of the records `qs` holds by the units one level below the highest of `paths`
    (the units a person watches: a county's organs, a province's cities), reached through
    the lookup `unit`: as many rows as the tree is wide there, whatever the number of
    records. Each row: the unit's name, the counts by the field `by` (or one count under
    None), and the total; largest first."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from .models import PATH_STEP

    paths = list(paths)
    if not paths:
        return []
    width = (PATH_STEP + 1) * (min(p.count(".") for p in paths) + 1)
    rows = (
        qs.order_by()
        .annotate(branch=Substr(f"{unit}__path", 1, width))
        .values_list("branch", *([by] if by else []))
        .annotate(n=Count("pk"))
    )
    counts: dict[str, Counter[Any]] = {}
    for row in rows:
        branch, key, n = (row[0], row[1], row[2]) if by else (row[0], None, row[1])
        counts.setdefault(branch, Counter())[key] += n
    names = dict(Unit.objects.filter(path__in=list(counts)).values_list("path", "name"))
    out = [(names.get(b, ""), c, sum(c.values())) for b, c in counts.items()]
    out.sort(key=lambda r: -r[2])
    return out
