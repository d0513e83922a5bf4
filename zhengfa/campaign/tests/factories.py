"""Small builders for campaign tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhengfa.campaign.models import Campaign, Task
from zhengfa.campaign.services import campaign_create, task_assign
from zhengfa.org.testing import Personas

D = dt.date


def county_campaign(p: Personas) -> Campaign:
    today = timezone.localdate()
    return campaign_create(
        name="县教育整顿",
        unit=p.root,
        phases=[
            ("study", "学习教育", today - dt.timedelta(days=10), today + dt.timedelta(days=20)),
            ("rectify", "查纠整改", today + dt.timedelta(days=21), today + dt.timedelta(days=90)),
        ],
    )


def task_for_unit_a(p: Personas, campaign: Campaign, days: int = 10) -> Task:
    return task_assign(
        campaign=campaign,
        title="开展自查自纠",
        description="每人填写个人事项报告表",
        units=[p.unit_a],
        due_at=timezone.now() + dt.timedelta(days=days),
        by=p.committee,
    )[0]
