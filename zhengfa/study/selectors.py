"""Reads for pages, dashboards and the stage brief. Every figure comes from records.

Functions that take ``unit`` count what units in its subtree organised (or received), in
``[start, end]`` (dates, inclusive). The demo county's records to 2021-04-15 give the
article's figures (see tests/test_figures.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhengfa.core.models import Attachment
from zhengfa.org.models import Officer, Unit

from .models import Activity, Attendance, Category, Distribution, Note, Reflection, Speech, Topic

EVIDENCE = ("sign_in", "notes", "speech", "photos", "minutes")


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def activities_in(unit: Unit, start: dt.date, end: dt.date) -> QuerySet[Activity]:
    """Activities held (not cancelled, already over) by units of the subtree in the range."""
    lo, hi = _bounds(start, end)
    return Activity.objects.filter(
        unit__path__startswith=unit.path,
        cancelled=False,
        starts_at__gte=lo,
        starts_at__lt=hi,
        ends_at__lte=timezone.now(),
    )


def sessions_by_type(unit: Unit, start: dt.date, end: dt.date) -> dict[str, int]:
    rows = activities_in(unit, start, end).values("type__code").annotate(n=Count("pk"))
    return {r["type__code"]: r["n"] for r in rows}


def sessions_in(
    unit: Unit, start: dt.date, end: dt.date, category: str, speaker_position: str | None = None
) -> int:
    qs = activities_in(unit, start, end).filter(type__category=category)
    if speaker_position is not None:
        qs = qs.filter(speaker_position=speaker_position)
    return qs.count()


def person_times(
    unit: Unit, start: dt.date, end: dt.date, categories: tuple[str, ...] | None = None
) -> int:
    qs = Attendance.objects.filter(
        status=Attendance.Status.PRESENT, activity__in=activities_in(unit, start, end)
    )
    if categories:
        qs = qs.filter(activity__type__category__in=categories)
    return qs.count()


def booklets_distributed(unit: Unit, start: dt.date, end: dt.date, title: str | None = None) -> int:
    qs = Distribution.objects.filter(
        unit__path__startswith=unit.path,
        material__is_booklet=True,
        distributed_on__gte=start,
        distributed_on__lte=end,
    )
    if title:
        qs = qs.filter(material__title=title)
    return int(qs.aggregate(n=Sum("copies"))["n"] or 0)


@dataclass
class Evidence:
    sign_in: bool
    notes: bool
    speech: bool
    photos: bool
    minutes: bool
    attendees: int
    with_notes: int

    @property
    def notes_share(self) -> float:
        return self.with_notes / self.attendees if self.attendees else 0.0

    @property
    def count(self) -> int:
        return sum(getattr(self, k) for k in EVIDENCE)

    @property
    def complete(self) -> bool:
        return self.count == len(EVIDENCE)

    @property
    def missing(self) -> list[str]:
        return [k for k in EVIDENCE if not getattr(self, k)]


def _count(qs: QuerySet[Any]) -> Coalesce:
    counted = (
        qs.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_evidence(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Annotate the five kinds of evidence (五有) in one query, for lists."""
    ct = ContentType.objects.get_for_model(Activity)
    files = Attachment.objects.filter(content_type=ct, object_id=OuterRef("pk"))
    # Correlated counts, not joins: joining attendance, notes and speeches at once would
    # multiply their rows (hundreds × hundreds per activity).
    return qs.annotate(
        n_present=_count(Attendance.objects.filter(status=Attendance.Status.PRESENT)),
        n_notes=_count(Note.objects.all()),
        n_speeches=_count(Speech.objects.all()),
        has_photos=Exists(files.filter(purpose="photo")),
        has_minutes_file=Exists(files.filter(purpose="minutes")),
    )


def evidence_of(activity: Any) -> Evidence:
    """The 五有 of an activity (annotated by with_evidence, or queried here)."""
    if not hasattr(activity, "n_present"):
        activity = with_evidence(Activity.objects.filter(pk=activity.pk)).get()
    return Evidence(
        sign_in=activity.n_present > 0,
        notes=activity.n_notes > 0,
        speech=activity.n_speeches > 0,
        photos=bool(activity.has_photos),
        minutes=bool(activity.minutes.strip()) or bool(activity.has_minutes_file),
        attendees=activity.n_present,
        with_notes=activity.n_notes,
    )


