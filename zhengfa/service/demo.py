"""Service to the people in the demo county: every village assigned an officer of its
township's police station (from 2021-01-04, the officers taking the villages in turn) and a
village group for most villages, with a join code valid for a week from the day the demo is
built; the services that take appointments, with holiday hours over the Spring Festival of
2021 (11–17 February) and their appointments; home visits; the 27 volunteer services of the
campaign to 15 April 2021; the county's 12 convenience measures. Each synthetic county of a
province gets the same, in bulk."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhengfa.core.attachments import IMAGE_TYPES, attach
from zhengfa.org.models import AreaLevel, Officer, OfficerStatus, Unit, UnitKind

from .models import (
    DEFAULT_DUTIES,
    Appointment,
    AppointmentState,
    HomeVisit,
    HomeVisitState,
    Measure,
    MeasureUpdate,
    Offer,
    Opening,
    ServiceKind,
    Slot,
    VillageGroup,
    VillagePost,
    VolunteerActivity,
)
from .services import GROUP_CODE

ASSIGNED_ON = dt.date(2021, 1, 4)
HOURS = ["每周二、周五上午在村委会", "每周一、周四下午在村委会", "每周三全天在村委会"]


def _stations(root: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(path__startswith=root.path, kind=UnitKind.POLICE_STATION)
        .prefetch_related("areas")
        .order_by("path")
    )


def _assign(
    stations: list[Unit], rng: random.Random
) -> tuple[list[VillagePost], list[VillageGroup]]:
    posts, groups = [], []
    today = timezone.localdate()
    for station in stations:
        villages = sorted(
            (a for a in station.areas.all() if a.level == AreaLevel.VILLAGE), key=lambda a: a.code
        )
        officers = list(
            Officer.objects.filter(unit=station, status=OfficerStatus.ACTIVE).order_by(
                "staff_number"
            )
        )
        if not officers:
            continue
        for i, village in enumerate(villages):
            posts.append(
                VillagePost(
                    village=village,
                    officer=officers[i % len(officers)],
                    unit=station,
                    starts_on=ASSIGNED_ON,
                    duties=str(DEFAULT_DUTIES),
                    office_hours=rng.choice(HOURS),
                )
            )
            if rng.random() < 0.85:
                groups.append(
                    VillageGroup(
                        village=village,
                        unit=station,
                        name=f"{village.name}警民联系群",
                        members=rng.randrange(80, 480),
                        code_expires_on=None
                        if rng.random() < 0.2
                        else today + dt.timedelta(days=7),
                    )
                )
    return posts, groups


def build(password: str) -> dict[str, int]:
    root = Unit.objects.filter(code="ZFW").first()
    if root is None:
        return {}
    counts = {"village officers": 0, "village groups": 0}
    if not VillagePost.objects.filter(unit__path__startswith=root.path).exists():
        posts, groups = _assign(_stations(root), random.Random("service kangbao"))
        VillagePost.objects.bulk_create(posts, batch_size=500)
        VillageGroup.objects.bulk_create(groups, batch_size=500)
        for group in VillageGroup.objects.exclude(code_expires_on=None).select_related("village"):
            _code_picture(group)
        counts = {"village officers": len(posts), "village groups": len(groups)}
    units = {u.code: u for u in Unit.objects.filter(path__startswith=root.path)}
    if not Offer.objects.filter(unit__path__startswith=root.path).exists():
        counts |= build_work(units, random.Random("service work kangbao"), kangbao=True)
    return counts


def _code_picture(group: VillageGroup) -> None:
    """A stand-in for the group's WeChat join code: a QR code of the group's name."""
    buffer = io.BytesIO()
    segno.make(f"demo:{group.name}", error="m").save(buffer, kind="png", scale=6, border=2)
    upload = SimpleUploadedFile("group-code.png", buffer.getvalue(), content_type="image/png")
    attach(record=group, upload=upload, by=None, purpose=GROUP_CODE, accept=IMAGE_TYPES)


def build_county(county: Any) -> dict[str, int]:
    """Every village of a synthetic county assigned; its groups without join codes (the
    pictures are the demo county's alone)."""
    root = county.unit("ZFW")
    posts, groups = _assign(_stations(root), county.rng)
    for group in groups:
        group.code_expires_on = None
    VillagePost.objects.bulk_create(posts, batch_size=500)
    VillageGroup.objects.bulk_create(groups, batch_size=500)
    return {
        "village officers": len(posts),
        "village groups": len(groups),
        **build_work(county.units, county.rng, kangbao=False),
    }


# --- Appointments, home visits, volunteer services and measures ------------------------------

TZ = dt.timezone(dt.timedelta(hours=8))
SPRING_FESTIVAL = [dt.date(2021, 2, 11) + dt.timedelta(days=i) for i in range(7)]
HISTORY = (dt.date(2021, 1, 4), dt.date(2021, 4, 15))
CAMPAIGN = (dt.date(2021, 2, 27), dt.date(2021, 4, 15))
NAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "建国", "志强", "玉梅", "海军", "春花", "国庆", "丽娜", "文博", "子涵"]
VOLUNTEER = [
    ("法治宣传进乡村", "村文化广场"),
    ("反电信网络诈骗宣传进集市", "镇集贸市场"),
    ("义务植树", "县城北山"),
    ("交通安全宣传进校园", "县第一中学"),
    ("法律援助咨询服务", "县政务服务中心"),
    ("关爱留守儿童", "镇中心小学"),
    ("慰问敬老院老人", "县敬老院"),
    ("扫黑除恶专项斗争宣传", "县城人民广场"),
    ("禁毒宣传", "县职教中心"),
    ("民法典宣讲进社区", "社区服务站"),
    ("为民办实事帮扶春耕", "村农田"),
    ("清理农村人居环境", "村道"),
]
MEASURES = [
    ("ZFW", "开通“政法为民”一站式服务热线", [(100, "done")]),
    ("GAJ", "户籍业务节假日预约服务", [(40, "underway"), (100, "done"), (100, "routine")]),
    ("GAJ", "为行动不便群众上门办理身份证", [(50, "underway"), (100, "routine")]),
    ("GAJ", "“一村一警”全覆盖", [(60, "underway"), (100, "done")]),
    ("GAJ", "交通违法处理“最多跑一次”", [(30, "underway"), (70, "underway")]),
    ("FY", "诉讼服务中心延时服务", [(100, "routine")]),
    ("FY", "巡回审判进村入户", [(20, "underway"), (45, "underway")]),
    ("JCY", "检察服务热线12309限时答复", [(80, "underway")]),
    ("SFJ", "法律援助“即来即办”", [(100, "done")]),
    ("SFJ", "村(居)法律顾问全覆盖", [(50, "underway"), (90, "underway")]),
    ("SFJ", "公证服务预约上门", [(0, "planned")]),
    ("ZFW", "矛盾纠纷多元化解“一站式”平台", [(30, "underway"), (60, "underway")]),
]


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _person(rng: random.Random) -> str:
    return rng.choice(NAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return f"13{rng.randrange(0, 10)}{rng.randrange(0, 10**8):08d}"


Step = tuple[str, str, str, dt.datetime, str, bool]


def _events(records: list[Any], steps: dict[int, list[Step]]) -> None:
    """The history of records made in bulk: (transition, from, to, time, comment, public)."""
    if not records:
        return
    from django.contrib.contenttypes.models import ContentType

    from zhengfa.core.models import TimelineEvent

    kind = ContentType.objects.get_for_model(type(records[0]))
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                content_type=kind,
                object_id=r.pk,
                transition=name,
                from_state=source,
                to_state=target,
                time=when,
                comment=comment,
                public=public,
                by_citizen=name in {"start", "cancel"} and r.by_id is None,
                unit_name="" if name in {"start", "cancel"} else r.unit.name,
            )
            for r in records
            for name, source, target, when, comment, public in steps[r.pk]
        ],
        batch_size=1000,
    )


