"""Small builders for rectification tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhengfa.campaign.tests.factories import county_campaign
from zhengfa.org.testing import Personas
from zhengfa.rectify import services
from zhengfa.rectify.models import Declaration, Inquiry, LedgerItem, ProblemCategory, Round


def category(code: str = "business") -> ProblemCategory:
    return ProblemCategory.objects.get(code=code)


def county_round(p: Personas, days: int = 14) -> Round:
    return services.round_open(
        by=p.committee,
        campaign=county_campaign(p),
        unit=p.root,
        title="自查自纠",
        deadline=timezone.localdate() + dt.timedelta(days=days),
        units=[p.root],
    )


def declare(p: Personas, round_: Round, text: str = "以亲属名义入股一家商店。") -> Declaration:
    """officer_a submits his form with one problem (违规经商办企业)."""
    return services.declaration_save(
        round_=round_,
        officer=p.officer_a_profile,
        entries={category().pk: text},
        submit=True,
        by=p.officer_a,
    )


def item_at_a(p: Personas, days: int = 20, **fields: object) -> LedgerItem:
    """A problem found by the organisation at station A, leader A responsible."""
    values: dict[str, object] = {
        "by": p.committee,
        "source": "organisation",
        "category": category("other"),
        "unit": p.unit_a,
        "problem": "窗口午间无人值守。",
        "measures": "午间轮流值班。",
        "standard": "值班表上墙,回访满意。",
        "deadline": timezone.localdate() + dt.timedelta(days=days),
        "responsible": p.leader_a,
    }
    values.update(fields)
    return services.item_create(**values)  # type: ignore[arg-type]


def inquiry_by_a(p: Personas) -> Inquiry:
    return services.inquiry_record(
        officer=p.officer_a_profile,
        by=p.officer_a,
        asker_kind="relative",
        asker="表兄",
        case_number="(2021)冀0723民初1号",
        case_organ="县法院",
        asked_on=timezone.localdate(),
        manner="phone",
        content="问开庭时间",
        handling="拒绝并记录",
    )
