"""The demo county: Kangbao (康保县), built from public facts and synthetic people.

Deterministic (one seeded random generator, everything generated in a fixed order) and
idempotent (records are found by their natural keys — area code, unit code, staff number,
user name — and only what is missing is created). Township and village codes are synthetic
(``130723-S01``, ``130723-S01-V001``): official codes are not known here and are not
invented. Village names and every person are synthetic.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from stdnum.cn import ric

from zhengfa.core.models import Notification

from . import services
from .access import Role
from .models import Area, AreaLevel, Mediator, MediatorKind, Officer, Unit, UnitKind, User

CITY = ("130700", "张家口市")
COUNTY = ("130723", "康保县")
TOWNS = ["康保镇", "张纪镇", "土城子镇", "邓油坊镇", "李家地镇", "照阳河镇", "屯垦镇"]
TOWNSHIPS = [
    "闫油坊乡",
    "丹清河乡",
    "哈咇嘎乡",
    "二号卜乡",
    "芦家营乡",
    "忠义乡",
    "处长地乡",
    "满德堂乡",
]
VILLAGE_COUNT = 327
TRIBUNAL_TOWNS = ["张纪镇", "土城子镇", "照阳河镇"]

SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯健俊帆鑫波宁亮志新海峰晨阳旭东晓雪梅琳"
)
VILLAGE_A = list("东西南北前后大小新上下中旧高")
VILLAGE_B = list("营沟滩湾梁堡洼坊窑房井泉庄台岭屯")
VILLAGE_C = ["", "一", "二", "三", "四"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    unit_code: str
    officer_of: str | None  # unit code of the officer profile, if the account is an officer
    note: str


def township_names() -> list[str]:
    return TOWNS + TOWNSHIPS


def _village_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = rng.choice(VILLAGE_A) + rng.choice(VILLAGE_B) + rng.choice(VILLAGE_C) + "村"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _id_number(rng: random.Random) -> str:
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 35 * 365))
    # Kangbao's area code was 132522 until 1993 and 130723 since; stdnum checks which was
    # in force in the birth year.
    area = "130723" if birth.year >= 1993 else "132522"
    body = f"{area}{birth:%Y%m%d}{rng.randrange(1, 999):03d}"
    # calc_check_digit expects a full-length number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


class DemoBuilder:
    def __init__(self, password: str) -> None:
        self.password = password
        self.rng = random.Random(130723)
        self.created: dict[str, int] = {"areas": 0, "units": 0, "officers": 0, "accounts": 0}
        self._names: set[str] = set()

    # --- areas -------------------------------------------------------------------------
    def area(self, code: str, name: str, level: str, parent: Area | None) -> Area:
        found = Area.objects.filter(code=code).first()
        if found:
            return found
        self.created["areas"] += 1
        return services.area_create(code=code, name=name, level=level, parent=parent)

    # --- units -------------------------------------------------------------------------
    def unit(
        self, code: str, name: str, kind: str, parent: Unit | None, areas: list[Area] | None = None
    ) -> Unit:
        found = Unit.objects.filter(code=code).first()
        if found:
            return found
        self.created["units"] += 1
        return services.unit_create(
            name=name, code=code, kind=kind, parent=parent, areas=areas or []
        )

    # --- people ------------------------------------------------------------------------
    def person_name(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2, 2]))
            )
            if name not in self._names:
                self._names.add(name)
                return name

    def officer(
        self,
        unit: Unit,
        number: str,
        position: str,
        auxiliary: bool = False,
        username: str | None = None,
        name: str | None = None,
        password: str | None = None,
    ) -> Officer:
        # Draw the random values first so that the sequence is the same on every run.
        name = name or self.person_name()
        id_number = _id_number(self.rng)
        phone = f"1{self.rng.choice('3578')}{self.rng.randrange(0, 10**9):09d}"
        found = Officer.objects.filter(staff_number=number).first()
        if found:
            return found
        self.created["officers"] += 1
        return services.officer_create(
            unit=unit,
            name=name,
            staff_number=number,
            position=position,
            is_auxiliary=auxiliary,
            work_phone=phone,
            id_number=id_number,
            username=username,
            password=password,
        )

    def staff(
        self,
        unit: Unit,
        prefix: str,
        start: int,
        count: int,
        positions: list[str],
        auxiliary: int = 0,
    ) -> None:
        """A unit's officers, in one bulk insert (the random draws as for one by one)."""
        planned = []
        for i in range(count):
            aux = i >= count - auxiliary
            planned.append(
                services.NewOfficer(
                    unit=unit,
                    name=self.person_name(),
                    id_number=_id_number(self.rng),
                    work_phone=f"1{self.rng.choice('3578')}{self.rng.randrange(0, 10**9):09d}",
                    staff_number=f"{prefix}{'F' if aux else ''}{start + i:04d}",
                    position="辅警" if aux else positions[i % len(positions)],
                    is_auxiliary=aux,
                )
            )
        existing = set(
            Officer.objects.filter(staff_number__in=[p.staff_number for p in planned]).values_list(
                "staff_number", flat=True
            )
        )
        missing = [p for p in planned if p.staff_number not in existing]
        services.officers_create_many(officers=missing)
        self.created["officers"] += len(missing)