def _offers(units: dict[str, Unit]) -> list[Offer]:
    """The services each county takes appointments for, with their weekly hours."""
    made = []
    plan = [
        ("GAJ", ServiceKind.HOUSEHOLD, "身份证办理", "县政务服务中心公安户政窗口"),
        ("SFJ", ServiceKind.LEGAL, "法律咨询", "县公共法律服务中心"),
        ("FY", ServiceKind.MEDIATION, "调解咨询", "县法院诉讼服务中心"),
    ]
    plan += [
        (code, ServiceKind.HOUSEHOLD, "户籍业务", f"{u.name}户籍室")
        for code, u in units.items()
        if u.kind == UnitKind.POLICE_STATION
    ]
    for code, kind, name, place in plan:
        if code not in units:
            continue
        made.append(
            Offer(
                unit=units[code],
                kind=kind,
                name=name,
                place=place,
                description="居民户口簿、本人身份证;代办须带委托书。"
                if kind == ServiceKind.HOUSEHOLD
                else "与事情有关的材料(合同、票据、照片等)。",
                min_notice_hours=2,
                horizon_days=14,
            )
        )
    Offer.objects.bulk_create(made)
    made = list(Offer.objects.filter(unit__in=[o.unit for o in made]).order_by("pk"))
    openings = []
    for offer in made:
        openings += [
            Opening(offer=offer, opens=dt.time(8, 30), closes=dt.time(11, 30), capacity=3),
            Opening(offer=offer, opens=dt.time(14, 30), closes=dt.time(17, 0), capacity=3),
        ]
        if offer.kind == ServiceKind.HOUSEHOLD:
            # Spring Festival 2021: ID cards for workers home for the holiday (节假日预约).
            openings += [
                Opening(
                    offer=offer,
                    day=day,
                    opens=dt.time(9),
                    closes=dt.time(12),
                    slot_minutes=60,
                    capacity=6,
                )
                for day in SPRING_FESTIVAL
            ]
    Opening.objects.bulk_create(openings, batch_size=1000)
    return made


