from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengfa.core.registry import Indicator
from zhengfa.core.scope import grant_for, subtree_q
from zhengfa.core.workflow import WorkflowQuerySet, end_of_day, start_of_day
from zhengfa.org.directory import answered_by
from zhengfa.org.models import Unit

from .models import (
    DATA_REPORT_DAYS,
    Campaign,
    DataElement,
    DataReport,
    DataReportState,
    DataValue,
    GroupMember,
    PlanItem,
    Suggestion,
    Task,
    TaskState,
    period_containing,
)


def current_campaign(today: dt.date | None = None) -> Campaign | None:
    """The campaign under way, else the latest that has begun (for the public pages)."""
    today = today or timezone.localdate()
    started = Campaign.objects.filter(starts_on__lte=today).order_by("-starts_on")
    return started.filter(ends_on__gte=today).first() or started.first()


# --- The workbench: what needs a person now ---------------------------------------------


def _falling_to(user: Any, waiting: WorkflowQuerySet, domain: str) -> WorkflowQuerySet:
    """Of `waiting` (open records `user` may change), those that fall to him: of his own units,
    or of units below with nobody of their own (``org.directory.answered_by``)."""
    paths = set(waiting.values_list("unit__path", flat=True))
    return waiting.filter(unit__path__in=answered_by(user, paths, domain, "change"))


def tasks_to_report(user: Any, qs: WorkflowQuerySet | None = None) -> WorkflowQuerySet:
    """Open tasks that fall to `user` to report: those of the units where he may report, and
    of units below with nobody of their own to do it (not those of units that report for
    themselves)."""
    base = Task.objects.get_queryset() if qs is None else qs
    waiting = Task.objects.visible_to(user, "change").filter(
        state__in=[TaskState.ASSIGNED, TaskState.RETURNED]
    )
    return base.filter(pk__in=_falling_to(user, waiting, "work").values("pk"))


def tasks_to_check(user: Any, qs: WorkflowQuerySet | None = None) -> WorkflowQuerySet:
    """Reports waiting for `user` to accept or return: tasks his own units issued."""
    base = Task.objects.get_queryset() if qs is None else qs
    paths = grant_for(user, "work", "assign").unit_paths
    return base.filter(state=TaskState.REPORTED, issued_by__path__in=paths)


def opinions_to_answer(user: Any, qs: WorkflowQuerySet | None = None) -> WorkflowQuerySet:
    """Open opinions that fall to `user` to answer: sent or passed to his units, or to units
    below that have nobody of their own to answer (the same rule that chose whom to notify,
    ``org.directory.handlers_for``)."""
    base = Suggestion.objects.get_queryset() if qs is None else qs
    waiting = Suggestion.objects.visible_to(user, "change").open()
    return base.filter(pk__in=_falling_to(user, waiting, "opinions").values("pk"))


@dataclass
class UnitLoad:
    """One unit's open and overdue work, for those who lead it."""

    unit: Unit
    tasks_open: int = 0
    tasks_overdue: int = 0
    opinions_open: int = 0
    opinions_overdue: int = 0


def units_overview(user: Any) -> list[UnitLoad]:
    """For a person who leads units: each unit where he may assign work and each unit right
    below it, with the open and overdue tasks and opinions of its whole subtree — the same
    records its list shows when filtered to that unit."""
    grant = grant_for(user, "work", "assign")
    if not grant.unit_paths:
        return []
    held = list(Unit.objects.filter(path__in=grant.unit_paths).order_by("path"))
    rows = {u.path: UnitLoad(u) for u in held}
    for child in Unit.objects.filter(parent__in=held, is_active=True).order_by("path"):
        rows.setdefault(child.path, UnitLoad(child))
    now = timezone.now()

    def count(qs: QuerySet[Any], open_attr: str, late_attr: str) -> None:
        for unit_path, due_at in qs.values_list("unit__path", "due_at"):
            for path, row in rows.items():
                if unit_path.startswith(path):
                    setattr(row, open_attr, getattr(row, open_attr) + 1)
                    if due_at is not None and due_at < now:
                        setattr(row, late_attr, getattr(row, late_attr) + 1)

    count(Task.objects.visible_to(user).open(), "tasks_open", "tasks_overdue")
    count(Suggestion.objects.visible_to(user).open(), "opinions_open", "opinions_overdue")
    return [rows[p] for p in sorted(rows)]


# --- The work plan as a matrix ------------------------------------------------------------


@dataclass
class PlanRow:
    unit: Unit
    indent: int
    cells: list[Task | None]


@dataclass
class WorkPlan:
    items: list[PlanItem]
    rows: list[PlanRow]


def work_plan(user: Any, campaign: Campaign) -> WorkPlan:
    """Units × the plan's tasks, of the tasks `user` may see (two queries). A task shared out
    carries ``parts_total`` and ``parts_done`` (cancelled parts left out)."""
    tasks = list(
        Task.objects.visible_to(user)
        .filter(campaign=campaign, item__isnull=False)
        .select_related("unit", "item", "item__lead")
        .annotate(
            parts_total=Count("parts", filter=~Q(parts__state=TaskState.CANCELLED)),
            parts_done=Count("parts", filter=Q(parts__state=TaskState.DONE)),
        )
        .order_by("unit__path", "pk")
    )
    items = sorted({t.item for t in tasks if t.item}, key=lambda i: (i.due_at, i.pk))
    column = {item.pk: n for n, item in enumerate(items)}
    rows: dict[int, PlanRow] = {}
    top = min((t.unit.depth for t in tasks), default=0)
    for task in tasks:
        row = rows.setdefault(
            task.unit_id, PlanRow(task.unit, task.unit.depth - top, [None] * len(items))
        )
        assert task.item_id is not None
        row.cells[column[task.item_id]] = task
    return WorkPlan(items=items, rows=list(rows.values()))