ACCOUNTS = [
    DemoAccount(
        "sysadmin",
        "系统管理员",
        Role.SYSADMIN,
        "ZFW",
        None,
        "system administrator; sets up two-factor sign-in on first sign-in",
    ),
    DemoAccount("zfw", "政法委示例", Role.COMMITTEE, "ZFW", "ZFW", "county committee"),
    DemoAccount("fy_leader", "法院领导示例", Role.LEADER, "FY", "FY", "court leader"),
    DemoAccount("gaj_leader", "公安领导示例", Role.LEADER, "GAJ", "GAJ", "police bureau leader"),
    DemoAccount(
        "pcs_a", "派出所甲示例", Role.OFFICER, "GAJ-S01", "GAJ-S01", "officer of 康保镇派出所"
    ),
    DemoAccount(
        "pcs_b", "派出所乙示例", Role.OFFICER, "GAJ-S02", "GAJ-S02", "officer of 张纪镇派出所"
    ),
    DemoAccount("jiancha", "监督示例", Role.SUPERVISION, "ZFW", "ZFW", "supervision staff"),
    DemoAccount(
        "tiaojie",
        "调解员示例",
        Role.MEDIATOR,
        "SFJ-S01-V001",
        None,
        "people's mediator of a village mediation committee",
    ),
]