def _appointments(offers: list[Offer], rng: random.Random, scale: float = 1.0) -> int:
    """Holiday appointments over the Spring Festival of 2021 and the weekday ones of the
    first months of 2021, served, missed or cancelled."""
    household = [o for o in offers if o.kind == ServiceKind.HOUSEHOLD]
    wanted: list[tuple[Offer, dt.datetime, int, bool]] = []
    for day in SPRING_FESTIVAL:
        for offer in rng.sample(household, min(len(household), max(1, int(5 * scale)))):
            hour = rng.choice([9, 10, 11])
            wanted.append((offer, _at(day, hour), 60, True))
    day = HISTORY[0]
    from .calendar import is_working_day

    while day <= HISTORY[1]:
        if is_working_day(day):
            for _ in range(int(rng.random() * 5 * scale)):
                offer = rng.choice(offers)
                start = _at(day, rng.choice([8, 9, 10, 14, 15, 16]), 30)
                wanted.append((offer, start, 30, False))
        day += dt.timedelta(days=1)
    slots: dict[tuple[int, dt.datetime], Slot] = {}
    for offer, start, minutes, holiday in wanted:
        key = (offer.pk, start)
        if key not in slots:
            slots[key] = Slot(
                offer=offer,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=minutes),
                capacity=6 if holiday else 3,
                holiday=holiday,
            )
        if slots[key].booked < slots[key].capacity:
            slots[key].booked += 1
    Slot.objects.bulk_create(list(slots.values()), batch_size=1000)
    made: list[Appointment] = []
    fates: list[str] = []
    for slot in slots.values():
        for _ in range(slot.booked):
            fate = rng.choices(
                [AppointmentState.DONE, AppointmentState.NO_SHOW, AppointmentState.CANCELLED],
                [86, 6, 8],
            )[0]
            fates.append(fate)
            booked_at = slot.starts_at - dt.timedelta(days=rng.randrange(1, 6), hours=3)
            made.append(
                Appointment(
                    offer=slot.offer,
                    slot=slot,
                    unit=slot.offer.unit,
                    name=_person(rng),
                    phone=_phone(rng),
                    note="春节回乡,办理身份证" if slot.holiday and rng.random() < 0.5 else "",
                    holiday=slot.holiday,
                    state=fate,
                    created_at=booked_at,
                    state_changed_at=slot.starts_at + dt.timedelta(minutes=20),
                    reminded_at=slot.starts_at - dt.timedelta(hours=18),
                )
            )
    Appointment.objects.bulk_create(made, batch_size=1000)
    # A cancelled appointment gave its place back.
    for a in made:
        if a.state == AppointmentState.CANCELLED:
            a.slot.booked -= 1
    Slot.objects.bulk_update(list(slots.values()), ["booked"], batch_size=1000)
    steps: dict[int, list[Step]] = {}
    for a in made:
        history: list[Step] = [("start", "", AppointmentState.BOOKED, a.created_at, "", True)]
        if a.state == AppointmentState.CANCELLED:
            history.append(
                (
                    "cancel",
                    AppointmentState.BOOKED,
                    a.state,
                    a.created_at + dt.timedelta(hours=20),
                    "",
                    True,
                )
            )
        else:
            history.append(
                (
                    "confirm",
                    AppointmentState.BOOKED,
                    AppointmentState.CONFIRMED,
                    a.created_at + dt.timedelta(hours=2),
                    "",
                    True,
                )
            )
            history.append(
                (
                    a.state,
                    AppointmentState.CONFIRMED,
                    a.state,
                    a.state_changed_at,
                    "",
                    a.state == AppointmentState.DONE,
                )
            )
        steps[a.pk] = history
    _events(made, steps)
    return len(made)


