"""Reads of supervision records: the inbox, reports that look like the same matter, figures.

Every figure counts through ``Report.objects.visible_to(user, "figures")`` when it is for a
person (the committee sees figures, never records), and leaves out reports about the person
asking; the named indicators count a unit's subtree for dashboards and the brief.
"""

from __future__ import annotations

import datetime as dt
from difflib import SequenceMatcher
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from zhengfa.core.scope import grant_for, path_of, roles_of
from zhengfa.core.workflow import end_of_day
from zhengfa.org.access import Role, paths_held_as
from zhengfa.org.directory import by_branch

from .models import FOUND, Question, QuestionState, Report, ReportState

# How far back, how many and how alike reports must be to be shown as one matter.
SAME_MATTER_DAYS = 90
SAME_MATTER_CANDIDATES = 30
# Stories are compared by their beginning: long enough to tell, short enough to be quick.
SAME_MATTER_CHARS = 400
SAME_MATTER_RATIO = 0.45
FEEDBACK_DAYS = 30


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def in_period(qs: QuerySet[Report], start: dt.date, end: dt.date) -> QuerySet[Report]:
    return qs.filter(created_at__gte=_start(start), created_at__lte=end_of_day(end))


def for_unit(unit: Any) -> QuerySet[Report]:
    """Reports held in a unit's subtree (for the named indicators)."""
    return Report.objects.filter(unit__path__startswith=path_of(unit))


def to_verify(user: Any) -> QuerySet[Report]:
    """Reports the person's unit is verifying now (never one about him)."""
    paths = [
        p for role in (Role.LEADER, Role.CLERK, Role.SUPERVISION) for p in paths_held_as(user, role)
    ]
    return (
        Report.objects.visible_to(user)
        .filter(state=ReportState.VERIFYING, verifier_unit__path__in=paths)
        .order_by("due_at", "pk")
    )


def inbox(user: Any) -> QuerySet[Report]:
    return Report.objects.visible_to(user, "change")


def same_matter(report: Report, user: Any) -> list[Report]:
    """Open reports held in the same place within SAME_MATTER_DAYS of this one, about the same
    officer or unit, whose story reads alike: shown together so that staff can merge them."""
    if (
        report.about_officer_id is None
        and report.about_unit_id is None
        and not report.officer_named
    ):
        return []
    around = (
        report.created_at - dt.timedelta(days=SAME_MATTER_DAYS),
        report.created_at + dt.timedelta(days=SAME_MATTER_DAYS),
    )
    who = Q(pk__in=[])
    if report.about_officer_id:
        who |= Q(about_officer_id=report.about_officer_id)
    if report.officer_named:
        who |= Q(officer_named=report.officer_named)
    if report.about_unit_id:
        who |= Q(about_unit_id=report.about_unit_id)
    candidates = (
        Report.objects.visible_to(user, "change")
        .filter(who, unit_id=report.unit_id, created_at__range=around)
        .exclude(pk=report.pk)
        .exclude(state__in=[ReportState.DECLINED])
        .order_by("-created_at")[:SAME_MATTER_CANDIDATES]
    )
    alike = []
    for other in candidates:
        same_person = bool(
            (report.about_officer_id and other.about_officer_id == report.about_officer_id)
            or (report.officer_named and other.officer_named == report.officer_named)
        )
        if same_person:
            alike.append(other)
            continue
        matcher = SequenceMatcher(
            None, report.story[:SAME_MATTER_CHARS], other.story[:SAME_MATTER_CHARS]
        )
        if matcher.quick_ratio() >= SAME_MATTER_RATIO and matcher.ratio() >= SAME_MATTER_RATIO:
            alike.append(other)
    return alike


def merge_targets(report: Report, alike: list[Report]) -> list[Report]:
    """Of the alike reports, those this one can be handled with."""
    if report.state not in {ReportState.SUBMITTED, ReportState.ACCEPTED}:
        return []
    return [
        r for r in alike if r.is_open and r.state != ReportState.MERGED and r.merged_into_id is None
    ]


# --- figures -------------------------------------------------------------------------------------


def figures_scope(user: Any) -> QuerySet[Report]:
    """The reports a person's figures count: never those about a unit where he holds a role
    (a committee member does not count the reports about his committee)."""
    from zhengfa.org.access import held_paths

    own = held_paths(user)
    return (
        Report.objects.visible_to(user, "figures")
        .exclude(about_unit__path__in=own)
        .exclude(about_officer__unit__path__in=own)
    )


def figures_paths(user: Any) -> list[str]:
    return grant_for(user, "supervision", "figures").paths


def counts_by(qs: QuerySet[Report], field: str) -> list[dict[str, Any]]:
    """Counts by the values of a field with choices, each with its label."""
    labels = dict(getattr(Report._meta.get_field(field), "choices", None) or [])
    rows = qs.order_by().values(field).annotate(n=Count("pk")).order_by("-n", field)
    return [{**row, "label": labels.get(row[field], row[field])} for row in rows]