# --- Reported figures: aggregated up the tree, and who has reported ------------------------


def reported_values(code: str, unit: Any, start: dt.date, end: dt.date) -> QuerySet[DataValue]:
    """The approved values of figure `code` of `unit`'s subtree for the periods that overlap
    [start, end] (a period counts whole: figures are reported per month or quarter)."""
    return DataValue.objects.filter(
        element__code=code,
        report__state=DataReportState.APPROVED,
        report__period_start__lte=end,
        report__period_end__gte=start,
    ).filter(subtree_q("report__unit", [unit.path]))


def reported_total(code: str) -> Any:
    def total(unit: Any, start: dt.date, end: dt.date) -> float | None:
        value = reported_values(code, unit, start, end).aggregate(n=Sum("value"))["n"]
        if value is None:
            return None
        return int(value) if value == int(value) else float(value)

    return total


def _reported_rows(code: str) -> Callable[[Any, dt.date, dt.date], QuerySet[DataValue]]:
    def rows(unit: Any, start: dt.date, end: dt.date) -> QuerySet[DataValue]:
        return (
            reported_values(code, unit, start, end)
            .select_related("report__unit", "element")
            .order_by("report__period_start", "report__unit__path")
        )

    return rows


def reported_indicators() -> list[Indicator]:
    """Each figure the units report is an indicator like the modules' (``reported.<code>``)."""
    return [
        Indicator(
            f"reported.{e.code}",
            e.name,
            e.measure,
            reported_total(e.code),
            rows=_reported_rows(e.code),
        )
        for e in DataElement.objects.filter(is_active=True)
    ]


@dataclass
class Completeness:
    unit: Unit
    report: DataReport | None
    deadline: dt.datetime

    @property
    def state(self) -> str:
        return self.report.state_label if self.report else str(_("Not started"))

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.submitted_at is not None


@dataclass
class PeriodStatus:
    rows: list[Completeness]

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.submitted)

    @property
    def on_time(self) -> int:
        return sum(1 for r in self.rows if r.report is not None and r.report.on_time)

    @property
    def completeness(self) -> float | None:
        return self.submitted * 100 / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return self.on_time * 100 / self.expected if self.expected else None


def period_status(paths: list[str], period_type: str, start: dt.date) -> PeriodStatus:
    """Of the units in `paths` that report figures of `period_type`: each one's report for the
    period beginning `start` (none yet, filled in, submitted, approved). Completeness is the
    share submitted, timeliness the share first submitted by the deadline."""
    kinds = {
        k
        for e in DataElement.objects.filter(is_active=True, period_type=period_type)
        for k in e.unit_kinds
    }
    units = list(
        Unit.objects.filter(subtree_q("", paths), kind__in=kinds, is_active=True).order_by("path")
    )
    reports = {
        r.unit_id: r
        for r in DataReport.objects.filter(
            unit__in=units, period_type=period_type, period_start=start
        )
    }
    _first, last = period_containing(period_type, start)
    deadline = end_of_day(last + dt.timedelta(days=DATA_REPORT_DAYS))
    return PeriodStatus([Completeness(u, reports.get(u.pk), deadline) for u in units])


# --- The campaign's own indicators -----------------------------------------------------------


def tasks_issued(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Task]:
    """Tasks given to units of the subtree in the period (a part shared out counts too)."""
    return (
        Task.objects.filter(
            subtree_q("unit", [unit.path]),
            created_at__gte=start_of_day(start),
            created_at__lt=start_of_day(end + dt.timedelta(days=1)),
        )
        .exclude(state=TaskState.CANCELLED)
        .select_related("unit")
        .order_by("created_at", "pk")
    )


def tasks_done(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Task]:
    return tasks_issued(unit, start, end).filter(state=TaskState.DONE)


def group_members(unit: Any, start: dt.date, end: dt.date) -> QuerySet[GroupMember]:
    """Members of the leading groups of the campaigns the subtree leads that run in the
    period."""
    return (
        GroupMember.objects.filter(
            subtree_q("campaign__unit", [unit.path]),
            campaign__starts_on__lte=end,
            campaign__ends_on__gte=start,
        )
        .select_related("officer__user", "campaign")
        .order_by("campaign", "role", "pk")
    )


def reports_to_approve(user: Any) -> WorkflowQuerySet:
    """Figures submitted by units below those where `user` approves them."""
    below = Unit.objects.granted_to(user, "figures", "assign", strictly_below=True)
    return (
        DataReport.objects.visible_to(user)
        .filter(state=DataReportState.SUBMITTED, unit__in=below)
        .select_related("unit")
        .order_by("period_start", "unit__path")
    )


def reports_to_correct(user: Any) -> WorkflowQuerySet:
    """Figures of the person's units returned for correction."""
    return (
        DataReport.objects.visible_to(user, "change")
        .filter(state=DataReportState.RETURNED)
        .select_related("unit")
        .order_by("period_start", "unit__path")
    )