def _visits(units: dict[str, Unit], rng: random.Random, count: int) -> int:
    """Home visits over the first months of 2021: most made within days, a few declined."""
    posts = list(
        VillagePost.objects.filter(
            unit__in=[u for u in units.values() if u.kind == UnitKind.POLICE_STATION],
            ends_on__isnull=True,
        ).select_related("village", "officer", "unit")
    )
    if not posts:
        return 0
    made = []
    needs = [
        ("elderly", "身份证到期,老人卧床,需上门采集照片"),
        ("disabled", "残疾人证明相关户籍证明材料"),
        ("ill", "住院治疗,需办理户口迁移手续咨询"),
        ("elderly", "咨询赡养纠纷,希望民警上门调解"),
        ("disabled", "行动不便,需办理居住证明"),
    ]
    span = (HISTORY[1] - HISTORY[0]).days
    for i in range(count):
        post = rng.choice(posts)
        reason, need = rng.choice(needs)
        asked = _at(HISTORY[0] + dt.timedelta(days=rng.randrange(span - 5)), rng.randrange(8, 18))
        declined = i % 15 == 14
        visited = (asked + dt.timedelta(days=rng.randrange(1, 5))).date()
        made.append(
            HomeVisit(
                village=post.village,
                unit=post.unit,
                officer=post.officer,
                person=_person(rng),
                address=f"{post.village.name}{rng.randrange(1, 8)}组{rng.randrange(1, 60)}号",
                phone=_phone(rng),
                need=need,
                reason=reason,
                requester="" if rng.random() < 0.6 else _person(rng) + "(家属)",
                state=HomeVisitState.DECLINED if declined else HomeVisitState.DONE,
                created_at=asked,
                state_changed_at=asked + dt.timedelta(days=1) if declined else _at(visited, 16),
                scheduled_for=None if declined else _at(visited, 10),
                visited_on=None if declined else visited,
            )
        )
    HomeVisit.objects.bulk_create(made, batch_size=1000)
    steps: dict[int, list[Step]] = {}
    for v in made:
        history: list[Step] = [("start", "", HomeVisitState.REQUESTED, v.created_at, "", True)]
        if v.state == HomeVisitState.DECLINED:
            history.append(
                (
                    "decline",
                    HomeVisitState.REQUESTED,
                    v.state,
                    v.state_changed_at,
                    "该事项由民政所办理,已转告村委会协助。",
                    True,
                )
            )
        else:
            assert v.scheduled_for is not None and v.visited_on is not None
            history += [
                (
                    "schedule",
                    HomeVisitState.REQUESTED,
                    HomeVisitState.SCHEDULED,
                    v.created_at + dt.timedelta(hours=3),
                    f"已安排在{v.visited_on:%Y-%m-%d} 10:00上门。",
                    True,
                ),
                (
                    "done",
                    HomeVisitState.SCHEDULED,
                    v.state,
                    v.state_changed_at,
                    "已上门办理,群众满意。",
                    False,
                ),
            ]
        steps[v.pk] = history
    _events(made, steps)
    return len(made)


