from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from zhengfa.org import services as org
from zhengfa.org.access import Role
from zhengfa.org.models import User
from zhengfa.supervision import services
from zhengfa.supervision.models import Category, Conference, Method, Report, ReportKind

STORY = "甲镇派出所窗口民警办户口时暗示要送烟酒才给快办。"


def report_about_a(p: Any, *, real: bool = False, story: str = STORY, **extra: Any) -> Report:
    """A report about station A (its officer named by staff later)."""
    report, _code = services.report_submit(
        kind=ReportKind.MISCONDUCT,
        category=Category.BRIBES,
        story=story,
        about_unit=p.unit_a,
        officer_named="甲民警",
        real_name=real,
        name="王大爷" if real else "",
        phone="13900001111" if real else "",
        **extra,
    )
    return report


def bureau_leader(p: Any) -> User:
    """A leader of the bureau above the stations: the unit that verifies a station's report."""
    found = User.objects.filter(username="leader_bureau").first()
    if found is not None:
        return found
    officer = org.officer_create(
        unit=p.bureau, name="局领导", staff_number="G001", username="leader_bureau"
    )
    org.role_assign(user=officer.user, role=Role.LEADER, unit=p.bureau)
    return officer.user


def verifying(p: Any, report: Report) -> Report:
    """Accepted and sent to the bureau (its leader takes it) for verification, naming officer
    A."""
    bureau_leader(p)
    if report.state == "submitted":
        services.report_transition(record=report, name="accept", by=p.supervision)
    return services.report_assign(
        report=report,
        by=p.supervision,
        unit=p.bureau,
        method=Method.VERIFY,
        deadline=timezone.localdate() + dt.timedelta(days=30),
        officer=p.officer_a_profile,
    )


def conference(p: Any, **extra: Any) -> Conference:
    fields = {
        "topic": "教育整顿新闻发布会",
        "held_on": timezone.localdate() + dt.timedelta(days=7),
        "place": "县委政法委会议室",
        "speakers": "政法委副书记",
        "questions_open": True,
        "published": True,
        **extra,
    }
    return services.conference_save(by=p.committee, unit=p.root, **fields)
