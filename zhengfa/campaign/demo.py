"""The demo campaign: the 2021 first batch of the education and rectification, three phases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from zhengfa.org.access import Role
from zhengfa.org.models import Unit, User

from .models import Campaign, PlanItem, Suggestion, Task
from .services import (
    campaign_create,
    suggestion_submit,
    suggestion_transition,
    task_assign,
    task_split,
    task_transition,
)

NAME = "2021年康保县政法队伍教育整顿(第一批)"
TZ = dt.timezone(dt.timedelta(hours=8))


def build(password: str) -> dict[str, int]:
    """The 2021 campaign, then the open work of the demo accounts."""
    created = {"campaigns": 0}
    if not Campaign.objects.filter(name=NAME).exists():
        _campaign()
        created["campaigns"] = 1
    return {
        **created,
        **build_work(password),
        "model figures": _exemplars(),
        "leading group": _leading_group(),
        **_kangbao_figures(),
    }


def _kangbao_figures() -> dict[str, int]:
    import random

    from .models import DataReport

    _elements()
    if DataReport.objects.filter(unit__code="GAJ").exists():
        return {"reported figures": 0}
    units = {u.code: u for u in Unit.objects.filter(code__in=["GAJ", "FY"])}
    units.update({u.code: u for u in Unit.objects.filter(code__startswith="GAJ-S")})
    return _figures(units, random.Random("kangbao-figures"))


def _leading_group() -> int:
    """The campaign's leading group: the committee's secretary heads it, the heads of the
    four organs are his deputies, and the committee's office runs it."""
    from zhengfa.org.models import Officer

    from .models import GroupMember

    campaign = Campaign.objects.filter(name=NAME).first()
    if campaign is None or campaign.group.exists():
        return 0
    plan = [
        ("ZFW", 0, "head", "县委常委、政法委书记", "全面负责"),
        ("FY", 0, "deputy", "县人民法院院长", "法院系统教育整顿"),
        ("JCY", 0, "deputy", "县人民检察院检察长", "检察系统教育整顿"),
        ("GAJ", 0, "deputy", "县公安局局长", "公安系统教育整顿"),
        ("SFJ", 0, "deputy", "县司法局局长", "司法行政系统教育整顿"),
        ("ZFW", 1, "office_head", "县委政法委常务副书记", "办公室日常工作"),
        ("ZFW", 2, "office", "县委政法委科员", "材料汇总、督导"),
    ]
    made = []
    for code, i, role, post, duty in plan:
        officers = list(
            Officer.objects.filter(unit__code=code, status="active").order_by("staff_number")[:3]
        )
        if len(officers) > i:
            made.append(
                GroupMember(campaign=campaign, officer=officers[i], role=role, post=post, duty=duty)
            )
    GroupMember.objects.bulk_create(made)
    return len(made)


# The heroes the article names for study (public figures honoured across the country), and
# models of the county's own ranks as the article's list has them — here synthetic people.
HEROES = [
    ("任长霞", "ZFW", "全国公安系统一级英雄模范", "心系群众、执法为民的女公安局长。"),
    ("胡国运", "ZFW", "全国模范法官", "扎根基层、公正司法的人民法官。"),
    ("张保国", "ZFW", "全国公安系统一级英雄模范", "舍生忘死、攻坚克难的刑警。"),
    ("吕建江", "ZFW", "全国公安系统一级英雄模范", "创新警务、服务群众的社区民警。"),
]
OWN = [
    ("person", "张建军", "GAJ-S01", "全县政法系统先进个人", "扎根基层二十年,调处纠纷五百余起。"),
    ("person", "李秀梅", "FY", "全县政法系统先进个人", "耐心细致办案,结案无一上访。"),
    ("person", "王德福", "SFJ", "全县政法系统先进个人", "常年为群众免费提供法律援助。"),
    ("collective", "康保县公安局刑警大队", "GAJ", "全县政法系统先进集体", "侦破多起重大案件。"),
]


