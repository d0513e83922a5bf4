from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from zhengfa.org.testing import Personas
from zhengfa.study import services
from zhengfa.study.models import Activity, ActivityType


def activity_for_unit_a(
    p: Personas, *, starts_in_minutes: int = 5, hours: int = 2, held: bool = False, **fields: Any
) -> Activity:
    start = timezone.now() + dt.timedelta(minutes=starts_in_minutes)
    return services.activity_save(
        by=p.leader_a,
        title="党史学习专题讲座",
        type=ActivityType.objects.get(code="lecture"),
        unit=p.unit_a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        audience_units=[(p.unit_a, True)],
        held=held,
        place="所会议室",
        **fields,
    )
