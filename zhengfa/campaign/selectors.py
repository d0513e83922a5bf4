from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zhengfa.core.scope import grant_for
from zhengfa.core.workflow import WorkflowQuerySet
from zhengfa.org.directory import answered_by
from zhengfa.org.models import Unit

from .models import Campaign, Suggestion, Task, TaskState


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