def evidence_completeness(unit: Unit, start: dt.date, end: dt.date) -> float:
    """Share of ended activities with all five kinds of evidence."""
    ended = with_evidence(activities_in(unit, start, end).filter(ends_at__lt=timezone.now()))
    items = [evidence_of(a) for a in ended]
    return sum(e.complete for e in items) / len(items) if items else 0.0


def audience_of(activity: Activity) -> QuerySet[Officer]:
    q = Q(pk__in=activity.audience_officers.values("pk"))
    for au in activity.audience_units.select_related("unit"):
        q |= Q(unit__path__startswith=au.unit.path) if au.include_subunits else Q(unit=au.unit)
    return Officer.objects.filter(q, status="active")


def in_audience(activity: Activity, officer: Officer) -> bool:
    return audience_of(activity).filter(pk=officer.pk).exists()


def participation_rate(unit: Unit, start: dt.date, end: dt.date) -> float:
    """Present person-times over audience person-times, for required activities that ended."""
    expected = 0
    present = 0
    ended = activities_in(unit, start, end).filter(required=True, ends_at__lt=timezone.now())
    for activity in ended.prefetch_related("audience_units__unit"):
        audience = audience_of(activity)
        expected += audience.count()
        present += Attendance.objects.filter(
            activity=activity, officer__in=audience, status=Attendance.Status.PRESENT
        ).count()
    return present / expected if expected else 0.0


def officer_record(officer: Officer, start: dt.date, end: dt.date) -> dict[str, Any]:
    lo, hi = _bounds(start, end)
    attendances = Attendance.objects.filter(
        officer=officer,
        activity__starts_at__gte=lo,
        activity__starts_at__lt=hi,
        activity__cancelled=False,
    ).select_related("activity", "activity__type")
    present = [a for a in attendances if a.status == Attendance.Status.PRESENT]
    return {
        "attended": len(present),
        "hours": round(sum(a.activity.hours for a in present), 1),
        "leave": sum(1 for a in attendances if a.status == Attendance.Status.LEAVE),
        "notes": Note.objects.filter(
            officer=officer,
            activity__starts_at__gte=lo,
            activity__starts_at__lt=hi,
            activity__cancelled=False,
        ).count(),
        "reflections": Reflection.objects.filter(
            officer=officer, submitted_at__gte=lo, submitted_at__lt=hi
        ).count(),
        "online": officer.online_studies.filter(studied_at__gte=lo, studied_at__lt=hi).count(),
        "attendances": attendances,
    }


def reflection_completion(topic: Topic) -> list[dict[str, Any]]:
    """Per unit below the topic's unit: officers, reflections, rate."""
    officers = Officer.objects.filter(unit__path__startswith=topic.unit.path, status="active")
    per_unit = {r["unit"]: r["n"] for r in officers.values("unit").annotate(n=Count("pk"))}
    # Only reflections of the officers counted below: people who left do not push a unit
    # above 100 %.
    done = {
        r["officer__unit"]: r["n"]
        for r in Reflection.objects.filter(topic=topic, officer__in=officers)
        .values("officer__unit")
        .annotate(n=Count("pk"))
    }
    units = Unit.objects.filter(pk__in=per_unit).order_by("path")
    return [
        {
            "unit": u,
            "officers": per_unit[u.pk],
            "done": done.get(u.pk, 0),
            "rate": done.get(u.pk, 0) / per_unit[u.pk],
        }
        for u in units
    ]


def article_figures(unit: Unit, start: dt.date, end: dt.date) -> dict[str, int]:
    """The figures of the article's 政治过硬 / 业务过硬 / 纪律过硬 paragraphs, from records."""
    return {
        "lectures_and_meetings": sessions_in(unit, start, end, Category.LECTURE_MEETING),
        "training_person_times": person_times(unit, start, end, (Category.TRAINING,)),
        "revolutionary_education": sessions_in(unit, start, end, Category.REVOLUTIONARY),
        "party_lectures_by_secretary": sessions_in(
            unit, start, end, Category.PARTY_LECTURE, speaker_position="县委书记"
        ),
        "booklets": booklets_distributed(unit, start, end),
        "integrity_lectures": sessions_in(unit, start, end, Category.INTEGRITY),
    }
