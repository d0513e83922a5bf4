"""Reads of rectification: completion of rounds, and the figures of the stage reports.

Figures are set-based (one grouped query each), for any unit's subtree and period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhengfa.core.scope import grant_for, subtree_q
from zhengfa.org.directory import by_branch, own_officer
from zhengfa.org.models import Officer, OfficerStatus, Unit

from .models import AskerKind, Declaration, Inquiry, LedgerItem, LedgerState, Round, Source


def serving_officer(user: Any) -> Officer | None:
    """The signed-in person's officer profile while he serves: who fills in forms and
    records inquiries."""
    officer = own_officer(user)
    return officer if officer is not None and officer.status == OfficerStatus.ACTIVE else None


def rounds_for(officer: Officer) -> QuerySet[Round]:
    """The rounds whose covered units include the officer's unit or a unit above it."""
    from zhengfa.core.scope import path_ancestors

    return Round.objects.filter(units__path__in=path_ancestors(officer.unit)).distinct()


def covered_officers(round_: Round) -> QuerySet[Officer]:
    paths = list(round_.units.values_list("path", flat=True))
    return Officer.objects.filter(subtree_q("unit", paths), status=OfficerStatus.ACTIVE)


@dataclass
class Completion:
    unit: Unit
    expected: int
    submitted: int

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def rate(self) -> float:
        return self.submitted / self.expected if self.expected else 0.0


def completion(round_: Round, user: Any, under: Unit | None = None) -> list[Completion]:
    """Per unit of the round that `user` watches (inspection "assign"), serving officers and
    how many of them submitted: counts only, never contents."""
    grant = grant_for(user, "inspection", "assign")
    if grant.empty:
        return []
    officers = covered_officers(round_).filter(subtree_q("unit", grant.paths))
    if under is not None:
        officers = officers.filter(unit__path__startswith=under.path)
    expected = dict(officers.order_by().values_list("unit").annotate(n=Count("pk")))
    submitted = dict(
        officers.filter(declarations__round=round_, declarations__submitted_at__isnull=False)
        .order_by()
        .values_list("unit")
        .annotate(n=Count("pk", distinct=True))
    )
    units = Unit.objects.in_bulk(list(expected))
    rows = [Completion(units[uid], n, submitted.get(uid, 0)) for uid, n in expected.items()]
    rows.sort(key=lambda r: r.unit.path)
    return rows


def completion_in(unit: Unit, start: dt.date, end: dt.date) -> float | None:
    """Of the forms due in the period from officers of `unit`'s subtree (each round whose
    deadline falls in it), the share submitted, in percent; None when none fell due."""
    expected = submitted = 0
    for round_ in Round.objects.filter(deadline__gte=start, deadline__lte=end):
        due, done = _forms(round_, unit)
        expected, submitted = expected + due, submitted + done
    return round(100 * submitted / expected, 1) if expected else None


def completion_rate(round_: Round, unit: Unit) -> float:
    """Share of the serving officers of `unit`'s subtree covered by the round who submitted."""
    expected, submitted = _forms(round_, unit)
    return submitted / expected if expected else 0.0


def _forms(round_: Round, unit: Unit) -> tuple[int, int]:
    """Serving officers of `unit`'s subtree the round covers, and how many submitted."""
    officers = covered_officers(round_).filter(unit__path__startswith=unit.path)
    found = officers.aggregate(
        due=Count("pk", distinct=True),
        done=Count(
            "pk",
            distinct=True,
            filter=Q(declarations__round=round_, declarations__submitted_at__isnull=False),
        ),
    )
    return found["due"], found["done"]


# --- Figures of the ledger and the register ----------------------------------------------


def _period(qs: QuerySet[Any], field: str, start: dt.date, end: dt.date) -> QuerySet[Any]:
    return qs.filter(**{f"{field}__date__gte": start, f"{field}__date__lte": end})


def ledger_in(unit: Unit, start: dt.date, end: dt.date) -> QuerySet[LedgerItem]:
    """Items of `unit`'s subtree put on the ledger in the period."""
    return _period(
        LedgerItem.objects.filter(unit__path__startswith=unit.path), "created_at", start, end
    ).select_related("unit")


def closed_items(unit: Unit, start: dt.date, end: dt.date) -> QuerySet[LedgerItem]:
    return ledger_in(unit, start, end).filter(state=LedgerState.CLOSED)


def overdue_items(unit: Unit, start: dt.date, end: dt.date) -> QuerySet[LedgerItem]:
    return ledger_in(unit, start, end).overdue(timezone.now())  # type: ignore[attr-defined]


def self_declared_items(unit: Unit, start: dt.date, end: dt.date) -> QuerySet[LedgerItem]:
    return ledger_in(unit, start, end).filter(source=Source.SELF)


def items_by(unit: Unit, start: dt.date, end: dt.date, field: str) -> dict[str, int]:
    """Items counted by "category__name", "source" or "state"."""
    rows = ledger_in(unit, start, end).order_by().values_list(field).annotate(n=Count("pk"))
    return dict(rows)


def items_count(unit: Unit, start: dt.date, end: dt.date) -> int:
    return ledger_in(unit, start, end).count()


def closed_count(unit: Unit, start: dt.date, end: dt.date) -> int:
    return closed_items(unit, start, end).count()


def closure_rate(unit: Unit, start: dt.date, end: dt.date) -> float | None:
    """The share of the period's items closed; None (no data) when there were none."""
    found = ledger_in(unit, start, end).aggregate(
        n=Count("pk"), closed=Count("pk", filter=Q(state=LedgerState.CLOSED))
    )
    return round(100 * found["closed"] / found["n"], 1) if found["n"] else None


def overdue_count(unit: Unit, start: dt.date, end: dt.date) -> int:
    return overdue_items(unit, start, end).count()


def self_declared_count(unit: Unit, start: dt.date, end: dt.date) -> int:
    return self_declared_items(unit, start, end).count()


def declarations_submitted(unit: Unit, start: dt.date, end: dt.date) -> int:
    """Officers of the subtree who submitted a self-inspection form in the period."""
    return (
        _period(
            Declaration.objects.filter(unit__path__startswith=unit.path, version=1),
            "submitted_at",
            start,
            end,
        )
        .values("officer")
        .distinct()
        .count()
    )


def inquiries_in(unit: Unit, start: dt.date, end: dt.date) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(
        unit__path__startswith=unit.path, asked_on__gte=start, asked_on__lte=end
    )


def inquiries_count(unit: Unit, start: dt.date, end: dt.date) -> int:
    return inquiries_in(unit, start, end).count()


def inquiries_by_kind(unit: Unit, start: dt.date, end: dt.date) -> dict[str, int]:
    return dict(
        inquiries_in(unit, start, end).order_by().values_list("asker_kind").annotate(n=Count("pk"))
    )


def inquiries_by_branch(qs: QuerySet[Inquiry], user: Any) -> list[tuple[str, list[int], int]]:
    """(unit, counts in the order of AskerKind, total) of the records `qs` holds, by the
    units one level below the highest unit `user` watches (a county's organs, a province's
    cities): as many rows as the tree is wide there, whatever the number of records."""
    kinds = AskerKind.values
    return [
        (name, [c[k] for k in kinds], total)
        for name, c, total in by_branch(
            qs, "unit", grant_for(user, "inquiries", "view").paths, by="asker_kind"
        )
    ]
