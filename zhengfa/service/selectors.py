"""Reads of service records. This part: which villages have an officer now, and which
officers carry unusually many villages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from zhengfa.core.scope import grant_for, subtree_q
from zhengfa.org.models import Area, AreaLevel, Officer, Unit

from .models import VillagePost

# An officer with more villages than this is listed on the coverage page.
MANY_VILLAGES = 6


def villages_of(user: Any) -> QuerySet[Area]:
    """The villages served by the units where the person holds the domain."""
    units = Unit.objects.filter(subtree_q("", grant_for(user, "service", "view").paths))
    return (
        Area.objects.filter(level=AreaLevel.VILLAGE, units__in=units)
        .distinct()
        .select_related("parent")
        .order_by("code")
    )


def without_officer(villages: QuerySet[Area]) -> QuerySet[Area]:
    return villages.filter(
        ~Exists(VillagePost.objects.filter(village=OuterRef("pk"), ends_on__isnull=True))
    )


def heavy_officers(user: Any) -> list[dict[str, Any]]:
    """Officers whose current posts number more than MANY_VILLAGES."""
    rows = (
        VillagePost.objects.visible_to(user)
        .filter(ends_on__isnull=True)
        .values("officer")
        .annotate(n=Count("pk"))
        .filter(n__gt=MANY_VILLAGES)
        .order_by("-n")
    )
    officers = Officer.objects.select_related("user", "unit").in_bulk([r["officer"] for r in rows])
    return [{"officer": officers[r["officer"]], "n": r["n"]} for r in rows]


def covered(unit: Any, start: Any, end: Any) -> int:
    """Villages of the unit's subtree with an officer on the last day of the period."""
    return (
        VillagePost.objects.filter(unit__path__startswith=unit.path, starts_on__lte=end)
        .exclude(ends_on__lt=end)
        .values("village")
        .distinct()
        .count()
    )