def _exemplars() -> int:
    """The campaign's models: heroes studied, and the county's own 先进典型."""
    from .models import Exemplar

    if Exemplar.objects.exists():
        return 0
    units = {
        u.code: u for u in Unit.objects.filter(code__in=["ZFW", "GAJ", "GAJ-S01", "FY", "SFJ"])
    }
    if "ZFW" not in units:
        return 0
    made = [
        Exemplar(kind="person", name=n, unit=units[u], local=False, honour=h, deeds=d)
        for n, u, h, d in HEROES
    ]
    made += [
        Exemplar(
            kind=k,
            name=n,
            unit=units.get(u, units["ZFW"]),
            honour=h,
            awarded_on=dt.date(2021, 3, 26),
            deeds=d,
        )
        for k, n, u, h, d in OWN
    ]
    Exemplar.objects.bulk_create(made)
    return len(made)


# The Kangbao campaign's tasks of its first months (the synthetic counties take YEAR_TASKS).
KANGBAO_TASKS = [("学习教育环节工作总结", 3), ("查纠整改自查报告", 4)]


def _campaign() -> None:
    campaign = campaign_create(
        name=NAME,
        unit=Unit.objects.get(code="ZFW"),
        description="筑牢政治忠诚、清除害群之马、整治顽瘴痼疾、弘扬英模精神。",
        phases=[
            ("study", "学习教育", dt.date(2021, 2, 27), dt.date(2021, 3, 31)),
            ("rectify", "查纠整改", dt.date(2021, 4, 1), dt.date(2021, 6, 15)),
            ("consolidate", "总结提升", dt.date(2021, 6, 16), dt.date(2021, 6, 30)),
        ],
    )

    # To the organs whose leaders have demo accounts: each reports, the committee accepts.
    _year_tasks(
        campaign,
        User.objects.get(username="zfw"),
        KANGBAO_TASKS,
        lambda code: Unit.objects.get(code=code),
        lambda code: User.objects.get(username=f"{code.lower()}_leader"),
        organs=["FY", "GAJ"],
    )


# --- Work in progress, dated from the day the demo is built ---------------------------------
# So that each demo account, signed in, finds something to do: tasks to report or to check,
# some overdue, and opinions from the public routed to the units they concern.

FOLLOW_UP_TASKS = [
    # (title, unit, days until due (negative: overdue), reported by the unit)
    ("顽瘴痼疾整治“回头看”自查报告", "FY", 6, False),
    ("顽瘴痼疾整治“回头看”自查报告", "GAJ", 6, False),
    ("顽瘴痼疾整治“回头看”自查报告", "JCY", 6, True),
    ("顽瘴痼疾整治“回头看”自查报告", "SFJ", -2, False),
    ("建章立制成果清单报送", "GAJ", 3, True),
]
STATION_TASK = ("辖区矛盾纠纷排查化解台账", 9)

OPINIONS = [
    # (unit code or None for "I don't know", topic, text, officer named, days ago)
    ("GAJ-S01", "conduct", "康保镇派出所户籍窗口中午常没人,办事要等到下午。", "", 2),
    ("GAJ", "service", "建议县公安局在乡镇设身份证自助拍照点,老人跑县城不方便。", "", 1),
    ("FY", "law", "我的欠薪案子立案三个月了还没开庭,想问问进展。", "", 9),
    (None, "other", "希望政法机关多到村里开展普法宣传。", "", 0),
]


