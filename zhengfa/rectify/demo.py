"""Rectification in the demo county and in each synthetic county of a province: the 2021
self-inspection round with its completion curve, the declarations (a few with problems, on
the ledger as self-declared), a ledger of a few dozen items across categories, sources and
states (most closed, some under way, some overdue, dated from the day the demo is built so
the demo accounts find work), and a handful of inquiry records."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhengfa.campaign.demo import NAME as CAMPAIGN_NAME
from zhengfa.campaign.models import Campaign
from zhengfa.core import workflow
from zhengfa.core.models import TimelineEvent
from zhengfa.core.workflow import end_of_day
from zhengfa.org.access import Role
from zhengfa.org.models import Officer, OfficerStatus, Unit, User

from . import services
from .models import (
    AskerKind,
    Declaration,
    DeclarationItem,
    Inquiry,
    LedgerItem,
    Manner,
    ProblemCategory,
    Round,
    Source,
)

TZ = dt.timezone(dt.timedelta(hours=8))
ORGANS = ["FY", "JCY", "GAJ", "SFJ"]
OPENED = dt.date(2021, 4, 1)
DEADLINE = dt.date(2021, 4, 30)
SUBMITTED_SHARE = 0.96
DECLARING_SHARE = 0.04

DECLARED = {
    "three_rules": ["2020年一名亲属托我打听其朋友案件进展,我告知了开庭时间,未按规定记录报告。"],
    "business": ["本人2019年起以亲属名义入股一家农资经营部,未如实报告。"],
    "shares_loans": ["2018年向辖区一名个体户借款5万元,至今未还清。"],
    "family_business": ["配偶在县城经营一家饭店,与本单位有过少量公务接待往来。"],
    "other": ["工作日午间饮酒一次,影响下午窗口工作。", "值班期间迟到早退多次。"],
}
FOUND = [
    # (source, category, problem, measures, standard)
    (
        Source.ORGANISATION,
        "cases_not_pursued",
        "2019年一起盗窃案受案后未及时立案侦查,超期3个月。",
        "立即立案侦查;对责任人诫勉谈话;完善受立案监督机制。",
        "案件依法立案并办结;出台受立案管理制度。",
    ),
    (
        Source.CASE_REVIEW,
        "cases_not_pursued",
        "案件评查发现2件行政案件卷宗证据材料缺失。",
        "补齐证据材料,开展卷宗质量专项培训。",
        "卷宗复查合格,培训有签到和测试记录。",
    ),
    (
        Source.INSPECTION,
        "other",
        "督导检查发现窗口单位考勤制度执行不严。",
        "修订考勤制度,每周通报考勤情况。",
        "连续一个月考勤通报无异常。",
    ),
    (
        Source.REPORT,
        "other",
        "群众反映派出所户籍窗口午间无人值守。",
        "实行午间轮流值班,公示值班电话。",
        "回访群众满意,值班表上墙公示。",
    ),
    (
        Source.ORGANISATION,
        "commutation",
        "复查发现1件暂予监外执行案件病情鉴定程序不规范。",
        "重新组织鉴定,规范保外就医审批流程。",
        "重新鉴定结论合法;流程图上墙。",
    ),
    (
        Source.INSPECTION,
        "three_rules",
        "个别干警对“三个规定”记录报告要求不清楚,填报率低。",
        "组织专题学习,每月通报填报情况。",
        "全员参加学习并测试合格。",
    ),
]
INQUIRIES = [
    (AskerKind.RELATIVE, "当事人表兄", "(2021)冀0723民初312号", "康保县人民法院", Manner.PHONE),
    (
        AskerKind.LEADER,
        "某乡镇副镇长",
        "康公(刑)立字〔2021〕45号",
        "康保县公安局",
        Manner.IN_PERSON,
    ),
    (
        AskerKind.LAWYER,
        "某律师事务所律师",
        "(2021)冀0723刑初27号",
        "康保县人民法院",
        Manner.MESSAGE,
    ),
    (AskerKind.INSIDER, "县检察院干警", "康检刑诉〔2021〕19号", "康保县人民检察院", Manner.PHONE),
    (AskerKind.OTHER, "村委会主任", "(2021)冀0723民初488号", "康保县人民法院", Manner.WRITTEN),
]


@dataclass
class Place:
    """A county as the builder sees it: the campaign, units by Kangbao's codes, officers."""

    name: str
    campaign: Campaign
    units: dict[str, Unit]
    officers: list[Officer]
    rng: random.Random

    def lead(self, code: str) -> User:
        found = (
            User.objects.filter(
                role_assignments__unit=self.units[code],
                role_assignments__role__in=[Role.COMMITTEE, Role.LEADER],
            )
            .order_by("pk")
            .first()
        )
        return found or self.lead("ZFW")

    def organ_of(self, unit: Unit) -> str:
        for code in ORGANS:
            if unit.path.startswith(self.units[code].path):
                return code
        return "ZFW"


