"""Reads of service records: village coverage and heavy officers, volunteer person-hours,
the figures page, and the named indicators for dashboards and the stage brief."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from statistics import median
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from zhengfa.core.scope import grant_for, subtree_q
from zhengfa.core.workflow import end_of_day, start_of_day
from zhengfa.org.models import Area, AreaLevel, Officer, Unit

from .models import (
    Appointment,
    AppointmentState,
    HomeVisit,
    HomeVisitState,
    Measure,
    MeasureState,
    MeasureUpdate,
    ServiceKind,
    VillagePost,
    VolunteerActivity,
    serving_today,
)

# An officer with more villages than this is listed on the coverage page.
MANY_VILLAGES = 6


def villages_in(paths: list[str]) -> QuerySet[Area]:
    """The villages served by the units at `paths` and below (a semi-join: no DISTINCT over
    the join, which costs twice as much)."""
    served = Unit.areas.through.objects.filter(
        unit__in=Unit.objects.filter(subtree_q("", paths)), area__level=AreaLevel.VILLAGE
    ).values("area_id")
    return Area.objects.filter(pk__in=served).select_related("parent").order_by("code")


def villages_of(user: Any) -> QuerySet[Area]:
    """The villages served by the units where the person holds the domain."""
    return villages_in(grant_for(user, "service", "view").paths)


def without_officer(villages: QuerySet[Area]) -> QuerySet[Area]:
    return villages.filter(
        ~Exists(VillagePost.objects.filter(serving_today(), village=OuterRef("pk")))
    )


def heavy_officers(user: Any) -> list[dict[str, Any]]:
    """Officers whose current posts number more than MANY_VILLAGES."""
    rows = (
        VillagePost.objects.visible_to(user)
        .filter(serving_today())
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


def visit_villages(user: Any) -> QuerySet[Area]:
    """Villages for which the person may ask a home visit: those of his units (with the
    domain), and those where he is the officer."""
    units = Unit.objects.filter(subtree_q("", grant_for(user, "homevisit", "change").paths))
    mine = VillagePost.objects.filter(serving_today(), officer__user=user).values("village")
    return (
        Area.objects.filter(level=AreaLevel.VILLAGE)
        .filter(Q(units__in=units) | Q(parent__units__in=units) | Q(pk__in=mine))
        .distinct()
        .select_related("parent")
        .order_by("code")
    )


# --- Volunteer services ------------------------------------------------------------------------


def volunteer_totals(activities: QuerySet[VolunteerActivity]) -> dict[str, Any]:
    """Activities, officers' participations (人次), person-hours and people served."""
    rows = VolunteerActivity.officers.through.objects.filter(
        volunteeractivity__in=activities.values("pk")
    )
    found = activities.order_by().aggregate(n=Count("pk"), served=Sum("served"))
    hours = rows.aggregate(h=Sum("volunteeractivity__hours"))["h"] or Decimal(0)
    return {
        "activities": found["n"],
        "served": found["served"] or 0,
        "participations": rows.count(),
        "officers": rows.values("officer").distinct().count(),
        "hours": hours,
    }


def person_hours_by_unit(activities: QuerySet[VolunteerActivity]) -> list[Any]:
    """Person-hours by the officers' units (an officer of a station counts for his station)."""
    return list(
        VolunteerActivity.officers.through.objects.filter(
            volunteeractivity__in=activities.values("pk")
        )
        .values("officer__unit__name", "officer__unit__path")
        .annotate(
            hours=Sum("volunteeractivity__hours"),
            times=Count("pk"),
        )
        .order_by("-hours", "officer__unit__path")
    )


def person_hours_by_officer(activities: QuerySet[VolunteerActivity]) -> list[Any]:
    return list(
        VolunteerActivity.officers.through.objects.filter(
            volunteeractivity__in=activities.values("pk")
        )
        .values("officer", "officer__user__name", "officer__unit__name")
        .annotate(hours=Sum("volunteeractivity__hours"), times=Count("pk"))
        .order_by("-hours", "officer")
    )


# --- Figures --------------------------------------------------------------------------------


def _in_slot_period(start: dt.date, end: dt.date) -> Q:
    return Q(slot__starts_at__gte=start_of_day(start), slot__starts_at__lte=end_of_day(end))


def _visits_period(start: dt.date, end: dt.date) -> Q:
    return Q(created_at__gte=start_of_day(start), created_at__lte=end_of_day(end))


