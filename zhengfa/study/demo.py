"""Study records of the demo county, 2021-02-27 to 2021-04-15.

They reproduce the article's figures (to 2021-04-15): 24 lectures and meetings, 5,300 and
more person-times of political rotation and other training, one revolutionary-tradition
education, one party lecture by the county secretary, 1,527 study booklets distributed,
one integrity lecture — and realistic 五有 evidence on most activities but not all.
Deterministic (one seeded generator) and idempotent (nothing is added once the demo
campaign has activities).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.utils import timezone
from PIL import Image

from zhengfa.campaign.demo import NAME as CAMPAIGN_NAME
from zhengfa.campaign.models import Campaign
from zhengfa.core.attachments import attach
from zhengfa.org.models import Officer, OfficerStatus, Unit, User

from .models import (
    Activity,
    ActivityType,
    Attendance,
    AudienceUnit,
    Distribution,
    Material,
    Note,
    OnlineStudy,
    Reflection,
    Speech,
    Topic,
)

TZ = dt.timezone(dt.timedelta(hours=8))
ORGANS = ["ZFW", "FY", "JCY", "GAJ", "SFJ"]
BOOKLET = "学习资料汇编"
BOOKLETS_TOTAL = 1527

LECTURES = [
    ("ZFW", "lecture", "习近平法治思想专题讲座"),
    ("ZFW", "lecture", "党史学习教育专题讲座"),
    ("ZFW", "meeting", "全县政法队伍教育整顿动员部署会"),
    ("ZFW", "meeting", "全县政法队伍教育整顿推进会"),
    ("ZFW", "meeting", "教育整顿领导小组工作会议"),
    ("ZFW", "lecture", "总体国家安全观专题讲座"),
    ("FY", "lecture", "习近平法治思想专题讲座"),
    ("FY", "lecture", "党史学习教育专题讲座"),
    ("FY", "meeting", "法院教育整顿推进会"),
    ("FY", "lecture", "司法责任制专题讲座"),
    ("JCY", "lecture", "习近平法治思想专题讲座"),
    ("JCY", "meeting", "检察院教育整顿推进会"),
    ("JCY", "lecture", "党史学习教育专题讲座"),
    ("GAJ", "lecture", "习近平法治思想专题讲座"),
    ("GAJ", "lecture", "党史学习教育专题讲座"),
    ("GAJ", "meeting", "公安局教育整顿推进会"),
    ("GAJ", "meeting", "公安局教育整顿工作调度会"),
    ("GAJ", "lecture", "执法规范化专题讲座"),
    ("GAJ", "lecture", "英模精神专题讲座"),
    ("SFJ", "lecture", "习近平法治思想专题讲座"),
    ("SFJ", "meeting", "司法局教育整顿推进会"),
    ("SFJ", "lecture", "党史学习教育专题讲座"),
    ("ZFW", "meeting", "查纠整改环节部署会"),
    ("ZFW", "lecture", "六大顽瘴痼疾整治专题讲座"),
]
TRAININGS = [
    ("political_rotation", "政治轮训(第{n}期)", 4),
    ("professional_training", "业务培训(第{n}期)", 6),
]
ATTEND_LECTURE = 0.86
ATTEND_TRAINING = 0.879
LEAVE_REASONS = ["值班备勤", "出警", "病假", "外出办案", "参加上级会议"]
NOTES = [
    "认真学习了讲座内容,要把学习成果转化为工作动力。",
    "结合本职工作查找不足,做到学思践悟。",
    "坚持政治建警,守住纪律红线。",
    "把为民服务落实到每一件小事上。",
]
SPEAKERS = ["办公室主任", "政治处主任", "支部书记", "青年干警代表"]


def _photo(rng: random.Random) -> SimpleUploadedFile:
    img = Image.new("RGB", (32, 24), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return SimpleUploadedFile("现场照片.png", out.getvalue())


def _drawn_attendance(
    rng: random.Random, activity: Activity, officer: Officer, attend: float
) -> Attendance | None:
    """One audience member's sign-in as the demo draws it: present (a share `attend`, mostly
    by QR code, up to 20 minutes early), on leave (3%), or absent (None)."""
    roll = rng.random()
    if roll < attend:
        return Attendance(
            activity=activity,
            officer=officer,
            status=Attendance.Status.PRESENT,
            method=rng.choice([Attendance.Method.QR] * 4 + [Attendance.Method.MANUAL]),
            signed_at=activity.starts_at - dt.timedelta(minutes=rng.randrange(0, 20)),
        )
    if roll < attend + 0.03:
        return Attendance(
            activity=activity,
            officer=officer,
            status=Attendance.Status.LEAVE,
            leave_reason=rng.choice(LEAVE_REASONS),
        )
    return None


def _when(
    rng: random.Random, day: dt.date, hour: int, hours: int
) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(hour, 0), tzinfo=TZ)
    return start, start + dt.timedelta(hours=hours)


class Builder:
    def __init__(self) -> None:
        self.rng = random.Random(2021)
        self.campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
        self.phase = self.campaign.phases.order_by("order").first()
        self.types = {t.code: t for t in ActivityType.objects.all()}
        self.units = {u.code: u for u in Unit.objects.filter(code__in=ORGANS)}
        # The county's own, also when it lies in a province.
        self.officers = list(
            Officer.objects.filter(
                status=OfficerStatus.ACTIVE, unit__path__startswith=self.units["ZFW"].path
            )
            .select_related("unit")
            .order_by("pk")
        )
        self.uploader = User.objects.get(username="zfw")
        self.counts = {"activities": 0, "attendance": 0, "notes": 0}
        self.day_slots = [
            self.campaign.starts_on + dt.timedelta(days=i)
            for i in range((dt.date(2021, 4, 15) - self.campaign.starts_on).days + 1)
        ]

    def audience(self, unit: Unit, subunits: bool = True) -> list[Officer]:
        if not subunits:
            return [o for o in self.officers if o.unit_id == unit.pk]
        return [o for o in self.officers if o.unit.is_within(unit)]

    def activity(
        self,
        unit_code: str,
        type_code: str,
        title: str,
        day: dt.date,
        hours: int,
        attend: float,
        evidence: bool = True,
        subunits: bool = True,
        **fields: Any,
    ) -> Activity:
        unit = self.units[unit_code]
        start, end = _when(self.rng, day, self.rng.choice([9, 14, 15]), hours)
        activity = Activity.objects.create(
            title=title,
            type=self.types[type_code],
            unit=unit,
            campaign=self.campaign,
            phase=self.campaign.phases.filter(starts_on__lte=day, ends_on__gte=day).first()
            or self.phase,
            starts_at=start,
            ends_at=end,
            place=fields.pop("place", f"{unit.name}会议室"),
            expected_count=len(self.audience(unit, subunits)),
            **fields,
        )
        AudienceUnit.objects.create(activity=activity, unit=unit, include_subunits=subunits)
        rows = []
        present = []
        for officer in self.audience(unit, subunits):
            row = _drawn_attendance(self.rng, activity, officer, attend)
            if row is not None:
                rows.append(row)
                if row.status == Attendance.Status.PRESENT:
                    present.append(officer)
        Attendance.objects.bulk_create(rows)
        self.counts["activities"] += 1
        self.counts["attendance"] += len(rows)
        # 五有: most activities have every kind; some lack one or two.
        if evidence:
            gaps = set(
                self.rng.sample(
                    ["notes", "speech", "photos", "minutes"], k=self.rng.choice([0] * 8 + [1, 2])
                )
            )
            if "notes" not in gaps:
                writers = [o for o in present if self.rng.random() < 0.6]
                Note.objects.bulk_create(
                    [
                        Note(activity=activity, officer=o, text=self.rng.choice(NOTES))
                        for o in writers
                    ]
                )
                self.counts["notes"] += len(writers)
            if "speech" not in gaps:
                for who in self.rng.sample(SPEAKERS, k=2):
                    Speech.objects.create(
                        activity=activity,
                        speaker=who,
                        summary="结合学习内容谈体会,查摆自身不足,明确整改方向。",
                    )
            if "photos" not in gaps:
                attach(record=activity, upload=_photo(self.rng), by=self.uploader, purpose="photo")
            if "minutes" not in gaps:
                activity.minutes = (
                    f"{day:%Y年%m月%d日},{unit.name}组织{activity.title}。"
                    f"应到{len(self.audience(unit, subunits))}人,实到{len(present)}人。"
                )
                activity.save(update_fields=["minutes"])
        return activity

    def build(self) -> dict[str, int]:
        days = self.day_slots
        for i, (unit_code, type_code, title) in enumerate(LECTURES):
            day = days[(i * 2) % len(days)]
            self.activity(
                unit_code,
                type_code,
                title,
                day,
                2,
                ATTEND_LECTURE,
                evidence=i % 7 != 6,
                speaker="",
                speaker_position="",
            )
        for type_code, title, rounds in TRAININGS:
            for organ in ORGANS:
                for n in range(1, rounds + 1):
                    day = days[self.rng.randrange(len(days))]
                    # The committee trains its own staff; each organ trains its whole system.
                    self.activity(
                        organ,
                        type_code,
                        f"{self.units[organ].name}{title.format(n=n)}",
                        day,
                        4,
                        ATTEND_TRAINING,
                        evidence=n % 5 != 0,
                        subunits=organ != "ZFW",
                    )
        self.activity(
            "ZFW",
            "revolutionary",
            "革命传统教育",
            dt.date(2021, 3, 20),
            3,
            0.9,
            place="革命传统教育基地",
        )
        self.activity(
            "ZFW",
            "party_lecture",
            "县委书记专题讲党课",
            dt.date(2021, 3, 5),
            2,
            0.92,
            speaker_position="县委书记",
            place="县委党校礼堂",
        )
        self.activity(
            "ZFW",
            "integrity",
            "廉政教育报告讲座",
            dt.date(2021, 4, 9),
            2,
            0.9,
            speaker="县纪委监委(示例)",
            place="县委党校礼堂",
        )
        self.materials()
        self.talks()
        return self.counts

    def materials(self) -> None:
        zfw = self.units["ZFW"]
        booklet = Material.objects.create(
            title=BOOKLET,
            unit=zfw,
            is_booklet=True,
            description="教育整顿学习教育环节统一印发的学习资料。",
        )
        receivers = list(
            Unit.objects.filter(
                path__startswith=zfw.path,
                kind__in=[
                    "committee",
                    "court",
                    "tribunal",
                    "procuratorate",
                    "police",
                    "police_station",
                    "justice",
                    "justice_office",
                ],
            )
            .annotate(n=Count("officers"))
            .order_by("path")
        )
        receivers = [u for u in receivers if u.n]
        total_staff = sum(u.n for u in receivers)
        # Copies in proportion to staff, largest remainders rounded up, adding up exactly.
        shares = [BOOKLETS_TOTAL * u.n / total_staff for u in receivers]
        allot = [int(x) for x in shares]
        by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - allot[i], reverse=True)
        for i in by_remainder[: BOOKLETS_TOTAL - sum(allot)]:
            allot[i] += 1
        for unit, copies in zip(receivers, allot, strict=True):
            confirmed = self.rng.random() < 0.9
            Distribution.objects.create(
                material=booklet,
                unit=unit,
                copies=copies,
                distributed_on=dt.date(2021, 3, 1) + dt.timedelta(days=self.rng.randrange(10)),
                received_by="内勤(示例)" if confirmed else "",
                confirmed_at=dt.datetime(2021, 3, 12, 10, tzinfo=TZ) if confirmed else None,
            )
        online = Material.objects.create(
            title="教育整顿应知应会(线上学习版)",
            unit=zfw,
            is_booklet=False,
            description="供干警线上学习的要点汇编。",
            online_text="<p>本材料汇集教育整顿学习教育环节的应知应会要点,请结合本职工作学习,"
            "学习后写下简短体会。</p><ul><li>教育整顿的目标与四项任务</li>"
            "<li>三个环节的工作要求</li><li>六大顽瘴痼疾整治</li></ul>",
        )
        readers = [o for o in self.officers if self.rng.random() < 0.3]
        OnlineStudy.objects.bulk_create(
            [
                OnlineStudy(
                    material=online,
                    officer=o,
                    note="已学习,结合岗位查找不足。",
                    studied_at=dt.datetime(2021, 3, 25, 20, tzinfo=TZ),
                )
                for o in readers
            ]
        )

    def talks(self) -> None:
        talk(self.units["ZFW"], self.campaign, self.officers, self.rng)


def talk(unit: Unit, campaign: Campaign, officers: list[Officer], rng: random.Random) -> int:
    """The campaign's 大家谈 topic, and the reflections of about four officers in five."""
    topic = Topic.objects.create(
        title="教育整顿大家谈:对照五个过硬查不足",
        unit=unit,
        campaign=campaign,
        prompt="对照政治过硬、业务过硬、责任过硬、纪律过硬、作风过硬,查找自身不足,写出整改打算。",
        due_on=dt.date(2021, 4, 10),
    )
    written = Reflection.objects.bulk_create(
        [
            Reflection(
                topic=topic,
                officer=o,
                unit=o.unit,
                shortcomings="理论学习不够系统,联系群众还不够紧密。",
                plans="每周坚持集中学习,主动走访群众,改进工作作风。",
                submitted_at=dt.datetime(2021, 4, 8, 21, tzinfo=TZ),
            )
            for o in officers
            if rng.random() < 0.78
        ],
        batch_size=5000,
    )
    return len(written)