def build_work(password: str) -> dict[str, int]:
    """Open tasks and opinions for the demo accounts; added once, found again by title."""
    campaign = Campaign.objects.filter(name=NAME).first()
    if campaign is None or Task.objects.filter(title=FOLLOW_UP_TASKS[0][0]).exists():
        return {"tasks": 0, "opinions": 0}
    now = timezone.now()
    committee = User.objects.get(username="zfw")
    created = {"tasks": 0, "opinions": 0}
    # One plan item per title, to its units at once; each unit's deadline as the list says.
    titles = list(dict.fromkeys(title for title, *_rest in FOLLOW_UP_TASKS))
    for title in titles:
        rows = [row for row in FOLLOW_UP_TASKS if row[0] == title]
        tasks = task_assign(
            campaign=campaign,
            title=title,
            description="对照整改台账逐项检查,形成书面报告并附佐证材料。",
            units=[Unit.objects.get(code=code) for _t, code, _d, _r in rows],
            due_at=now + dt.timedelta(days=max(max(d for _t, _c, d, _r in rows), 1)),
            by=committee,
        )
        for (_t, code, days, reported), task in zip(rows, tasks, strict=True):
            if days != max(d for _t, _c, d, _r in rows):  # a unit given less time, or late
                Task.objects.filter(pk=task.pk).update(due_at=now + dt.timedelta(days=days))
                task.refresh_from_db()
            if reported:
                leader = (
                    User.objects.filter(
                        role_assignments__unit__code=code, role_assignments__role=Role.LEADER
                    ).first()
                    or committee
                )
                task_transition(
                    record=task, name="report", by=leader, comment="已完成自查,报告见附件。"
                )
            created["tasks"] += 1
    bureau_leader = User.objects.get(username="gaj_leader")
    title, days = STATION_TASK
    task_assign(
        campaign=campaign,
        title=title,
        description="逐村排查矛盾纠纷,建立台账,每周更新。",
        units=list(Unit.objects.filter(code__in=["GAJ-S01", "GAJ-S02"])),
        due_at=now + dt.timedelta(days=days),
        by=bureau_leader,
    )
    created["tasks"] += 2
    created["tasks"] += _build_plan(campaign, committee, bureau_leader)
    for where, about, text, officer, days_ago in OPINIONS:
        opinion, _code = suggestion_submit(
            topic=about,
            content=text,
            # "I don't know" reaches the county's committee, also when it lies in a province.
            unit=Unit.objects.get(code=where or "ZFW"),
            officer_named=officer,
        )
        if days_ago:
            at = now - dt.timedelta(days=days_ago)
            Suggestion.objects.filter(pk=opinion.pk).update(
                created_at=at, due_at=at + dt.timedelta(days=7)
            )
        created["opinions"] += 1
    return created


# A task of the work plan to the four organs, led by the police, which shares it out to two
# stations: one station's part is accepted, the other's is under way; the court has reported.
PLAN_TASK = ("落实《扫黑除恶专项斗争百日巩固工作方案》", ["FY", "JCY", "GAJ", "SFJ"], "GAJ", 20)


def _build_plan(campaign: Campaign, committee: User, bureau_leader: User) -> int:
    title, codes, lead, days = PLAN_TASK
    due = timezone.now() + dt.timedelta(days=days)
    units = [Unit.objects.get(code=code) for code in codes]
    tasks = task_assign(
        campaign=campaign,
        title=title,
        description="对照方案逐项落实,按月报送进展。",
        units=units,
        lead=Unit.objects.get(code=lead),
        due_at=due,
        by=committee,
    )
    by_code = dict(zip(codes, tasks, strict=True))
    task_transition(
        record=by_code["FY"],
        name="report",
        by=by_code["FY"].owner or committee,
        comment="已完成涉黑涉恶案件审理情况梳理,报告见附件。",
    )
    parts = task_split(
        task=by_code["GAJ"],
        units=list(Unit.objects.filter(code__in=["GAJ-S01", "GAJ-S02"]).order_by("code")),
        due_at=due - dt.timedelta(days=5),
        by=bureau_leader,
    )
    task_transition(
        record=parts[0],
        name="report",
        by=parts[0].owner or bureau_leader,
        comment="辖区线索已排查完毕。",
    )
    task_transition(record=parts[0], name="accept", by=committee)  # not its reporter
    return len(tasks) + len(parts)


# --- A synthetic county of a province: its campaign and a year of tasks and opinions -------
YEAR_TASKS = [
    # (title, month issued): each goes to the court, procuratorate, police and justice bureau
    ("学习教育环节工作总结", 3),
    ("查纠整改自查报告", 4),
    ("顽瘴痼疾专项整治台账", 5),
    ("建章立制成果清单报送", 6),
    ("教育整顿“回头看”自查报告", 9),
    ("年度队伍建设工作总结", 12),
]
YEAR_OPINIONS = [
    ("GAJ-S01", "service", "户籍窗口中午常没人,办事要等到下午。"),
    ("GAJ", "service", "建议在乡镇设身份证自助拍照点,老人跑县城不方便。"),
    ("FY", "law", "欠薪案子立案三个月了还没开庭,想问问进展。"),
    ("SFJ-S01", "service", "希望司法所多到村里开展普法宣传。"),
    ("JCY", "conduct", "反映一起案件办理时间过长,希望检察院监督。"),
    ("GAJ-S02", "conduct", "派出所民警接警后处理及时,态度很好,提出表扬。"),
]
OPINIONS_PER_MONTH = 4


ORGANS = ["FY", "JCY", "GAJ", "SFJ"]


