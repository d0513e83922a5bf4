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

from zhengfa.core.models import Satisfaction
from zhengfa.core.scope import grant_for, path_of, roles_of
from zhengfa.core.workflow import end_of_day, start_of_day
from zhengfa.org.access import Role, paths_held_as
from zhengfa.org.directory import by_branch

from .models import (
    FOUND,
    Category,
    Conclusion,
    Conference,
    Question,
    QuestionState,
    Report,
    ReportKind,
    ReportState,
)

# How far back, how many and how alike reports must be to be shown as one matter.
SAME_MATTER_DAYS = 90
SAME_MATTER_CANDIDATES = 30
# Stories are compared by their beginning: long enough to tell, short enough to be quick.
SAME_MATTER_CHARS = 400
SAME_MATTER_RATIO = 0.45
FEEDBACK_DAYS = 30


def in_period(qs: QuerySet[Report], start: dt.date, end: dt.date) -> QuerySet[Report]:
    return qs.filter(created_at__gte=start_of_day(start), created_at__lte=end_of_day(end))


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


def feedback_within(qs: QuerySet[Report], days: int = FEEDBACK_DAYS) -> tuple[int, int]:
    """Of the real-name reports whose days have run (or that were given feedback), how many
    were given feedback within `days` of receipt: (within, due)."""
    due, within = _feedback_q(days)
    found = qs.order_by().aggregate(due=Count("pk", filter=due), within=Count("pk", filter=within))
    return found["within"], found["due"]


def uncontacted(qs: Any) -> Any:
    """Open real-name reports past the days promised on the form without feedback."""
    return qs.open().filter(
        real_name=True,
        feedback_at__isnull=True,
        created_at__lt=timezone.now() - dt.timedelta(days=FEEDBACK_DAYS),
    )


def _feedback_q(days: int = FEEDBACK_DAYS) -> tuple[Q, Q]:
    """(due, within): real-name reports whose days have run or that were given feedback, and
    of those the ones given feedback within `days` of receipt."""
    now = timezone.now()
    real = Q(real_name=True) & ~Q(state=ReportState.DECLINED)
    due = real & (Q(created_at__lte=now - dt.timedelta(days=days)) | Q(feedback_at__isnull=False))
    within = due & Q(
        feedback_at__isnull=False, feedback_at__lte=F("created_at") + dt.timedelta(days=days)
    )
    return due, within


def figures(qs: QuerySet[Report], paths: list[str]) -> dict[str, Any]:
    """Every figure of the page in one pass over the reports (a count per value of each
    field, with its label), and the units concerned by branch."""
    fields = {
        "kind": ReportKind.choices,
        "category": Category.choices,
        "state": ReportState.choices,
        "conclusion": Conclusion.choices,
        "satisfaction": Satisfaction.choices,
    }
    due, within = _feedback_q()
    waited = ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField())
    counts: dict[str, Any] = {
        f"{field}:{value}": Count("pk", filter=Q(**{field: value}))
        for field, choices in fields.items()
        for value, _label in choices
    }
    found = qs.order_by().aggregate(
        total=Count("pk"),
        unknown=Count("pk", filter=Q(about_unit=None)),
        due=Count("pk", filter=due),
        within=Count("pk", filter=within),
        overdue=Count(
            "pk",
            filter=Q(real_name=True, state=ReportState.CONCLUDED, due_at__lt=timezone.now()),
        ),
        waited=Avg(waited, filter=Q(accepted_at__isnull=False)),
        **counts,
    )

    def rows(field: str) -> list[dict[str, Any]]:
        out = [
            {field: value, "label": label, "n": found[f"{field}:{value}"]}
            for value, label in fields[field]
            if found[f"{field}:{value}"]
        ]
        return sorted(out, key=lambda r: -r["n"])

    units = [
        {"name": name, "n": total}
        for name, _counts, total in by_branch(qs.exclude(about_unit=None), "about_unit", paths)
    ]
    if found["unknown"]:
        units.append({"name": "", "n": found["unknown"]})
    waited_for = found["waited"]
    return {
        "total": found["total"],
        "by_kind": rows("kind"),
        "by_category": rows("category"),
        "by_state": rows("state"),
        "by_unit": units,
        "by_conclusion": rows("conclusion"),
        "by_rating": rows("satisfaction"),
        "days_to_acceptance": round(waited_for.total_seconds() / 86400, 1)
        if waited_for is not None
        else None,
        "feedback_within": found["within"],
        "feedback_due": found["due"],
        "feedback_share": round(100 * found["within"] / found["due"]) if found["due"] else None,
        "feedback_overdue": found["overdue"],
    }


def may_see_figures(user: Any) -> bool:
    return bool({Role.COMMITTEE, Role.SUPERVISION} & roles_of(user))


# --- named indicators (unit subtree, dates inclusive) --------------------------------------------


def received_reports(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Report]:
    return in_period(for_unit(unit), start, end).select_related("unit").order_by("created_at")


def received(unit: Any, start: dt.date, end: dt.date) -> int:
    return received_reports(unit, start, end).count()


def found_true_reports(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Report]:
    return (
        for_unit(unit)
        .filter(
            conclusion__in=list(FOUND),
            concluded_at__gte=start_of_day(start),
            concluded_at__lte=end_of_day(end),
        )
        .select_related("unit")
        .order_by("concluded_at")
    )


def found_true(unit: Any, start: dt.date, end: dt.date) -> int:
    return found_true_reports(unit, start, end).count()


def closed_reports(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Report]:
    return (
        for_unit(unit)
        .filter(state=ReportState.CLOSED, state_changed_at__gte=start_of_day(start))
        .filter(state_changed_at__lte=end_of_day(end))
        .select_related("unit")
        .order_by("state_changed_at")
    )


def closed(unit: Any, start: dt.date, end: dt.date) -> int:
    return closed_reports(unit, start, end).count()


def feedback_share(unit: Any, start: dt.date, end: dt.date) -> float | None:
    within, due = feedback_within(in_period(for_unit(unit), start, end))
    return round(100 * within / due, 1) if due else None


def satisfied_share(unit: Any, start: dt.date, end: dt.date) -> float | None:
    rated = in_period(for_unit(unit), start, end).exclude(satisfaction="")
    total = rated.count()
    happy = rated.filter(satisfaction__in=["satisfied", "mostly"]).count()
    return round(100 * happy / total, 1) if total else None


def conferences_held(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Conference]:
    """Press conferences the subtree held in the period (the brief names their dates)."""
    return Conference.objects.filter(
        unit__path__startswith=path_of(unit), held_on__range=(start, end)
    ).order_by("held_on", "pk")


def conferences(unit: Any, start: dt.date, end: dt.date) -> int:
    return conferences_held(unit, start, end).count()


def answered_questions(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Question]:
    return (
        Question.objects.filter(
            conference__unit__path__startswith=path_of(unit),
            state=QuestionState.ANSWERED,
            conference__held_on__range=(start, end),
        )
        .select_related("conference")
        .order_by("conference__held_on", "pk")
    )


def questions_answered(unit: Any, start: dt.date, end: dt.date) -> int:
    return answered_questions(unit, start, end).count()