def build(password: str) -> dict[str, int]:
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None or Round.objects.filter(campaign=campaign).exists():
        return {"declarations": 0, "ledger items": 0, "inquiries": 0}
    root = campaign.unit
    units = {u.code: u for u in Unit.objects.filter(path__startswith=root.path)}
    officers = list(
        Officer.objects.filter(unit__path__startswith=root.path, status=OfficerStatus.ACTIVE)
        .select_related("unit", "user")
        .order_by("pk")
    )
    place = Place("康保县", campaign, units, officers, random.Random("rectify kangbao"))
    made = _build(place)
    # Today's round for the demo accounts: the police bureau's "look back" (回头看) form,
    # due in two weeks, not yet filled in by the station officers.
    services.round_open(
        by=place.lead("ZFW"),
        campaign=campaign,
        unit=units["ZFW"],
        title="顽瘴痼疾整治“回头看”自查",
        deadline=timezone.localdate() + dt.timedelta(days=14),
        units=[units["GAJ"]],
    )
    return made


def build_county(county: Any) -> dict[str, int]:
    campaign = Campaign.objects.get(name=f"2021年{county.name}政法队伍教育整顿(第一批)")
    officers = list(
        Officer.objects.filter(pk__in=[o.pk for o in county.officers])
        .select_related("unit", "user")
        .order_by("pk")
    )
    place = Place(county.name, campaign, county.units, officers, county.rng)
    return _build(place)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def _build(place: Place) -> dict[str, int]:
    rng = place.rng
    committee = place.lead("ZFW")
    categories = list(ProblemCategory.objects.filter(is_active=True))
    by_code = {c.code: c for c in categories}
    round_ = Round.objects.create(
        campaign=place.campaign,
        unit=place.units["ZFW"],
        title=f"2021年{place.name}政法队伍教育整顿自查自纠",
        deadline=DEADLINE,
        opened_by=committee,
    )
    round_.units.set([place.units["ZFW"]])
    # Declarations: most officers submit, more of them as the deadline nears.
    days = (DEADLINE - OPENED).days
    declarations: list[Declaration] = []
    declared: dict[int, str] = {}
    for officer in place.officers:
        if rng.random() > SUBMITTED_SHARE:
            continue
        day = OPENED + dt.timedelta(days=int(days * (1 - rng.random() ** 2)))
        declarations.append(
            Declaration(
                round=round_,
                officer=officer,
                unit=officer.unit,
                version=1,
                submitted_at=_at(day, 9 + rng.randrange(9)),
            )
        )
        if rng.random() < DECLARING_SHARE:
            declared[officer.pk] = rng.choice(list(DECLARED))
    Declaration.objects.bulk_create(declarations, batch_size=1000)
    items = []
    for d in declarations:
        code = declared.get(d.officer_id)
        for c in categories:
            text = rng.choice(DECLARED[code]) if c.code == code else ""
            items.append(DeclarationItem(declaration=d, category=c, description=text))
    DeclarationItem.objects.bulk_create(items, batch_size=2000)
    # Self-declared problems on the ledger, then the problems found otherwise.
    ledger: list[LedgerItem] = []
    for d in declarations:
        if d.officer_id in declared:
            ledger += services.ledger_from(d, d.officer.user)
    for source, code, problem, measures, standard in FOUND:
        organ = rng.choice(ORGANS)
        unit = place.units[organ]
        item = LedgerItem(
            source=source,
            category=by_code[code],
            unit=unit,
            problem=problem,
            measures=measures,
            standard=standard,
            responsible=place.lead(organ),
            created_by=committee,
            due_at=end_of_day(timezone.localdate() + dt.timedelta(days=30)),
        )
        workflow.start(record=item, by=committee)
        ledger.append(item)
    return {
        "declarations": len(declarations),
        "ledger items": _progress(place, ledger, committee),
        "inquiries": _inquiries(place),
    }


