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


def ensure_activity_types() -> None:
    """Re-seed the activity types from their data migration (the single list of them).

    A transactional test elsewhere in the same run may have flushed the tables, and
    Django's serialized rollback does not always bring reference data back.
    """
    from importlib import import_module

    from django.apps import apps

    import_module("zhengfa.study.migrations.0002_activity_types").seed(apps, None)