def by_about_unit(qs: QuerySet[Report], paths: list[str]) -> list[dict[str, Any]]:
    """Reports by the unit concerned, grouped one level below the highest unit watched (a
    county's organs, a province's cities: as many rows as the tree is wide there), and those
    whose unit the reporter did not know."""
    rows = [
        {"name": name, "n": total}
        for name, _counts, total in by_branch(qs.exclude(about_unit=None), "about_unit", paths)
    ]
    unknown = qs.filter(about_unit=None).count()
    return rows + ([{"name": "", "n": unknown}] if unknown else [])


def days_to_acceptance(qs: QuerySet[Report]) -> float | None:
    """The average days from receipt to acceptance, of the reports accepted."""
    waited = ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField())
    found = qs.filter(accepted_at__isnull=False).aggregate(avg=Avg(waited))["avg"]
    return round(found.total_seconds() / 86400, 1) if found is not None else None


def feedback_within(qs: QuerySet[Report], days: int = FEEDBACK_DAYS) -> tuple[int, int]:
    """Of the real-name reports whose days have run (or that were given feedback), how many
    were given feedback within `days` of receipt: (within, due)."""
    now = timezone.now()
    real = qs.filter(real_name=True).exclude(state=ReportState.DECLINED)
    due = real.filter(
        Q(created_at__lte=now - dt.timedelta(days=days)) | Q(feedback_at__isnull=False)
    )
    limit = ExpressionWrapper(F("feedback_at") - F("created_at"), output_field=DurationField())
    within = due.annotate(took=limit).filter(
        feedback_at__isnull=False, took__lte=dt.timedelta(days=days)
    )
    return within.count(), due.count()


def uncontacted(qs: Any) -> Any:
    """Open real-name reports past the days promised on the form without feedback."""
    return qs.open().filter(
        real_name=True,
        feedback_at__isnull=True,
        created_at__lt=timezone.now() - dt.timedelta(days=FEEDBACK_DAYS),
    )


def feedback_overdue(qs: QuerySet[Report]) -> QuerySet[Report]:
    """Real-name reports concluded whose feedback is past its deadline."""
    return qs.filter(real_name=True, state=ReportState.CONCLUDED, due_at__lt=timezone.now())


def figures(qs: QuerySet[Report], paths: list[str]) -> dict[str, Any]:
    within, due = feedback_within(qs)
    return {
        "total": qs.count(),
        "by_kind": counts_by(qs, "kind"),
        "by_category": counts_by(qs, "category"),
        "by_state": counts_by(qs, "state"),
        "by_unit": by_about_unit(qs, paths),
        "by_conclusion": counts_by(qs.exclude(conclusion=""), "conclusion"),
        "by_rating": counts_by(qs.exclude(satisfaction=""), "satisfaction"),
        "days_to_acceptance": days_to_acceptance(qs),
        "feedback_within": within,
        "feedback_due": due,
        "feedback_share": round(100 * within / due) if due else None,
        "feedback_overdue": feedback_overdue(qs).count(),
    }


def may_see_figures(user: Any) -> bool:
    return bool({Role.COMMITTEE, Role.SUPERVISION} & roles_of(user))


# --- named indicators (unit subtree, dates inclusive) --------------------------------------------


def received(unit: Any, start: dt.date, end: dt.date) -> int:
    return in_period(for_unit(unit), start, end).count()


def found_true(unit: Any, start: dt.date, end: dt.date) -> int:
    qs = for_unit(unit).filter(
        conclusion__in=list(FOUND),
        concluded_at__gte=_start(start),
        concluded_at__lte=end_of_day(end),
    )
    return qs.count()


def closed(unit: Any, start: dt.date, end: dt.date) -> int:
    return (
        for_unit(unit)
        .filter(state=ReportState.CLOSED, state_changed_at__gte=_start(start))
        .filter(state_changed_at__lte=end_of_day(end))
        .count()
    )


def feedback_share(unit: Any, start: dt.date, end: dt.date) -> float:
    within, due = feedback_within(in_period(for_unit(unit), start, end))
    return round(100 * within / due, 1) if due else 0.0


def satisfied_share(unit: Any, start: dt.date, end: dt.date) -> float:
    rated = in_period(for_unit(unit), start, end).exclude(satisfaction="")
    total = rated.count()
    happy = rated.filter(satisfaction__in=["satisfied", "mostly"]).count()
    return round(100 * happy / total, 1) if total else 0.0


def questions_answered(unit: Any, start: dt.date, end: dt.date) -> int:
    return Question.objects.filter(
        conference__unit__path__startswith=path_of(unit),
        state=QuestionState.ANSWERED,
        conference__held_on__range=(start, end),
    ).count()