def _progress(place: Place, ledger: list[LedgerItem], committee: User) -> int:
    """Carry the items along: most closed after verification (one returned once on the
    way), some awaiting verification or under way, a few overdue, a few still to set."""
    rng = place.rng
    today = timezone.localdate()
    for n, item in enumerate(ledger):
        organ = place.organ_of(item.unit)
        responsible = place.lead(organ)
        verifier = committee if responsible.pk != committee.pk else None
        roll = rng.random() if n else 0.95  # the first item stays to be set, for the demo
        if roll > 0.92 and item.source == Source.SELF:
            continue  # still to be given its measures by the unit
        if not item.five_set:
            services.item_update(
                item=item,
                by=responsible,
                problem=item.problem,
                measures="谈心谈话,本人作出书面说明并整改;单位建立长效机制。",
                standard="问题整改到位,有书面材料和佐证。",
                responsible=responsible,
                deadline=today + dt.timedelta(days=rng.randrange(10, 45)),
            )
        services.item_transition(record=item, name="start", by=responsible, comment="")
        if roll > 0.8:
            if roll > 0.88:  # overdue: its deadline passed a few days ago
                LedgerItem.objects.filter(pk=item.pk).update(
                    due_at=end_of_day(today - dt.timedelta(days=rng.randrange(2, 6)))
                )
            continue
        services.item_note(item=item, by=responsible, comment="已制定整改方案,正在逐项落实。")
        services.item_transition(
            record=item, name="submit", by=responsible, comment="整改措施已全部落实,材料见附件。"
        )
        if roll > 0.7 or verifier is None:
            continue
        if roll < 0.1:
            services.item_transition(
                record=item, name="return", by=verifier, comment="佐证材料不全,请补充后再报。"
            )
            services.item_transition(
                record=item, name="submit", by=responsible, comment="已补充佐证材料。"
            )
        services.item_transition(
            record=item, name="close", by=verifier, comment="验收合格,同意销号。"
        )
    # What was closed is dated within the campaign's rectification phase, its history too;
    # what is still open is today's work.
    closed = list(
        LedgerItem.objects.filter(pk__in=[i.pk for i in ledger], state="closed").values_list(
            "pk", flat=True
        )
    )
    done = _at(dt.date(2021, 6, 10))
    LedgerItem.objects.filter(pk__in=closed).update(
        created_at=_at(dt.date(2021, 5, 10)),
        closed_at=done,
        state_changed_at=done,
        due_at=end_of_day(dt.date(2021, 6, 15)),
    )
    TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(LedgerItem), object_id__in=closed
    ).update(time=done)
    return len(ledger)


def _inquiries(place: Place) -> int:
    rng = place.rng
    recorders = [o for o in place.officers if place.organ_of(o.unit) in ("FY", "JCY", "GAJ")]
    made = []
    for kind, asker, case, organ, manner in INQUIRIES:
        officer = rng.choice(recorders)
        made.append(
            Inquiry(
                officer=officer,
                unit=officer.unit,
                asker_kind=kind,
                asker=asker,
                case_number=case,
                case_organ=organ.replace("康保县", place.name),
                asked_on=dt.date(2021, 4, 1) + dt.timedelta(days=rng.randrange(0, 70)),
                manner=manner,
                content="询问案件办理进展,希望“关照”。",
                handling="当场拒绝,告知将依规记录报告,并已填报。",
            )
        )
    Inquiry.objects.bulk_create(made)
    return len(made)