def ensure_activity_types() -> None:
    """Seed the activity types from their data migration (the single list of them), for a
    database that lost them (a test that flushed its tables, an administrator's mistake)."""
    from importlib import import_module

    from django.apps import apps

    import_module("zhengfa.study.migrations.0002_activity_types").seed(apps, None)


def build(password: str) -> dict[str, int]:
    ensure_activity_types()
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        return {"activities": 0, "attendance": 0, "notes": 0}
    created = (
        {"activities": 0, "attendance": 0, "notes": 0}
        if Activity.objects.filter(campaign=campaign).exists()
        else Builder().build()
    )
    return {**created, **build_work()}


# --- This week's study, dated from the day the demo is built ------------------------------
CURRENT_TOPIC = "常态化教育整顿大家谈:我为群众办实事"


def build_work() -> dict[str, int]:
    """What the station officers find today: a lecture this afternoon and one tomorrow at
    their stations, yesterday's meeting waiting for their notes, a reflection to write."""
    from zhengfa.study import services

    if Topic.objects.filter(title=CURRENT_TOPIC).exists():
        return {"current activities": 0}
    now = timezone.localtime()
    today = now.date()
    bureau_leader = User.objects.get(username="gaj_leader")
    lecture = ActivityType.objects.get(code="lecture")
    meeting = ActivityType.objects.get(code="meeting")
    made = 0
    for code in ("GAJ-S01", "GAJ-S02"):
        station = Unit.objects.get(code=code)
        afternoon = dt.datetime.combine(today, dt.time(15, 0), tzinfo=now.tzinfo)
        if afternoon < now + dt.timedelta(minutes=30):
            afternoon = now + dt.timedelta(hours=1)
        for title, kind, start in (
            ("“我为群众办实事”专题学习", lecture, afternoon),
            ("所务会:学习《公安机关人民警察纪律条令》", meeting, afternoon + dt.timedelta(days=1)),
        ):
            services.activity_save(
                by=bureau_leader,
                title=title,
                type=kind,
                unit=station,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1, minutes=30),
                audience_units=[(station, True)],
                place="所会议室",
                notify_audience=False,
            )
            made += 1
        yesterday = now - dt.timedelta(days=1, hours=2)
        held = services.activity_save(
            by=bureau_leader,
            title="警示教育片观看讨论",
            type=meeting,
            unit=station,
            starts_at=yesterday,
            ends_at=yesterday + dt.timedelta(hours=1),
            audience_units=[(station, True)],
            place="所会议室",
            held=True,
            notify_audience=False,
        )
        services.sign_in_by_hand(
            activity=held,
            officers=list(Officer.objects.filter(unit=station, status=OfficerStatus.ACTIVE)),
            by=bureau_leader,
        )
        made += 1
    services.topic_create(
        by=bureau_leader,
        unit=Unit.objects.get(code="GAJ"),
        title=CURRENT_TOPIC,
        prompt="结合本岗位,写一写为群众办了哪些实事,还有哪些群众急难愁盼没有解决。",
        due_on=today + dt.timedelta(days=5),
    )
    return {"current activities": made}