def _volunteer(units: dict[str, Unit], officers: list[Officer], rng: random.Random) -> int:
    """27 volunteer services between the campaign's start and 15 April 2021."""
    organisers = [u for code, u in units.items() if code in {"ZFW", "FY", "JCY", "GAJ", "SFJ"}]
    organisers += [u for u in units.values() if u.kind == UnitKind.POLICE_STATION][:6]
    span = (CAMPAIGN[1] - CAMPAIGN[0]).days
    made = []
    crews: list[list[Officer]] = []
    for i in range(27):
        unit = organisers[i % len(organisers)]
        title, place = VOLUNTEER[i % len(VOLUNTEER)]
        of_unit = [o for o in officers if o.unit.path.startswith(unit.path)]
        if not of_unit:
            continue
        crews.append(rng.sample(of_unit, min(len(of_unit), rng.randrange(4, 13))))
        made.append(
            VolunteerActivity(
                title=title,
                unit=unit,
                held_on=CAMPAIGN[0] + dt.timedelta(days=(i * span) // 26),
                place=place,
                hours=Decimal(rng.choice(["2", "2.5", "3", "4"])),
                served=rng.randrange(40, 500),
                description=f"{unit.name}组织干警开展{title}活动。",
                created_at=_at(CAMPAIGN[0] + dt.timedelta(days=(i * span) // 26), 18),
            )
        )
    VolunteerActivity.objects.bulk_create(made)
    through = VolunteerActivity.officers.through
    through.objects.bulk_create(
        [
            through(volunteeractivity=a, officer=o)
            for a, crew in zip(made, crews, strict=True)
            for o in crew
        ],
        batch_size=1000,
    )
    return len(made)


def _measures(units: dict[str, Unit], rng: random.Random) -> int:
    """The county's 12 convenience measures, launched in March 2021, at various stages, one
    of them in parts (each police station's holiday appointments)."""
    made = 0
    for number, (code, title, steps) in enumerate(MEASURES, start=1):
        if code not in units:
            continue
        launched = dt.date(2021, 3, 1) + dt.timedelta(days=number)
        measure = Measure.objects.create(
            unit=units[code],
            number=number,
            title=title,
            description=f"{title},方便群众办事。",
            launched_on=launched,
        )
        made += 1
        if number == 2:
            stations = [u for u in units.values() if u.kind == UnitKind.POLICE_STATION][:3]
            for j, station in enumerate(stations):
                part = Measure.objects.create(
                    unit=station,
                    parent=measure,
                    title=f"{station.name}节假日预约窗口",
                    description="周末及节假日开放户籍预约窗口。",
                    launched_on=launched,
                    weight=2 if j == 0 else 1,
                )
                _steps(part, [(100, "done")] if j < 2 else [(50, "underway")], launched)
            from .services import roll_up

            roll_up(measure.pk)
            continue
        _steps(measure, steps, launched)
    return made


def _steps(measure: Measure, steps: list[tuple[int, str]], launched: dt.date) -> None:
    day = launched
    for progress, state in steps:
        day += dt.timedelta(days=10)
        MeasureUpdate.objects.create(
            measure=measure,
            on=day,
            progress=progress,
            state=state,
            milestone={
                "planned": "制定实施方案。",
                "underway": f"已完成约{progress}%,正在推进。",
                "done": "全部落实到位。",
                "routine": "已形成常态化机制。",
            }[state],
        )
    if steps:
        Measure.objects.filter(pk=measure.pk).update(
            progress=steps[-1][0], state=steps[-1][1], updated_on=day
        )


def _recent(offers: list[Offer], rng: random.Random) -> int:
    """Work for the demo's staff now: a few appointments in the coming days, and holiday
    hours on the next two days off at the county's ID card window."""
    from . import services
    from .calendar import is_working_day

    today = timezone.localdate()
    window = next((o for o in offers if o.unit.code == "GAJ"), None)
    if window is not None:
        days_off = [
            today + dt.timedelta(days=i)
            for i in range(1, 15)
            if not is_working_day(today + dt.timedelta(days=i))
        ][:2]
        Opening.objects.bulk_create(
            [
                Opening(
                    offer=window,
                    day=d,
                    opens=dt.time(9),
                    closes=dt.time(12),
                    slot_minutes=60,
                    capacity=5,
                )
                for d in days_off
            ]
        )
    # Two requests for home visits waiting on the demo officer pcs_a (his station's first
    # villages are made his).
    demo_officer = Officer.objects.filter(user__username="pcs_a").first()
    if demo_officer is not None:
        posts = VillagePost.objects.filter(unit=demo_officer.unit, ends_on__isnull=True).order_by(
            "village__code"
        )[:2]
        VillagePost.objects.filter(pk__in=[p.pk for p in posts]).update(officer=demo_officer)
        for post, (person, need) in zip(
            posts,
            [("赵桂兰", "老人卧床,身份证到期需换领"), ("孙国庆", "腿部骨折,咨询户口迁移")],
            strict=False,
        ):
            services.visit_request(
                village=post.village,
                person=person,
                address=f"{post.village.name}2组8号",
                phone=_phone(rng),
                need=need,
                reason="elderly" if person == "赵桂兰" else "ill",
                preferred="工作日上午",
            )
    booked = 0
    for offer in offers[:4]:
        free = [
            s
            for d in services.days_open(offer)[:3]
            for s in services.slots_on(offer, d["day"])
            if s.left and not services.bookable(offer, s.starts_at)
        ]
        for slot in free[:2]:
            services.book(
                offer=offer, starts_at=slot.starts_at, name=_person(rng), phone=_phone(rng)
            )
            booked += 1
    return booked


def _photo(seed: int) -> SimpleUploadedFile:
    """A stand-in photo: a small picture in one of a few colours."""
    from PIL import Image

    colours = [(176, 58, 46), (31, 97, 141), (30, 132, 73), (183, 149, 11), (108, 52, 131)]
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), colours[seed % len(colours)]).save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _photos() -> None:
    """Photos on some of the demo county's volunteer services and measures' steps."""
    for i, activity in enumerate(VolunteerActivity.objects.order_by("held_on", "pk")[:27:4]):
        attach(record=activity, upload=_photo(i), by=None, accept=IMAGE_TYPES)
    done = MeasureUpdate.objects.filter(state__in=["done", "routine"]).order_by("pk")
    for i, update in enumerate(done[:6]):
        attach(record=update, upload=_photo(i + 2), by=None, accept=IMAGE_TYPES)


def build_work(units: dict[str, Unit], rng: random.Random, *, kangbao: bool) -> dict[str, int]:
    officers = list(
        Officer.objects.filter(
            unit__in=list(units.values()), status=OfficerStatus.ACTIVE
        ).select_related("unit")
    )
    offers = _offers(units)
    counts = {
        "services for appointments": len(offers),
        "appointments": _appointments(offers, rng),
        "home visits": _visits(units, rng, 36),
        "volunteer services": _volunteer(units, officers, rng),
        "convenience measures": _measures(units, rng),
    }
    if kangbao:
        counts["appointments"] += _recent(offers, rng)
        _photos()
    return counts
