"""Figures for dashboards and the brief: every indicator the modules register, and those
that come from figures the units report, looked up by name and computed for a unit's
subtree and a date range. A figure with nothing behind it says so; it is never a zero."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from zhengfa.core.registry import Indicator, registry


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    measure: str
    value: int | float | None
    url: str  # the drill-down list of the records counted, "" if the figure has none

    @property
    def has_data(self) -> bool:
        return self.value is not None and self.value != 0

    @property
    def number(self) -> str:
        """The value as a report writes it: whole numbers without decimals."""
        if self.value is None:
            return ""
        if float(self.value).is_integer():
            return f"{int(self.value)}"
        return f"{self.value:.1f}"

    def about(self) -> str:
        """A large count as the article writes it: 5347 → "5300余" (floor to the hundred)."""
        if self.value is None or self.value < 1000 or not float(self.value).is_integer():
            return self.number
        hundreds = int(self.value) // 100 * 100
        return f"{hundreds}" if hundreds == self.value else _("%(n)d-odd") % {"n": hundreds}

    def text(self, about: bool = False) -> str:
        """ "24场次", or that nothing was recorded in the range."""
        if not self.has_data:
            return _("(no data for the period)")
        return f"{self.about() if about else self.number}{self.measure}"


def indicators() -> dict[str, Indicator]:
    return registry.all_indicators()


def drill_url(name: str, unit: Any, start: dt.date, end: dt.date) -> str:
    query = urlencode({"unit": unit.pk, "start": start.isoformat(), "end": end.isoformat()})
    return f"{reverse('reports:drill', args=[name])}?{query}"


def figure(
    name: str,
    unit: Any,
    start: dt.date,
    end: dt.date,
    found: dict[str, Indicator] | None = None,
) -> Figure | None:
    """The figure `name` for `unit`'s subtree from `start` to `end` (inclusive); None if no
    module of this site registers it."""
    indicator = (found if found is not None else indicators()).get(name)
    if indicator is None:
        return None
    value = indicator.compute(unit, start, end)
    return Figure(
        name=name,
        label=str(indicator.label),
        measure=str(indicator.unit_label),
        value=value,
        url=drill_url(name, unit, start, end) if indicator.rows is not None else "",
    )


def months(start: dt.date, end: dt.date, limit: int = 24) -> list[tuple[dt.date, dt.date]]:
    """The calendar months from `start` to `end`, each cut to the range (at most `limit`, the
    latest kept)."""
    out = []
    first = start.replace(day=1)
    while first <= end:
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        out.append((max(first, start), min(nxt - dt.timedelta(days=1), end)))
        first = nxt
    return out[-limit:]
