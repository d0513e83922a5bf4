from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from zhengfa.org.models import Area, AreaLevel
from zhengfa.service import services
from zhengfa.service.calendar import is_working_day
from zhengfa.service.models import (
    HomeVisit,
    Measure,
    Offer,
    Opening,
    ServiceKind,
    VolunteerActivity,
)


def villages(p: Any) -> tuple[Area, Area]:
    """The persona county's township 甲镇 with two villages, served by 甲镇派出所 (unit_a)."""
    county = Area.objects.get_or_create(code="T00", defaults={"name": "测试县", "level": "county"})[
        0
    ]
    town = Area.objects.get_or_create(
        code="T01", defaults={"name": "甲镇", "level": AreaLevel.TOWNSHIP, "parent": county}
    )[0]
    one = Area.objects.get_or_create(
        code="T01-V001", defaults={"name": "东村", "level": AreaLevel.VILLAGE, "parent": town}
    )[0]
    two = Area.objects.get_or_create(
        code="T01-V002", defaults={"name": "西村", "level": AreaLevel.VILLAGE, "parent": town}
    )[0]
    p.unit_a.areas.add(town, one, two)
    return one, two


def next_working_day(after: int = 2) -> dt.date:
    """A working day at least `after` days from today."""
    day = timezone.localdate() + dt.timedelta(days=after)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def offer(p: Any, *, capacity: int = 3, **extra: Any) -> Offer:
    """甲镇派出所's ID card service, open 9:00–11:00 on working days in 30-minute slots."""
    made = Offer.objects.create(
        unit=p.unit_a,
        kind=ServiceKind.HOUSEHOLD,
        name="身份证办理",
        place="甲镇派出所户籍窗口",
        description="带户口本",
        **extra,
    )
    Opening.objects.create(
        offer=made, opens=dt.time(9), closes=dt.time(11), slot_minutes=30, capacity=capacity
    )
    return made


def visit(p: Any, village: Area) -> HomeVisit:
    found, _code = services.visit_request(
        village=village,
        person="张大爷",
        address="东村3组12号",
        phone="13900001111",
        need="身份证到期,需要换领",
        reason="elderly",
    )
    return found


def activity(p: Any, **extra: Any) -> VolunteerActivity:
    made = VolunteerActivity(
        title="法律进乡村",
        unit=p.unit_a,
        held_on=timezone.localdate() - dt.timedelta(days=3),
        place="东村文化广场",
        hours=Decimal("3"),
        served=80,
        **extra,
    )
    return services.activity_save(activity=made, officers=[p.officer_a_profile], by=p.leader_a)


def measure(p: Any, **extra: Any) -> Measure:
    values = {
        "unit": p.unit_a,
        "number": 1,
        "title": "户籍业务周末预约办理",
        "description": "周末开放预约窗口。",
        "launched_on": timezone.localdate() - dt.timedelta(days=30),
        **extra,
    }
    return services.measure_save(measure=Measure(**values), by=p.committee)
