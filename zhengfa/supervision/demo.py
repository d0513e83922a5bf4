"""Public supervision in the demo county: reports from March to June 2021 across kinds,
categories and states (anonymous and real-name; a few found true and on the ledger; rated),
a few open ones dated from the day the demo is built so that the supervision account finds
work, and the county's first press conference of the campaign (2021-04-07) with questions
answered. Each synthetic county of a province gets its year of reports in bulk."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import F
from django.utils import timezone

from zhengfa.core import workflow
from zhengfa.core.models import TimelineEvent
from zhengfa.org.access import Role
from zhengfa.org.models import Officer, Unit, User

from . import services
from .models import (
    Category,
    Conclusion,
    Conference,
    FeedbackMethod,
    Method,
    Question,
    QuestionState,
    Report,
    ReportKind,
    ReportState,
)

TZ = dt.timezone(dt.timedelta(hours=8))
CONFERENCE_DAY = dt.date(2021, 4, 7)

# (kind, category, about unit code, story, real name?)
STORIES = [
    (
        ReportKind.MISCONDUCT,
        Category.BRIBES,
        "GAJ-S01",
        "办理户口迁移时,窗口民警暗示要“意思意思”才能尽快办。",
        True,
    ),
    (
        ReportKind.COMPLAINT,
        Category.ATTITUDE,
        "GAJ-S02",
        "到派出所开证明,民警态度生硬,让我跑了三趟。",
        False,
    ),
    (
        ReportKind.MISCONDUCT,
        Category.THREE_RULES,
        "FY",
        "听说有人托关系过问我家邻居的案子,希望核查。",
        False,
    ),
    (
        ReportKind.MISCONDUCT,
        Category.CASES_NOT_PURSUED,
        "GAJ-S03",
        "去年被盗的三只羊报案后一直没有立案,也没人回复。",
        True,
    ),
    (ReportKind.COMPLAINT, Category.ATTITUDE, "SFJ", "法律援助申请交了材料一个月没有答复。", True),
    (
        ReportKind.MISCONDUCT,
        Category.BUSINESS,
        "GAJ",
        "有民警在县城合伙开洗车行,上班时间也在店里。",
        False,
    ),
    (ReportKind.COMPLAINT, Category.OTHER, "FY", "立案窗口中午没人,等了两个小时。", False),
    (
        ReportKind.MISCONDUCT,
        Category.SHARES_LOANS,
        "JCY",
        "反映某干警向做生意的亲戚放贷收取高息。",
        False,
    ),
    (
        ReportKind.COMPLAINT,
        Category.ATTITUDE,
        "GAJ-S01",
        "窗口民警办理身份证时玩手机,让群众等着。",
        True,
    ),
    (
        ReportKind.MISCONDUCT,
        Category.UNKNOWN,
        "",
        "村里的纠纷报警后,出警的人收了一方的烟酒。",
        False,
    ),
]
# What became of them: (state reached, conclusion, reply)
OUTCOMES = [
    (
        ReportState.CLOSED,
        Conclusion.PARTLY,
        "经核查,反映的问题部分属实,已对相关民警批评教育并纳入整改台账。",
    ),
    (ReportState.CLOSED, Conclusion.TRUE, "经核查,反映的问题属实,已责令整改,并向您致歉。"),
    (ReportState.CLOSED, Conclusion.FALSE, "经核查,未发现干预案件的情况。感谢您的监督。"),
    (
        ReportState.CLOSED,
        Conclusion.TRUE,
        "经核查,案件受理后未及时立案属实,现已立案侦查,责任人已被诫勉谈话。",
    ),
    (ReportState.CONCLUDED, Conclusion.PARTLY, "经核查,答复超期属实,已督促办理并改进登记制度。"),
    (ReportState.VERIFYING, "", ""),
    (
        ReportState.CLOSED,
        Conclusion.UNVERIFIABLE,
        "因反映时间、人员不具体,暂无法核实。如有新情况欢迎补充。",
    ),
    (ReportState.ACCEPTED, "", ""),
    (
        ReportState.DECLINED,
        "",
        "您反映的是对判决结果的异议,不属于干警违纪问题,请依法申请再审或向检察院申请监督。",
    ),
    (ReportState.SUBMITTED, "", ""),
]
QUESTIONS = [
    (
        "教育整顿期间群众怎么举报政法干警的问题?",
        "一位康保镇居民",
        "可以拨打12337举报电话、登录本平台“举报投诉”,也可以到县委政法委来信来访。实名举报的,30日内联系您;匿名举报同样受理。",
    ),
    (
        "以前报案没立案的,现在还能反映吗?",
        "张纪镇村民",
        "可以。这次教育整顿专门整治有案不立、压案不查问题,请写明报案时间和单位,我们逐件核查并反馈。",
    ),
    (
        "节假日办户口能预约吗?",
        "",
        "县公安局已推出节假日预约服务,可电话或在平台上预约,行动不便的可申请上门服务。",
    ),
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def _staff(root: Unit) -> User:
    return (
        User.objects.filter(
            role_assignments__role=Role.SUPERVISION,
            role_assignments__unit__path__startswith=root.path,
        )
        .order_by("pk")
        .first()
        or User.objects.filter(role_assignments__unit=root).order_by("pk").first()
    )


def build(password: str) -> dict[str, int]:
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None or Report.objects.exists():
        return {"reports": 0, "press conferences": 0}
    units = {u.code: u for u in Unit.objects.filter(path__startswith=root.path)}
    staff = _staff(root)
    rng = random.Random("supervision kangbao")
    made = 0
    for i, ((kind, category, code, story, real), outcome) in enumerate(
        zip(STORIES, OUTCOMES, strict=True)
    ):
        recent = outcome[0] in {ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.VERIFYING}
        day = (
            timezone.localdate() - dt.timedelta(days=2 + i)
            if recent
            else dt.date(2021, 3, 15) + dt.timedelta(days=9 * i)
        )
        about = units.get(code)
        report, _code = services.report_submit(
            kind=kind,
            category=category,
            story=story,
            about_unit=about,
            real_name=real,
            name="王某某" if real else "",
            phone=f"1390313{rng.randrange(10000):04d}" if real else "",
        )
        _walk(report, outcome, staff, units, about)
        _date(report, day, recent)
        made += 1
    conferences = _conference(root, staff) if not Conference.objects.exists() else 0
    return {"reports": made, "press conferences": conferences}


def _walk(
    report: Report,
    outcome: tuple[str, str, str],
    staff: User,
    units: dict[str, Unit],
    about: Unit | None,
) -> None:
    state, conclusion, reply = outcome
    if state == ReportState.SUBMITTED:
        return
    if state == ReportState.DECLINED:
        services.report_transition(record=report, name="decline", by=staff, comment=reply)
        return
    services.report_transition(record=report, name="accept", by=staff)
    if state == ReportState.ACCEPTED:
        return
    verifier = _verifier(about, units)
    services.report_assign(
        report=report,
        by=staff,
        unit=verifier,
        method=Method.VERIFY,
        deadline=timezone.localdate() + dt.timedelta(days=30),
        comment="请核实反映的情况,按期报送核查结果。",
    )
    if state == ReportState.VERIFYING:
        return
    officer = (
        Officer.objects.filter(unit=about).order_by("pk").first() if about is not None else None
    )
    services.report_conclude(
        report=report,
        by=staff,
        conclusion=conclusion,
        finding=f"核查情况:{reply}",
        reply=reply,
        officer=officer if conclusion in {Conclusion.TRUE, Conclusion.PARTLY} else None,
    )
    if state == ReportState.CONCLUDED:
        return
    if report.real_name:
        services.report_feedback(
            report=report,
            by=staff,
            method=FeedbackMethod.PHONE,
            note="电话告知核查结果,本人表示认可。",
        )
    else:
        services.report_transition(record=report, name="close", by=staff)
    Report.objects.filter(pk=report.pk).update(
        satisfaction="satisfied" if conclusion != Conclusion.UNVERIFIABLE else "mostly",
        rated_at=F("state_changed_at"),
    )


def _verifier(about: Unit | None, units: dict[str, Unit]) -> Unit:
    """The unit above the one concerned (the bureau for its station); the committee's
    office for an organ itself or an unknown unit."""
    if about is not None and about.parent_id is not None and about.parent.parent_id is not None:  # type: ignore[union-attr]
        return about.parent  # type: ignore[return-value]
    return units["ZFW"]


def _date(report: Report, day: dt.date, recent: bool) -> None:
    """Move a report and its history to the day it came in, its steps a few days apart:
    accepted on the 2nd day, concluded on the 18th, feedback on the 20th."""
    start = _at(day)
    if recent:
        start = timezone.now() - (timezone.localdate() - day)
    events = list(
        TimelineEvent.objects.filter(
            content_type__app_label="supervision", content_type__model="report", object_id=report.pk
        ).order_by("pk")
    )
    offsets = {"start": 0, "accept": 2, "decline": 3, "assign": 3, "conclude": 18, "feedback": 20}
    last = start
    for event in events:
        when = start + dt.timedelta(
            days=offsets.get(event.transition, 20), hours=len(event.comment) % 5
        )
        TimelineEvent.objects.filter(pk=event.pk).update(
            time=when,
            # "We gave you the result … on <day>": the day it was given, not the day built.
            comment=event.comment.replace(str(timezone.localdate()), str(when.date())),
        )
        last = max(last, when)
    report.refresh_from_db()
    Report.objects.filter(pk=report.pk).update(
        created_at=start,
        state_changed_at=last,
        accepted_at=start + dt.timedelta(days=2) if report.accepted_at else None,
        concluded_at=start + dt.timedelta(days=18) if report.concluded_at else None,
        feedback_at=start + dt.timedelta(days=20) if report.feedback_at else None,
        rated_at=start + dt.timedelta(days=22) if report.rated_at else None,
        due_at=F("due_at") + (start - report.created_at) if report.due_at else None,
    )


def _conference(root: Unit, staff: User) -> int:
    committee_leader = (
        User.objects.filter(role_assignments__unit=root, role_assignments__role=Role.COMMITTEE)
        .order_by("pk")
        .first()
        or staff
    )
    conference = Conference.objects.create(
        unit=root,
        topic="全县政法队伍教育整顿新闻发布会",
        held_on=CONFERENCE_DAY,
        place="县委政法委会议室",
        speakers="县委政法委副书记\n县法院副院长\n县检察院副检察长\n县公安局副局长\n县司法局副局长",
        summary="通报全县政法队伍教育整顿开展情况,围绕群众关心的问题现场解答。",
        questions_open=False,
        published=True,
    )
    for text, signed, answer in QUESTIONS:
        question = Question(conference=conference, text=text, signed=signed)
        workflow.start(record=question, by=None, public=True)
        services.question_transition(
            record=question, name="answer", by=committee_leader, comment=answer
        )
    Question.objects.filter(conference=conference).update(state=QuestionState.ANSWERED)
    return 1


# --- the synthetic counties of a province ---------------------------------------------------------

PER_COUNTY = 30


def build_county(county: Any) -> dict[str, int]:
    """A year of reports for one synthetic county, in bulk (Kangbao's mix of kinds, states
    and conclusions), and its press conference."""
    rng = county.rng
    root = county.unit("ZFW")
    organs = [u for code, u in county.units.items() if code != "ZFW"]
    reports = []
    for i in range(PER_COUNTY):
        kind, category, _code, story, real = STORIES[i % len(STORIES)]
        state, conclusion, _reply = OUTCOMES[rng.randrange(len(OUTCOMES))]
        created = _at(
            dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(365)), 9 + rng.randrange(8)
        )
        done = state in {ReportState.CONCLUDED, ReportState.CLOSED}
        reports.append(
            Report(
                kind=kind,
                category=category,
                story=story,
                unit=root,
                about_unit=rng.choice(organs),
                real_name=real,
                name="王某某" if real else "",
                phone=f"1390313{rng.randrange(10000):04d}" if real else "",
                state=state,
                created_at=created,
                state_changed_at=created + dt.timedelta(days=20),
                accepted_at=created + dt.timedelta(days=2)
                if state != ReportState.SUBMITTED
                else None,
                method=Method.VERIFY if done else "",
                conclusion=conclusion if done else "",
                concluded_at=created + dt.timedelta(days=18) if done else None,
                feedback_at=created + dt.timedelta(days=20)
                if state == ReportState.CLOSED and real
                else None,
                due_at=created + dt.timedelta(days=30)
                if state not in {ReportState.CLOSED, ReportState.DECLINED}
                else None,
            )
        )
    Report.objects.bulk_create(reports, batch_size=500)
    Conference.objects.create(
        unit=root,
        topic=f"{county.name}政法队伍教育整顿新闻发布会",
        held_on=CONFERENCE_DAY,
        place="县委政法委会议室",
        speakers="县委政法委副书记",
        questions_open=False,
        published=True,
    )
    return {"reports": len(reports), "press conferences": 1}