@transaction.atomic
def build(password: str) -> dict[str, int]:
    b = DemoBuilder(password)
    city = b.area(CITY[0], CITY[1], AreaLevel.CITY, None)
    county = b.area(COUNTY[0], COUNTY[1], AreaLevel.COUNTY, city)
    townships: list[Area] = []
    villages_of: dict[str, list[Area]] = {}
    names = township_names()
    per = [
        VILLAGE_COUNT // len(names) + (1 if i < VILLAGE_COUNT % len(names) else 0)
        for i in range(len(names))
    ]
    for i, name in enumerate(names, start=1):
        code = f"130723-S{i:02d}"
        t = b.area(code, name, AreaLevel.TOWNSHIP, county)
        townships.append(t)
        villages_of[code] = [
            b.area(f"{code}-V{j:03d}", vname, AreaLevel.VILLAGE, t)
            for j, vname in enumerate(_village_names(b.rng, per[i - 1]), start=1)
        ]

    zfw = b.unit("ZFW", "中共康保县委政法委员会", UnitKind.COMMITTEE, None, [county])
    fy = b.unit("FY", "康保县人民法院", UnitKind.COURT, zfw, [county])
    for i, town in enumerate(TRIBUNAL_TOWNS, start=1):
        b.unit(
            f"FY-T{i}",
            f"康保县人民法院{town.removesuffix('镇')}人民法庭",
            UnitKind.TRIBUNAL,
            fy,
            [t for t in townships if t.name == town],
        )
    b.unit("FY-SSTJ", "涉诉人民调解工作室", UnitKind.LITIGATION_MEDIATION, fy, [county])
    b.unit("FY-LSTJ", "律师调解工作室", UnitKind.LAWYER_STUDIO, fy, [county])
    b.unit("FY-XZZY", "康保县行政争议化解中心", UnitKind.ADMIN_DISPUTE_CENTRE, fy, [county])
    jcy = b.unit("JCY", "康保县人民检察院", UnitKind.PROCURATORATE, zfw, [county])
    gaj = b.unit("GAJ", "康保县公安局", UnitKind.POLICE, zfw, [county])
    sfj = b.unit("SFJ", "康保县司法局", UnitKind.JUSTICE, zfw, [county])
    stations: list[Unit] = []
    offices: list[Unit] = []
    for i, t in enumerate(townships, start=1):
        short = t.name
        stations.append(
            b.unit(
                f"GAJ-S{i:02d}",
                f"{short}派出所",
                UnitKind.POLICE_STATION,
                gaj,
                [t, *villages_of[t.code]],
            )
        )
        office = b.unit(
            f"SFJ-S{i:02d}",
            f"{short}司法所",
            UnitKind.JUSTICE_OFFICE,
            sfj,
            [t, *villages_of[t.code]],
        )
        offices.append(office)
        for j, v in enumerate(villages_of[t.code], start=1):
            b.unit(
                f"SFJ-S{i:02d}-V{j:03d}",
                f"{v.name}人民调解委员会",
                UnitKind.MEDIATION_COMMITTEE,
                office,
                [v],
            )

    # Officers: about 600, in a fixed order.
    b.staff(zfw, "ZF", 1, 12, ["专职副书记", "办公室主任", "科员", "督查员"])
    b.staff(fy, "FY", 1, 60, ["审判员", "书记员", "法官助理", "法警", "执行员"])
    for i in range(1, len(TRIBUNAL_TOWNS) + 1):
        b.staff(
            Unit.objects.get(code=f"FY-T{i}"), "FY", 100 + i * 10, 6, ["庭长", "审判员", "书记员"]
        )
    b.staff(jcy, "JC", 1, 45, ["检察官", "检察官助理", "书记员", "司法警察"])
    b.staff(gaj, "GA", 1, 170, ["民警", "侦查员", "科员", "治安民警", "交警"], auxiliary=30)
    for i, station in enumerate(stations, start=1):
        b.staff(
            station, f"P{i:02d}", 1, 15, ["所长", "教导员", "社区民警", "民警", "民警"], auxiliary=5
        )
    b.staff(sfj, "SF", 1, 25, ["局长", "科员", "社区矫正专干", "法律援助专干"])
    for i, office in enumerate(offices, start=1):
        b.staff(office, f"S{i:02d}", 1, 3, ["所长", "司法助理员"])

    # Demo accounts, one per role.
    for acc in ACCOUNTS:
        unit = Unit.objects.get(code=acc.unit_code)
        user = User.objects.filter(username=acc.username).first()
        if user is None:
            b.created["accounts"] += 1
            if acc.officer_of:
                officer = b.officer(
                    Unit.objects.get(code=acc.officer_of),
                    f"DEMO-{acc.username.upper()}",
                    "示例账号",
                    username=acc.username,
                    name=acc.name,
                    password=password,
                )
                user = officer.user
            elif acc.role == Role.MEDIATOR:
                user = services.mediator_create(
                    organisation=unit,
                    name=acc.name,
                    kind=MediatorKind.PEOPLE,
                    username=acc.username,
                    password=password,
                ).user
            else:
                user = services.user_create(username=acc.username, name=acc.name, password=password)
        services.role_assign(user=user, role=acc.role, unit=unit)

    # Until the mediation module brings his cases, the mediator's work arrives as a notice.
    mediator = User.objects.get(username="tiaojie")
    Notification.objects.get_or_create(
        user=mediator,
        key="demo:mediator-training",
        defaults={
            "title": "县司法局通知:本周五上午在司法所举办人民调解员业务培训,请准时参加。",
        },
    )
    return b.created


def summary() -> dict[str, Any]:
    return {
        "areas": Area.objects.count(),
        "villages": Area.objects.filter(level=AreaLevel.VILLAGE).count(),
        "units": Unit.objects.count(),
        "officers": Officer.objects.count(),
        "mediators": Mediator.objects.count(),
    }
