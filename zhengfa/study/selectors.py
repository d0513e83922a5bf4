"""Reads for pages, dashboards and the stage brief. Every figure comes from records.

Functions that take ``unit`` count what units in its subtree organised (or received), in
``[start, end]`` (dates, inclusive). The demo county's records to 2021-04-15 give the
article's figures (see tests/test_figures.py). Reads over many officers or activities are
set-based: a fixed number of queries, however many rows.
"""

from __future__ import annotations

import datetime as dt
import operator
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhengfa.core.attachments import attachments_of
from zhengfa.core.models import Attachment
from zhengfa.core.scope import collapse_paths, path_ancestors
from zhengfa.core.workflow import start_of_day
from zhengfa.org.directory import own_officer  # noqa: F401 - the study pages ask it here
from zhengfa.org.models import Officer, OfficerStatus, Unit

from .models import (
    Activity,
    Attendance,
    AudienceUnit,
    Category,
    Distribution,
    Material,
    Note,
    OnlineStudy,
    Reflection,
    Speech,
    Topic,
    audience_filter,
)

EVIDENCE = ("sign_in", "notes", "speech", "photos", "minutes")
PRESENT = Attendance.Status.PRESENT


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, the day after end): the moments of a period of dates."""
    return start_of_day(start), start_of_day(end + dt.timedelta(days=1))


def activities_in(unit: Unit, start: dt.date, end: dt.date) -> QuerySet[Activity]:
    """Activities held (not cancelled, already over) by units of the subtree in the range."""
    lo, hi = bounds(start, end)
    return Activity.objects.within(unit).filter(
        cancelled=False, starts_at__gte=lo, starts_at__lt=hi, ends_at__lte=timezone.now()
    )


def sessions_by_type(unit: Unit, start: dt.date, end: dt.date) -> dict[str, int]:
    rows = activities_in(unit, start, end).values("type__code").annotate(n=Count("pk"))
    return {r["type__code"]: r["n"] for r in rows}


def sessions_of(
    unit: Unit, start: dt.date, end: dt.date, category: str, speaker_position: str | None = None
) -> QuerySet[Activity]:
    qs = activities_in(unit, start, end).filter(type__category=category)
    if speaker_position is not None:
        qs = qs.filter(speaker_position=speaker_position)
    return qs.select_related("unit").order_by("starts_at")


def sessions_in(
    unit: Unit, start: dt.date, end: dt.date, category: str, speaker_position: str | None = None
) -> int:
    return sessions_of(unit, start, end, category, speaker_position).count()


def attendances(
    unit: Unit, start: dt.date, end: dt.date, categories: tuple[str, ...] | None = None
) -> QuerySet[Attendance]:
    qs = Attendance.objects.filter(status=PRESENT, activity__in=activities_in(unit, start, end))
    if categories:
        qs = qs.filter(activity__type__category__in=categories)
    return qs.select_related("activity", "officer__user").order_by("activity__starts_at", "pk")


def person_times(
    unit: Unit, start: dt.date, end: dt.date, categories: tuple[str, ...] | None = None
) -> int:
    return attendances(unit, start, end, categories).count()


def distributions(
    unit: Unit, start: dt.date, end: dt.date, title: str | None = None
) -> QuerySet[Distribution]:
    qs = Distribution.objects.within(unit).filter(
        material__is_booklet=True, distributed_on__gte=start, distributed_on__lte=end
    )
    if title:
        qs = qs.filter(material__title=title)
    return qs.select_related("material", "unit").order_by("distributed_on", "pk")


def booklets_distributed(unit: Unit, start: dt.date, end: dt.date, title: str | None = None) -> int:
    qs = distributions(unit, start, end, title).order_by()
    return int(qs.aggregate(n=Sum("copies"))["n"] or 0)


# --- The article's figures, registered as indicators in plugin.py ------------------------


# The article's "县委书记专题讲党课": a party lecture given by the county party secretary.
SECRETARY = "县委书记"


def lectures_and_meetings(unit: Unit, start: dt.date, end: dt.date) -> int:
    return sessions_in(unit, start, end, Category.LECTURE_MEETING)


def training_person_times(unit: Unit, start: dt.date, end: dt.date) -> int:
    return person_times(unit, start, end, (Category.TRAINING,))


def revolutionary_education(unit: Unit, start: dt.date, end: dt.date) -> int:
    return sessions_in(unit, start, end, Category.REVOLUTIONARY)


def party_lectures_by_secretary(unit: Unit, start: dt.date, end: dt.date) -> int:
    return sessions_in(unit, start, end, Category.PARTY_LECTURE, speaker_position=SECRETARY)


def booklets(unit: Unit, start: dt.date, end: dt.date) -> int:
    return booklets_distributed(unit, start, end)


def integrity_lectures(unit: Unit, start: dt.date, end: dt.date) -> int:
    return sessions_in(unit, start, end, Category.INTEGRITY)


def held(category: str, speaker_position: str | None = None) -> Any:
    """The activities a figure counts (for the dashboards' drill-down)."""
    return lambda unit, start, end: sessions_of(unit, start, end, category, speaker_position)


# --- 五有 evidence ----------------------------------------------------------------------


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
        n_present=_count(Attendance.objects.filter(status=PRESENT)),
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


# --- Audiences and participation ---------------------------------------------------------


# An audience of more units than this is read as a subquery rather than a list of ids.
AUDIENCE_UNIT_LIST = 2000


def audience_of(activity: Activity) -> QuerySet[Officer]:
    """Serving officers in the audience of `activity` (the inverse of
    ``models.audience_filter``): those of its units (and of the units below those whose
    subunits are included) and those invited by name.

    The audience's units are read first (a few rows, then the path index), so that the
    officers are found by unit through an index: asked of every officer row in one
    condition, PostgreSQL read a province's officers to find a county's audience."""
    rows = list(
        AudienceUnit.objects.filter(activity_id=activity.pk).values_list(
            "unit_id", "unit__path", "include_subunits"
        )
    )
    exact = [unit_id for unit_id, _path, subunits in rows if not subunits]
    below = collapse_paths([path for _id, path, subunits in rows if subunits])
    unit_ids: Any = exact
    if below:
        units = Unit.objects.filter(
            reduce(operator.or_, (Q(path__startswith=path) for path in below), Q(pk__in=exact))
        ).values_list("pk", flat=True)
        listed = list(units[: AUDIENCE_UNIT_LIST + 1])
        unit_ids = listed if len(listed) <= AUDIENCE_UNIT_LIST else units
    named = list(
        Activity.audience_officers.through.objects.filter(activity_id=activity.pk).values_list(
            "officer_id", flat=True
        )
    )
    return Officer.objects.filter(
        Q(unit_id__in=unit_ids) | Q(pk__in=named), status=OfficerStatus.ACTIVE
    )


def in_audience(activity: Activity, officer: Officer) -> bool:
    return audience_of(activity).filter(pk=officer.pk).exists()


def participation(ids: Collection[int]) -> dict[int, tuple[int, int]]:
    """Each activity's audience (serving officers invited by unit or by name) and how many of
    them signed in, for any number of activities (a province's year has thousands) in five
    queries: serving officers, and those present at each activity, are counted per unit,
    and each audience adds up the units it reaches (as ``audience_of`` decides, today)."""
    ids = list(ids)
    if not ids:
        return {}
    units: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for activity_id, path, below in AudienceUnit.objects.filter(activity_id__in=ids).values_list(
        "activity_id", "unit__path", "include_subunits"
    ):
        units[activity_id].append((path, below))
    named: dict[int, dict[int, str]] = defaultdict(dict)
    for activity_id, officer_id, path in Activity.audience_officers.through.objects.filter(
        activity_id__in=ids, officer__status=OfficerStatus.ACTIVE
    ).values_list("activity_id", "officer_id", "officer__unit__path"):
        named[activity_id][officer_id] = path
    reached = collapse_paths([path for rows in units.values() for path, _below in rows])
    serving = Officer.objects.filter(status=OfficerStatus.ACTIVE)
    if len(reached) <= 50:  # else every unit at once: a long OR is too much for SQLite
        serving = serving.filter(
            reduce(operator.or_, (Q(unit__path__startswith=p) for p in reached), Q(pk__in=[]))
        )
    per_unit = dict(serving.order_by().values_list("unit__path").annotate(n=Count("pk")))
    paths = sorted(per_unit)
    running = [0]
    for path in paths:
        running.append(running[-1] + per_unit[path])

    def in_subtree(root: str) -> int:
        # Paths are digits and dots: "~" sorts after every path below `root`.
        return running[bisect_right(paths, root + "~")] - running[bisect_left(paths, root)]

    # Serving officers present, per activity and unit; the named ones one by one.
    present: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for activity_id, path, n in (
        Attendance.objects.filter(
            activity_id__in=ids, status=PRESENT, officer__status=OfficerStatus.ACTIVE
        )
        .order_by()
        .values_list("activity_id", "officer__unit__path")
        .annotate(n=Count("pk"))
    ):
        present[activity_id].append((path, n))
    named_present = set(
        Attendance.objects.filter(
            activity_id__in=[a for a in ids if named[a]],
            status=PRESENT,
            officer__status=OfficerStatus.ACTIVE,
        ).values_list("activity_id", "officer_id")
    )
    found = {}
    for activity_id in ids:
        subtrees = collapse_paths([p for p, below in units[activity_id] if below])
        alone = {
            p
            for p, below in units[activity_id]
            if not below and not any(p.startswith(r) for r in subtrees)
        }

        def covered(path: str) -> bool:
            return path in alone or any(path.startswith(r) for r in subtrees)  # noqa: B023

        others = {o: p for o, p in named[activity_id].items() if not covered(p)}
        audience = sum(in_subtree(r) for r in subtrees) + sum(per_unit.get(p, 0) for p in alone)
        audience += len(others)
        came = sum(n for path, n in present[activity_id] if covered(path))
        came += sum(1 for o in others if (activity_id, o) in named_present)
        found[activity_id] = (audience, came)
    return found


def participation_rate(unit: Unit, start: dt.date, end: dt.date) -> float:
    """Present person-times over audience person-times, for required activities that ended."""
    ended = activities_in(unit, start, end).filter(required=True, ends_at__lt=timezone.now())
    counted = participation(ended.values_list("pk", flat=True)).values()
    expected = sum(audience for audience, _present in counted)
    return sum(present for _audience, present in counted) / expected if expected else 0.0


def evidence_completeness(unit: Unit, start: dt.date, end: dt.date) -> float:
    """Share of ended activities with all five kinds of evidence."""
    ended = with_evidence(activities_in(unit, start, end).filter(ends_at__lt=timezone.now()))
    items = [evidence_of(a) for a in ended]
    return sum(e.complete for e in items) / len(items) if items else 0.0


@dataclass
class UnitFigures:
    unit: Unit
    # Of the activities its subtree organised:
    sessions: int = 0
    person_times: int = 0
    expected: int = 0
    present: int = 0
    ended: int = 0
    complete: int = 0
    # Of its subtree's officers, wherever the activity was organised:
    attended: int = 0

    @property
    def participation(self) -> float:
        return self.present / self.expected if self.expected else 0.0

    @property
    def evidence(self) -> float:
        return self.complete / self.ended if self.ended else 0.0


def figures_by_unit(unit: Unit, start: dt.date, end: dt.date) -> list[UnitFigures]:
    """The unit and each unit directly below it, each counting its whole subtree.

    Two kinds of figure, kept apart because they answer different questions: what the unit
    organised (sessions, their person-times, the audience's participation, evidence), and
    how much its own officers attended, wherever the activity was organised (a station's
    officers at the county's lecture count for the station). Three queries."""
    rows = [
        UnitFigures(u)
        for u in Unit.objects.within(unit).filter(depth__lte=unit.depth + 1).order_by("path")
    ]
    now = timezone.now()
    activities = list(with_evidence(activities_in(unit, start, end)).select_related("unit"))
    audiences = participation([a.pk for a in activities])
    for activity in activities:
        audience, present = audiences[activity.pk]
        evidence = evidence_of(activity)
        for row in rows:
            if not activity.unit.is_within(row.unit):
                continue
            row.sessions += 1
            row.person_times += evidence.attendees
            if activity.ends_at < now:
                row.ended += 1
                row.complete += evidence.complete
                if activity.required:
                    row.expected += audience
                    row.present += present
    lo, hi = bounds(start, end)
    attended = (
        Attendance.objects.filter(
            status=PRESENT,
            activity__cancelled=False,
            activity__starts_at__gte=lo,
            activity__starts_at__lt=hi,
            activity__ends_at__lte=now,
            officer__unit__path__startswith=unit.path,
        )
        .values("officer__unit__path")
        .annotate(n=Count("pk"))
    )
    for found in attended:
        for row in rows:
            if found["officer__unit__path"].startswith(row.unit.path):
                row.attended += found["n"]
    return rows


# --- Officers' records -------------------------------------------------------------------


@dataclass
class OfficerRecord:
    attended: int = 0
    hours: float = 0.0
    leave: int = 0
    notes: int = 0
    reflections: int = 0
    online: int = 0


def _by_officer(qs: QuerySet[Any], **aggregates: Any) -> dict[int, dict[str, Any]]:
    return {r["officer_id"]: r for r in qs.order_by().values("officer_id").annotate(**aggregates)}


def officer_records(
    officers: QuerySet[Officer] | list[Officer] | list[int], start: dt.date, end: dt.date
) -> dict[int, OfficerRecord]:
    """Each officer's study record in the range (officers or their ids): four grouped
    queries for any number."""
    lo, hi = bounds(start, end)
    held = {
        "activity__starts_at__gte": lo,
        "activity__starts_at__lt": hi,
        "activity__cancelled": False,
    }
    ids: Any = (
        officers.values("pk")
        if isinstance(officers, QuerySet)
        else [getattr(o, "pk", o) for o in officers]
    )
    length = ExpressionWrapper(
        F("activity__ends_at") - F("activity__starts_at"), output_field=DurationField()
    )
    attendance = _by_officer(
        Attendance.objects.filter(officer__in=ids, **held),
        attended=Count("pk", filter=Q(status=PRESENT)),
        leave=Count("pk", filter=Q(status=Attendance.Status.LEAVE)),
        length=Sum(length, filter=Q(status=PRESENT)),
    )
    notes = _by_officer(Note.objects.filter(officer__in=ids, **held), n=Count("pk"))
    reflections = _by_officer(
        Reflection.objects.filter(officer__in=ids, submitted_at__gte=lo, submitted_at__lt=hi),
        n=Count("pk"),
    )
    online = _by_officer(
        OnlineStudy.objects.filter(officer__in=ids, studied_at__gte=lo, studied_at__lt=hi),
        n=Count("pk"),
    )
    records: dict[int, OfficerRecord] = defaultdict(OfficerRecord)
    for officer_id, row in attendance.items():
        record = records[officer_id]
        record.attended, record.leave = row["attended"], row["leave"]
        record.hours = round((row["length"] or dt.timedelta()).total_seconds() / 3600, 1)
    for name, rows in (("notes", notes), ("reflections", reflections), ("online", online)):
        for officer_id, row in rows.items():
            setattr(records[officer_id], name, row["n"])
    return records


def officer_record(officer: Officer, start: dt.date, end: dt.date) -> OfficerRecord:
    return officer_records([officer], start, end)[officer.pk]


def officer_attendances(officer: Officer, start: dt.date, end: dt.date) -> QuerySet[Attendance]:
    lo, hi = bounds(start, end)
    return (
        Attendance.objects.filter(
            officer=officer,
            activity__starts_at__gte=lo,
            activity__starts_at__lt=hi,
            activity__cancelled=False,
        )
        .select_related("activity", "activity__type")
        .order_by("-activity__starts_at")
    )


def officers_in(units: QuerySet[Unit]) -> QuerySet[Officer]:
    """Serving officers of exactly these units (the ones an organiser may invite by name)."""
    return Officer.objects.filter(unit__in=units, status=OfficerStatus.ACTIVE).select_related(
        "user", "unit"
    )


def officers_of(unit: Unit, user: Any) -> QuerySet[Officer]:
    """The serving officers of the unit's subtree whom `user` may see, in roster order."""
    return (
        Officer.objects.visible_to(user)
        .within(unit)
        .filter(status=OfficerStatus.ACTIVE)
        .select_related("user", "unit")
        .order_by("unit__path", "staff_number")
    )


# --- One activity ----------------------------------------------------------------------------


def attendance_rows(activity: Activity) -> list[dict[str, Any]]:
    """The sign-in sheet as plain rows (a county meeting has 600 of them: no model objects)."""
    labels = dict(Attendance.Status.choices)
    found = activity.attendances.order_by(
        "status", "officer__unit__path", "officer__staff_number"
    ).values(
        "status",
        "walk_in",
        "signed_at",
        "leave_reason",
        "officer__user__name",
        "officer__user__username",
        "officer__unit__name",
    )
    rows: list[dict[str, Any]] = [dict(row) for row in found]
    for row in rows:
        row["status_label"] = labels.get(row["status"], row["status"])
        row["name"] = row["officer__user__name"] or row["officer__user__username"]
        signed = row["signed_at"]
        row["time"] = timezone.localtime(signed).strftime("%H:%M") if signed else ""
    return rows


def activity_page(
    activity: Activity, officer: Officer | None, *, organiser: bool
) -> dict[str, Any]:
    """What the activity page shows: its evidence, and for the organiser the attendance list;
    for an attendee his own attendance and notes."""
    return {
        "a": activity,
        "organiser": organiser,
        "evidence": evidence_of(activity),
        "attendances": attendance_rows(activity) if organiser else [],
        "photos": attachments_of(activity, "photo"),
        "minutes_files": attachments_of(activity, "minutes"),
        "speeches": activity.speeches.all(),
        "my_attendance": officer and activity.attendances.filter(officer=officer).first(),
        "my_note": officer and activity.notes.filter(officer=officer).first(),
    }


def material_page(
    material: Material, officer: Officer | None, *, organiser: bool
) -> dict[str, Any]:
    """A material: its distributions for the organiser, the reader's own online study."""
    distributions = list(material.distributions.select_related("unit")) if organiser else []
    return {
        "m": material,
        "organiser": organiser,
        "distributions": distributions,
        "total": sum(d.copies for d in distributions),
        "my_study": officer and material.studies.filter(officer=officer).first(),
        "study_count": material.studies.count(),
    }


def reflections_readable(topic: Topic, user: Any) -> QuerySet[Reflection]:
    """The reflections on a topic that `user` may read, by unit then newest first."""
    return (
        Reflection.objects.visible_to(user)
        .filter(topic=topic)
        .select_related("officer__user", "unit")
        .order_by("unit__path", "-submitted_at")
    )


# --- An officer's own study, reflections ----------------------------------------------------


def my_activities(officer: Officer) -> QuerySet[Activity]:
    """Activities the officer is invited to (not cancelled), with his attendance and note."""
    return (
        Activity.objects.filter(audience_filter(officer), cancelled=False)
        .select_related("type", "unit")
        .annotate(
            my_status=Subquery(
                Attendance.objects.filter(activity=OuterRef("pk"), officer=officer).values(
                    "status"
                )[:1]
            ),
            my_note=Exists(Note.objects.filter(activity=OuterRef("pk"), officer=officer)),
        )
    )


def label_my_attendance(activities: Any) -> list[Any]:
    """Give activities of :func:`my_activities` the label of the officer's attendance."""
    out: list[Any] = list(activities)
    for a in out:
        status = getattr(a, "my_status", None)
        a.my_status_label = Attendance.Status(status).label if status else ""
        a.my_present = status == PRESENT
    return out


def topics_for(officer: Officer) -> QuerySet[Topic]:
    """大家谈 topics set by the officer's unit or a unit above, with whether he wrote."""
    return Topic.objects.filter(unit__path__in=path_ancestors(officer.unit)).annotate(
        done=Exists(Reflection.objects.filter(topic=OuterRef("pk"), officer=officer))
    )


def reflection_completion(topic: Topic) -> list[dict[str, Any]]:
    """Per unit below the topic's unit: officers, reflections, rate."""
    officers = Officer.objects.within(topic.unit).filter(status=OfficerStatus.ACTIVE)
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


# --- The workbench ------------------------------------------------------------------------


def days_ahead(days: int = 2) -> tuple[dt.datetime, dt.datetime]:
    """From the start of today to the end of the day after (today and tomorrow)."""
    today = timezone.localdate()
    return bounds(today, today + dt.timedelta(days=days - 1))


def organising_soon(user: Any) -> QuerySet[Activity]:
    """Today's and tomorrow's activities of the very units where `user` organises study."""
    start, end = days_ahead()
    return (
        Activity.objects.held_by(user, "work", "change")
        .filter(cancelled=False, starts_at__lt=end, ends_at__gte=start)
        .select_related("type", "unit")
        .order_by("starts_at")
    )


def attending_soon(officer: Officer) -> QuerySet[Activity]:
    """Today's and tomorrow's activities the officer is invited to."""
    start, end = days_ahead()
    return (
        my_activities(officer).filter(starts_at__lt=end, ends_at__gte=start).order_by("starts_at")
    )


# How far back the workbench reminds of notes and reflections not handed in: older ones
# are for the records page, not for today's list.
REMIND_DAYS = 30


def notes_missing(officer: Officer) -> QuerySet[Activity]:
    """Activities of the last month he attended, now over, without his notes (笔记 is one of
    the 五有)."""
    now = timezone.now()
    return Activity.objects.filter(
        attendances__officer=officer,
        attendances__status=PRESENT,
        ends_at__lt=now,
        ends_at__gte=now - dt.timedelta(days=REMIND_DAYS),
        cancelled=False,
    ).exclude(notes__officer=officer)


def reflections_missing(officer: Officer) -> QuerySet[Topic]:
    """大家谈 topics set for him, due from a month ago on, that he has not written on."""
    since = timezone.localdate() - dt.timedelta(days=REMIND_DAYS)
    return Topic.objects.filter(
        unit__path__in=path_ancestors(officer.unit), due_on__gte=since
    ).exclude(reflections__officer=officer)
