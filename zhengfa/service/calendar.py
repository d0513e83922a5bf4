"""Which days service windows open: China's calendar of public holidays and adjusted working
days (调休), from the ``chinesecalendar`` package, corrected or extended by the days the county
enters itself (``CalendarDay``: the State Council publishes each year's holidays late in the
year before, often before a new release of the package). For a year neither knows, weekdays
count as working days, and the staff pages say that the year's holidays are still to enter."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.utils.translation import get_language


def _package_working(day: dt.date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def known(day: dt.date) -> bool:
    """Whether the year of `day` is in the package or has days entered by the county."""
    from .models import CalendarDay

    return (
        _package_working(day) is not None or CalendarDay.objects.filter(day__year=day.year).exists()
    )


def working_days(first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    """Each day of the range: a working day or not (one query for the county's entries)."""
    from .models import CalendarDay

    entered = dict(
        CalendarDay.objects.filter(day__gte=first, day__lte=last).values_list("day", "working")
    )
    days: dict[dt.date, bool] = {}
    day = first
    while day <= last:
        if day in entered:
            days[day] = entered[day]
        else:
            package = _package_working(day)
            days[day] = day.weekday() < 5 if package is None else package
        day += dt.timedelta(days=1)
    return days


def is_working_day(day: dt.date) -> bool:
    return working_days(day, day)[day]


def holiday_name(day: dt.date) -> str:
    """The public holiday a day belongs to ("春节"), or "" (a weekend, a working day, or a
    year the calendar does not know)."""
    from .models import CalendarDay

    entered = CalendarDay.objects.filter(day=day).first()
    if entered is not None:
        return "" if entered.working else entered.name
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    if not (on_holiday and name):
        return ""
    if (get_language() or "").startswith("zh"):
        return str(chinese_calendar.Holiday(name).chinese)
    return str(name)
