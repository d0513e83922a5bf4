"""Which days service windows open: China's calendar of public holidays and adjusted working
days (调休), from the ``chinesecalendar`` package. For a year the package does not know yet
(its data come with each State Council notice), weekdays count as working days."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.utils.translation import get_language


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def holiday_name(day: dt.date) -> str:
    """The public holiday a day belongs to ("Spring Festival"), or "" (a weekend, a working
    day, or a year the calendar does not know)."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    if not (on_holiday and name):
        return ""
    if (get_language() or "").startswith("zh"):
        return str(chinese_calendar.Holiday(name).chinese)
    return str(name)