def _year_tasks(
    campaign: Campaign,
    committee: User,
    plan: list[tuple[str, int]],
    unit_of: Any,
    lead_of: Any,
    organs: list[str] = ORGANS,
) -> int:
    """Tasks of 2021 to the four organs, each issued on the 5th of its month, reported and
    accepted (dated as they were, so that the figures of the period count them)."""
    soon = timezone.now() + dt.timedelta(days=30)
    leaders = {code: lead_of(code) for code in organs}
    tasks = 0
    for title, month in plan:
        issued = dt.datetime(2021, month, 5, 9, tzinfo=TZ)
        made = task_assign(
            campaign=campaign,
            title=title,
            description="对照整改台账逐项检查,形成书面报告并附佐证材料。",
            units=[unit_of(code) for code in organs],
            due_at=soon,
            by=committee,
        )
        for code, task in zip(organs, made, strict=True):
            task_transition(
                record=task, name="report", by=leaders[code], comment="已完成,报告见附件。"
            )
            task_transition(record=task, name="accept", by=committee, comment="")
        done = [t.pk for t in made]
        Task.objects.filter(pk__in=done).update(
            created_at=issued, due_at=issued + dt.timedelta(days=20)
        )
        PlanItem.objects.filter(tasks__pk__in=done).update(
            created_at=issued, due_at=issued + dt.timedelta(days=20)
        )
        tasks += len(made)
    return tasks


def build_county(county: Any) -> dict[str, int]:
    """The county's 2021 campaign, a task each quarter or so to its four organs (reported and
    accepted), and a few opinions from the public each month, nearly all answered."""
    committee = county.lead("ZFW")
    campaign = campaign_create(
        name=f"2021年{county.name}政法队伍教育整顿(第一批)",
        unit=county.unit("ZFW"),
        description="筑牢政治忠诚、清除害群之马、整治顽瘴痼疾、弘扬英模精神。",
        phases=[
            ("study", "学习教育", dt.date(2021, 2, 27), dt.date(2021, 3, 31)),
            ("rectify", "查纠整改", dt.date(2021, 4, 1), dt.date(2021, 6, 15)),
            ("consolidate", "总结提升", dt.date(2021, 6, 16), dt.date(2021, 6, 30)),
        ],
    )
    tasks = _year_tasks(campaign, committee, YEAR_TASKS, county.unit, county.lead)
    leaders = {code: county.lead(code) for code in ORGANS}
    rng = county.rng
    opinions = 0
    for month in range(1, 13):
        for n in range(OPINIONS_PER_MONTH):
            where, about, text = rng.choice(YEAR_OPINIONS)
            unit = county.unit(where)
            opinion, _code = suggestion_submit(topic=about, content=text, unit=unit)
            organ = where.split("-")[0]
            if rng.random() < 0.9:
                suggestion_transition(
                    record=opinion,
                    name="answer",
                    by=leaders.get(organ, committee),
                    comment="感谢您的意见,已转相关部门办理并落实。",
                )
            at = dt.datetime(2021, month, 1 + n * 7, 10, tzinfo=TZ)
            Suggestion.objects.filter(pk=opinion.pk).update(
                created_at=at, due_at=at + dt.timedelta(days=7)
            )
            opinions += 1
    _elements()
    figures = _figures(county.units, rng, scale=rng.uniform(0.5, 1.3))
    return {"tasks": tasks, "opinions": opinions, **figures}


# --- Figures the units report (扫黑除恶 and ordinary policing, as counts only) ---------------
ELEMENTS = [
    # (code, name, measure, period, unit kinds, what is counted)
    (
        "criminal_cases",
        "侦办刑事案件",
        "起",
        "month",
        ["police_station"],
        "本期立案侦办的刑事案件数(含黄赌毒案件)。",
    ),
    (
        "vice_cases",
        "查处黄赌毒案件",
        "起",
        "month",
        ["police_station"],
        "本期查处的涉黄、涉赌、涉毒案件数。",
    ),
    (
        "gangs_broken",
        "打掉犯罪团伙",
        "个",
        "month",
        ["police"],
        "本期打掉的犯罪团伙数(含涉黑涉恶团伙)。",
    ),
    (
        "organised_crime_trials",
        "审结涉黑涉恶案件",
        "件",
        "quarter",
        ["court"],
        "本季度审结的涉黑涉恶案件数。",
    ),
]
# Kangbao's months of 2021 as the article counts them: 871 criminal cases and 4 gangs from
# February to April (the campaign's months); January's figures come before it.
MONTHS = [dt.date(2021, m, 1) for m in (1, 2, 3, 4)]
CASES = {1: 240, 2: 262, 3: 318, 4: 291}  # February–April: 871
VICE = {1: 31, 2: 36, 3: 44, 4: 40}
GANGS = {1: 0, 2: 1, 3: 2, 4: 1}  # February–April: 4