def figures(user: Any, paths: list[str], start: dt.date, end: dt.date) -> dict[str, Any]:
    """The service page's figures for the units at `paths` (with those below) and a period."""
    villages = villages_in(paths)
    covered_now = without_officer(villages)
    appointments = (
        Appointment.objects.visible_to(user)
        .filter(subtree_q("unit", paths))
        .filter(_in_slot_period(start, end))
    )
    by_kind = {
        row["offer__kind"]: row["n"]
        for row in appointments.order_by().values("offer__kind").annotate(n=Count("pk"))
    }
    by_state = {
        row["state"]: row["n"]
        for row in appointments.order_by().values("state").annotate(n=Count("pk"))
    }
    visits = (
        HomeVisit.objects.visible_to(user)
        .filter(subtree_q("unit", paths))
        .filter(_visits_period(start, end))
    )
    done = list(visits.filter(state=HomeVisitState.DONE).values_list("created_at", "visited_on"))
    waits = sorted((v - timezone.localtime(c).date()).days for c, v in done if v)
    activities = (
        VolunteerActivity.objects.visible_to(user)
        .filter(subtree_q("unit", paths))
        .filter(held_on__gte=start, held_on__lte=end)
    )
    measures = Measure.objects.filter(subtree_q("unit", paths), parent__isnull=True).filter(
        launched_on__lte=end
    )
    measure_states = {
        row["state"]: row["n"]
        for row in measures.order_by().values("state").annotate(n=Count("pk"))
    }
    return {
        "villages": villages.count(),
        "villages_without": covered_now.count(),
        "appointments": sum(by_state.values()),
        "holiday_appointments": appointments.filter(holiday=True).count(),
        "by_kind": [
            {"value": v, "label": label, "n": by_kind.get(v, 0)} for v, label in ServiceKind.choices
        ],
        "by_state": [
            {"value": v, "label": label, "n": by_state.get(v, 0)}
            for v, label in AppointmentState.choices
        ],
        "visits": visits.count(),
        "visits_done": len(done),
        "visits_declined": visits.filter(state=HomeVisitState.DECLINED).count(),
        "visits_open": visits.open().count(),
        "median_days_to_visit": median(waits) if waits else None,
        "volunteer": volunteer_totals(activities),
        "measures": measures.count(),
        "measure_states": [
            {"value": v, "label": label, "n": measure_states.get(v, 0)}
            for v, label in MeasureState.choices
        ],
        "measure_progress": measures.aggregate(p=Avg("progress"))["p"],
    }


# --- Named indicators (unit, start, end) -----------------------------------------------------


def booked(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(_in_slot_period(start, end), unit__path__startswith=unit.path)
        .select_related("unit", "slot")
        .order_by("slot__starts_at", "pk")
    )


def appointments(unit: Any, start: dt.date, end: dt.date) -> int:
    return booked(unit, start, end).count()


def booked_on_holidays(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Appointment]:
    return booked(unit, start, end).filter(holiday=True)


def holiday_appointments(unit: Any, start: dt.date, end: dt.date) -> int:
    return booked_on_holidays(unit, start, end).count()


def visits_asked(unit: Any, start: dt.date, end: dt.date) -> QuerySet[HomeVisit]:
    return (
        HomeVisit.objects.filter(_visits_period(start, end), unit__path__startswith=unit.path)
        .select_related("village")
        .order_by("created_at")
    )


def home_visits(unit: Any, start: dt.date, end: dt.date) -> int:
    return visits_asked(unit, start, end).count()


def visits_made(unit: Any, start: dt.date, end: dt.date) -> QuerySet[HomeVisit]:
    return (
        HomeVisit.objects.filter(
            unit__path__startswith=unit.path,
            state=HomeVisitState.DONE,
            visited_on__gte=start,
            visited_on__lte=end,
        )
        .select_related("village")
        .order_by("visited_on", "pk")
    )


def home_visits_done(unit: Any, start: dt.date, end: dt.date) -> int:
    return visits_made(unit, start, end).count()


def volunteering(unit: Any, start: dt.date, end: dt.date) -> QuerySet[VolunteerActivity]:
    """Volunteer services held by the subtree in the period (a figure's drill-down)."""
    return (
        VolunteerActivity.objects.filter(
            unit__path__startswith=unit.path, held_on__gte=start, held_on__lte=end
        )
        .select_related("unit")
        .order_by("held_on", "pk")
    )


def volunteer_activities(unit: Any, start: dt.date, end: dt.date) -> int:
    return volunteering(unit, start, end).count()


def volunteer_participations(unit: Any, start: dt.date, end: dt.date) -> int:
    return int(volunteer_totals(volunteering(unit, start, end))["participations"])


def volunteer_hours(unit: Any, start: dt.date, end: dt.date) -> float:
    return float(volunteer_totals(volunteering(unit, start, end))["hours"])


def launched(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Measure]:
    """Measures the county had launched by the end of the period (parts not counted)."""
    return (
        Measure.objects.filter(
            unit__path__startswith=unit.path, parent__isnull=True, launched_on__lte=end
        )
        .select_related("unit")
        .order_by("launched_on", "pk")
    )


def measures(unit: Any, start: dt.date, end: dt.date) -> int:
    return launched(unit, start, end).count()


def measures_done(unit: Any, start: dt.date, end: dt.date) -> int:
    """Measures completed or standing practice by the end of the period (by their updates)."""
    done = [MeasureState.DONE, MeasureState.ROUTINE]
    top = Measure.objects.filter(
        unit__path__startswith=unit.path, parent__isnull=True, launched_on__lte=end
    )
    direct = top.filter(parts__isnull=True, updates__on__lte=end, updates__state__in=done)
    return direct.distinct().count() + sum(
        1
        for m in top.filter(parts__isnull=False).distinct()
        if all(
            MeasureUpdate.objects.filter(measure=p, on__lte=end, state__in=done).exists()
            for p in m.parts.all()
        )
    )