# --- A synthetic county of a province: a year of study, in bulk inserts --------------------
MONTHLY = "{month}月集中学习"


def build_county(county: Any) -> dict[str, int]:
    """The county's 2021 study at Kangbao's proportions: the campaign's lectures, meetings and
    trainings in its study phase as in Kangbao, then each organ's monthly study from April to
    December; attendance, notes, speeches and minutes drawn as for Kangbao (photos are left
    out: no files are written for a synthetic county)."""
    rng = county.rng
    campaign = Campaign.objects.get(unit=county.unit("ZFW"))
    phases = list(campaign.phases.order_by("order"))
    types = {t.code: t for t in ActivityType.objects.all()}
    officers = [o for o in county.officers if o.status == OfficerStatus.ACTIVE]
    days = [
        campaign.starts_on + dt.timedelta(days=i)
        for i in range((dt.date(2021, 4, 15) - campaign.starts_on).days + 1)
    ]
    planned: list[tuple[str, str, str, dt.date, int, float, bool, bool]] = []
    for i, (organ, kind, title) in enumerate(LECTURES):
        planned.append(
            (organ, kind, title, days[(i * 2) % len(days)], 2, ATTEND_LECTURE, True, i % 7 != 6)
        )
    for kind, title, rounds in TRAININGS:
        for organ in ORGANS:
            for n in range(1, rounds + 1):
                name = f"{county.unit(organ).name}{title.format(n=n)}"
                day = days[rng.randrange(len(days))]
                planned.append(
                    (organ, kind, name, day, 4, ATTEND_TRAINING, organ != "ZFW", n % 5 != 0)
                )
    planned += [
        ("ZFW", "revolutionary", "革命传统教育", dt.date(2021, 3, 20), 3, 0.9, True, True),
        ("ZFW", "party_lecture", "县委书记专题讲党课", dt.date(2021, 3, 5), 2, 0.92, True, True),
        ("ZFW", "integrity", "廉政教育报告讲座", dt.date(2021, 4, 9), 2, 0.9, True, True),
    ]
    for month in range(4, 13):
        for organ in ORGANS:
            day = dt.date(2021, month, 10 + rng.randrange(10))
            planned.append(
                (
                    organ,
                    "meeting",
                    MONTHLY.format(month=month),
                    day,
                    2,
                    ATTEND_LECTURE,
                    organ != "ZFW",
                    True,
                )
            )

    def audience(unit: Unit, subunits: bool) -> list[Officer]:
        if subunits:
            return [o for o in officers if o.unit.path.startswith(unit.path)]
        return [o for o in officers if o.unit_id == unit.pk]

    activities: list[Activity] = []
    rows: list[tuple[Activity, Unit, bool, float, bool]] = []
    for organ, kind, title, day, hours, attend, subunits, evidence in planned:
        unit = county.unit(organ)
        start, end = _when(rng, day, rng.choice([9, 14, 15]), hours)
        phase = next((p for p in phases if p.starts_on <= day <= p.ends_on), None)
        activity = Activity(
            title=title,
            type=types[kind],
            unit=unit,
            campaign=campaign if phase else None,
            phase=phase,
            starts_at=start,
            ends_at=end,
            place=f"{unit.name}会议室",
            expected_count=len(audience(unit, subunits)),
            created_at=start - dt.timedelta(days=3),
        )
        activities.append(activity)
        rows.append((activity, unit, subunits, attend, evidence))
    Activity.objects.bulk_create(activities, batch_size=500)
    AudienceUnit.objects.bulk_create(
        [AudienceUnit(activity=a, unit=u, include_subunits=sub) for a, u, sub, _r, _e in rows]
    )
    attendance: list[Attendance] = []
    notes: list[Note] = []
    speeches: list[Speech] = []
    for activity, unit, subunits, attend, evidence in rows:
        present = 0
        gaps = (
            set(rng.sample(["notes", "speech", "minutes"], k=rng.choice([0] * 8 + [1, 2])))
            if evidence
            else {"notes", "speech", "minutes"}
        )
        for officer in audience(unit, subunits):
            row = _drawn_attendance(rng, activity, officer, attend)
            if row is None:
                continue
            attendance.append(row)
            if row.status == Attendance.Status.PRESENT:
                present += 1
                if "notes" not in gaps and rng.random() < 0.6:
                    notes.append(Note(activity=activity, officer=officer, text=rng.choice(NOTES)))
        if "speech" not in gaps:
            speeches += [
                Speech(
                    activity=activity,
                    speaker=who,
                    summary="结合学习内容谈体会,查摆自身不足,明确整改方向。",
                )
                for who in rng.sample(SPEAKERS, k=2)
            ]
        if "minutes" not in gaps:
            activity.minutes = (
                f"{activity.starts_at:%Y年%m月%d日},{unit.name}组织{activity.title}。"
                f"应到{activity.expected_count}人,实到{present}人。"
            )
    Activity.objects.bulk_update([a for a in activities if a.minutes], ["minutes"], batch_size=500)
    Attendance.objects.bulk_create(attendance, batch_size=5000)
    Note.objects.bulk_create(notes, batch_size=5000)
    Speech.objects.bulk_create(speeches, batch_size=1000)
    reflections = talk(county.unit("ZFW"), campaign, officers, rng)
    return {
        "activities": len(activities),
        "attendance": len(attendance),
        "notes": len(notes),
        "reflections": reflections,
    }