def _elements() -> None:
    from .models import DataElement

    for order, (code, name, measure, period, kinds, about) in enumerate(ELEMENTS, start=1):
        DataElement.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "measure": measure,
                "period_type": period,
                "unit_kinds": kinds,
                "description": about,
                "order": order,
            },
        )


def _spread(total: int, parts: int, rng: Any) -> list[int]:
    """`total` shared among `parts` unevenly (the first station, the county town's, most)."""
    weights = [3.0, *(rng.uniform(0.6, 1.4) for _ in range(parts - 1))]
    shares = [int(total * w / sum(weights)) for w in weights]
    shares[0] += total - sum(shares)
    return shares


def _figures(units: dict[str, Unit], rng: Any, scale: float = 1.0) -> dict[str, int]:
    """The police's monthly figures and the court's quarter, submitted a few days after each
    period and approved by the unit above; bulk-written (the service's checks are for people
    entering figures, tested there)."""
    from zhengfa.core.models import TimelineEvent

    from .models import (
        DATA_REPORT_DAYS,
        DataElement,
        DataReport,
        DataReportState,
        DataValue,
        period_containing,
    )

    elements = {e.code: e for e in DataElement.objects.all()}
    stations = sorted(
        (u for u in units.values() if u.kind == "police_station"), key=lambda u: u.code
    )
    rows: list[tuple[Unit, str, dt.date, dict[str, int]]] = []
    for month in MONTHS:
        m = month.month
        cases = _spread(round(CASES[m] * scale), len(stations), rng)
        vice = _spread(round(VICE[m] * scale), len(stations), rng)
        for station, n_cases, n_vice in zip(stations, cases, vice, strict=True):
            rows.append(
                (
                    station,
                    "month",
                    month,
                    {"criminal_cases": n_cases, "vice_cases": min(n_vice, n_cases)},
                )
            )
        rows.append((units["GAJ"], "month", month, {"gangs_broken": GANGS[m]}))
    rows.append((units["FY"], "quarter", dt.date(2021, 1, 1), {"organised_crime_trials": 2}))
    reports = []
    for unit, period, start, _values in rows:
        _first, end = period_containing(period, start)
        submitted = dt.datetime.combine(end + dt.timedelta(days=3), dt.time(10), tzinfo=TZ)
        reports.append(
            DataReport(
                unit=unit,
                period_type=period,
                period_start=start,
                period_end=end,
                deadline=dt.datetime.combine(
                    end + dt.timedelta(days=DATA_REPORT_DAYS), dt.time(23, 59, 59), tzinfo=TZ
                ),
                submitted_at=submitted,
                state=DataReportState.APPROVED,
                state_changed_at=submitted + dt.timedelta(days=2),
                created_at=submitted - dt.timedelta(days=1),
            )
        )
    DataReport.objects.bulk_create(reports)  # SQLite and PostgreSQL return the keys
    DataValue.objects.bulk_create(
        DataValue(report=report, element=elements[code], value=value)
        for report, (_u, _p, _s, values) in zip(reports, rows, strict=True)
        for code, value in values.items()
    )
    from django.contrib.contenttypes.models import ContentType

    kind = ContentType.objects.get_for_model(DataReport)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            content_type=kind,
            object_id=report.pk,
            transition=name,
            from_state=src,
            to_state=dst,
            unit_name=name_of,
            time=at,
        )
        for report in reports
        for name, src, dst, name_of, at in (
            ("start", "", DataReportState.DRAFT, report.unit.name, report.created_at),
            (
                "submit",
                DataReportState.DRAFT,
                DataReportState.SUBMITTED,
                report.unit.name,
                report.state_changed_at - dt.timedelta(days=2),
            ),
            (
                "approve",
                DataReportState.SUBMITTED,
                DataReportState.APPROVED,
                report.unit.parent.name if report.unit.parent else "",
                report.state_changed_at,
            ),
        )
    )
    return {"reported figures": len(reports)}
