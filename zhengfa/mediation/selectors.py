"""Reads of mediation records: figures for the page, the dashboards and the brief.

A page's figures count the cases a person may see (``Case.objects.visible_to``); the named
indicators count the cases of a unit's subtree (by the organisation holding them now)."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhengfa.core.scope import path_of
from zhengfa.core.workflow import end_of_day, start_of_day
from zhengfa.org.models import Unit, UnitKind

from .models import (
    Case,
    CaseState,
    Channel,
    Confirmation,
    ConfirmationState,
    Referral,
    Source,
)

OUTCOMES = [CaseState.SETTLED, CaseState.FAILED]


def courts_of(user: Any, action: str = "view") -> QuerySet[Unit]:
    """The courts where the person holds `action` in mediation (confirmations, roster)."""
    return Unit.objects.granted_to(user, "mediation", action).filter(kind=UnitKind.COURT)


def at_a_court(user: Any) -> bool:
    return courts_of(user).exists()


def in_period(qs: QuerySet[Case], start: dt.date, end: dt.date) -> QuerySet[Case]:
    """Cases that came in between the two dates (inclusive)."""
    return qs.filter(created_at__gte=start_of_day(start), created_at__lte=end_of_day(end))


def for_unit(unit: Any) -> QuerySet[Case]:
    return Case.objects.filter(organisation__path__startswith=path_of(unit))


def _days(cases: QuerySet[Case]) -> list[float]:
    return [
        (closed - created).total_seconds() / 86400
        for created, closed in cases.filter(state__in=OUTCOMES, closed_at__isnull=False)
        .order_by()
        .values_list("created_at", "closed_at")
        .iterator()
        if closed is not None
    ]


def figures(cases: QuerySet[Case]) -> dict[str, Any]:
    """Every figure of the page: counts by channel, kind, source and state in one pass, the
    success rate, the median days to an outcome, overdue cases, the referrals between
    channels (from → to) and the judicial confirmations."""
    fields = {
        "channel": Channel.choices,
        "source": Source.choices,
        "state": CaseState.choices,
    }
    counts = {
        f"{field}:{value}": Count("pk", filter=Q(**{field: value}))
        for field, choices in fields.items()
        for value, _label in choices
    }
    found = cases.order_by().aggregate(
        total=Count("pk"),
        overdue=Count(
            "pk",
            filter=Q(
                state__in=[
                    CaseState.APPLIED,
                    CaseState.ACCEPTED,
                    CaseState.MEDIATING,
                    CaseState.REFERRED,
                ],
                due_at__lt=timezone.now(),
            ),
        ),
        **counts,
    )

    def rows(field: str) -> list[dict[str, Any]]:
        return [
            {"value": value, "label": label, "n": found[f"{field}:{value}"]}
            for value, label in fields[field]
            if found[f"{field}:{value}"]
        ]

    settled, failed = found[f"state:{CaseState.SETTLED}"], found[f"state:{CaseState.FAILED}"]
    days = _days(cases)
    labels = dict(Channel.choices)
    flow = [
        {
            "from": labels.get(row["from_channel"], row["from_channel"]),
            "to": labels.get(row["to_channel"], row["to_channel"]),
            "n": row["n"],
        }
        for row in Referral.objects.filter(case__in=cases)
        .order_by()
        .values("from_channel", "to_channel")
        .annotate(n=Count("pk"))
        .order_by("-n", "from_channel", "to_channel")
    ]
    confirmations = Confirmation.objects.filter(case__in=cases).order_by()
    by_confirmation = dict(
        confirmations.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    applied = sum(by_confirmation.values())
    confirmed = by_confirmation.get(ConfirmationState.CONFIRMED, 0)
    decided = confirmed + by_confirmation.get(ConfirmationState.REJECTED, 0)
    return {
        "total": found["total"],
        "by_channel": rows("channel"),
        "by_source": rows("source"),
        "by_state": rows("state"),
        "by_type": list(
            cases.order_by()
            .values("dispute_type__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "dispute_type__name")
        ),
        "settled": settled,
        "failed": failed,
        "success_rate": round(100 * settled / (settled + failed)) if settled + failed else None,
        "median_days": round(statistics.median(days), 1) if days else None,
        "overdue": found["overdue"],
        "flow": flow,
        "confirmations": [
            {"label": label, "n": by_confirmation[value]}
            for value, label in ConfirmationState.choices
            if by_confirmation.get(value)
        ],
        "confirmations_applied": applied,
        "confirmed_rate": round(100 * confirmed / decided) if decided else None,
        "confirmation_share": round(100 * applied / settled) if settled else None,
    }


# --- named indicators (unit subtree, dates inclusive) ----------------------------------------


def received_cases(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Case]:
    return (
        in_period(for_unit(unit), start, end).select_related("organisation").order_by("created_at")
    )


def received(unit: Any, start: dt.date, end: dt.date) -> int:
    return received_cases(unit, start, end).count()


def closed_in(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Case]:
    return (
        for_unit(unit)
        .filter(
            state__in=OUTCOMES,
            closed_at__gte=start_of_day(start),
            closed_at__lte=end_of_day(end),
        )
        .select_related("organisation")
        .order_by("closed_at")
    )


def cases_closed(unit: Any, start: dt.date, end: dt.date) -> int:
    """Cases mediated to an outcome (an agreement or an end without one) in the period."""
    return closed_in(unit, start, end).count()


def settled_cases(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Case]:
    return closed_in(unit, start, end).filter(state=CaseState.SETTLED)


def settled(unit: Any, start: dt.date, end: dt.date) -> int:
    return settled_cases(unit, start, end).count()


def success_rate(unit: Any, start: dt.date, end: dt.date) -> float | None:
    """The share of cases mediated to an outcome that were settled; None if none was."""
    found = closed_in(unit, start, end).aggregate(
        n=Count("pk"), ok=Count("pk", filter=Q(state=CaseState.SETTLED))
    )
    return round(100 * found["ok"] / found["n"], 1) if found["n"] else None


def referrals_sent(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Referral]:
    """Cases passed from one organisation to another (对接), sent from the unit's subtree."""
    return (
        Referral.objects.filter(
            from_organisation__path__startswith=path_of(unit),
            created_at__gte=start_of_day(start),
            created_at__lte=end_of_day(end),
        )
        .select_related("case", "from_organisation", "to_organisation")
        .order_by("created_at")
    )


def referrals(unit: Any, start: dt.date, end: dt.date) -> int:
    return referrals_sent(unit, start, end).count()


def confirmations(unit: Any, start: dt.date, end: dt.date) -> QuerySet[Confirmation]:
    return (
        Confirmation.objects.filter(
            case__organisation__path__startswith=path_of(unit),
            state=ConfirmationState.CONFIRMED,
            ruled_on__range=(start, end),
        )
        .select_related("case")
        .order_by("ruled_on")
    )


def confirmed(unit: Any, start: dt.date, end: dt.date) -> int:
    return confirmations(unit, start, end).count()


def flow(unit: Any, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Referrals sent from the unit's subtree in the period, counted from channel to channel
    (人民调解 → 司法调解 …): the dashboards' flow between the four channels."""
    labels = dict(Channel.choices)
    return [
        {
            "from": str(labels.get(row["from_channel"], row["from_channel"])),
            "to": str(labels.get(row["to_channel"], row["to_channel"])),
            "n": row["n"],
        }
        for row in referrals_sent(unit, start, end)
        .order_by()
        .values("from_channel", "to_channel")
        .annotate(n=Count("pk"))
        .order_by("-n", "from_channel", "to_channel")
    ]
