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

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from stdnum.cn import ric

from zhengfa.core.scope import access_changed

from . import services
from .access import Role
from .models import (
    Area,
    AreaLevel,
    Mediator,
    MediatorKind,
    Officer,
    RoleAssignment,
    Unit,
    UnitKind,
    User,
)

CITY = ("130700", "张家口市")
COUNTY = ("130723", "康保县")
# A province (``seed_demo --counties N``): Hebei and Zhangjiakou above Kangbao, the synthetic
# counties under synthetic cities of up to COUNTIES_PER_CITY each.
PROVINCE = ("130000", "河北省")
PROVINCE_UNIT = ("HB-ZFW", "中共河北省委政法委员会")
CITY_UNIT = ("ZJK-ZFW", "中共张家口市委政法委员会")
COUNTIES_PER_CITY = 16
ORGANS = ("ZFW", "FY", "JCY", "GAJ", "SFJ")
PLACE_A = list("安宁平永和兴丰德新清广顺长泰高东西南北")
PLACE_B = list("城阳山河源泉川林原台水州定远乐华")
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
        "zfw_city",
        "市委政法委示例",
        Role.COMMITTEE,
        "XC01-ZFW",
        "XC01-ZFW",
        "committee of the first synthetic city (a province only)",
    ),
    DemoAccount(
        "zfw_province",
        "省委政法委示例",
        Role.COMMITTEE,
        PROVINCE_UNIT[0],
        PROVINCE_UNIT[0],
        "province committee (a province only)",
    ),
    DemoAccount(
        "tiaojie",
        "调解员示例",
        Role.MEDIATOR,
        "SFJ-S01-V001",
        None,
        "people's mediator of a village mediation committee",
    ),
]


@dataclass(frozen=True)
class PlannedUnit:
    code: str  # Kangbao's code; a synthetic county's units carry its prefix before it
    name: str
    kind: str
    parent: str | None  # Kangbao's code of the parent unit (None: the county committee)
    areas: tuple[str, ...]


@dataclass(frozen=True)
class PlannedStaff:
    unit: str
    prefix: str
    start: int
    count: int
    positions: tuple[str, ...]
    auxiliary: int = 0


@dataclass
class CountyPlan:
    """A county's areas, units and staff, before anything is written: the one description
    of a county, built into the database one by one (Kangbao, idempotent) or in bulk (the
    synthetic counties of a province)."""

    area_code: str
    name: str
    areas: list[tuple[str, str, str, str]]  # code, name, level, parent code
    units: list[PlannedUnit]
    staff: list[PlannedStaff]


def plan_county(
    rng: random.Random, area_code: str, name: str, towns: list[str], tribunal_towns: list[str]
) -> CountyPlan:
    """Kangbao's structure for a county: 15 townships and their villages, the committee, the
    court with its tribunals and studios, the procuratorate, the police bureau with a station
    per township, the justice bureau with an office per township and a mediation committee per
    village; about 600 officers. Village names are drawn from `rng`, in a fixed order."""
    county = (area_code,)
    plan = CountyPlan(area_code, name, [], [], [])
    per = [
        VILLAGE_COUNT // len(towns) + (1 if i < VILLAGE_COUNT % len(towns) else 0)
        for i in range(len(towns))
    ]
    villages_of: dict[str, list[str]] = {}
    for i, town in enumerate(towns, start=1):
        code = f"{area_code}-S{i:02d}"
        plan.areas.append((code, town, AreaLevel.TOWNSHIP, area_code))
        villages_of[code] = []
        for j, vname in enumerate(_village_names(rng, per[i - 1]), start=1):
            plan.areas.append((f"{code}-V{j:03d}", vname, AreaLevel.VILLAGE, code))
            villages_of[code].append(f"{code}-V{j:03d}")
    town_codes = {town: f"{area_code}-S{i:02d}" for i, town in enumerate(towns, start=1)}

    def unit(code: str, uname: str, kind: str, parent: str | None, areas: tuple[str, ...]) -> None:
        plan.units.append(PlannedUnit(code, uname, kind, parent, areas))

    unit("ZFW", f"中共{name}委政法委员会", UnitKind.COMMITTEE, None, county)
    unit("FY", f"{name}人民法院", UnitKind.COURT, "ZFW", county)
    for i, town in enumerate(tribunal_towns, start=1):
        short = town.removesuffix("镇").removesuffix("乡")
        unit(
            f"FY-T{i}",
            f"{name}人民法院{short}人民法庭",
            UnitKind.TRIBUNAL,
            "FY",
            (town_codes[town],),
        )
    unit("FY-SSTJ", "涉诉人民调解工作室", UnitKind.LITIGATION_MEDIATION, "FY", county)
    unit("FY-LSTJ", "律师调解工作室", UnitKind.LAWYER_STUDIO, "FY", county)
    unit("FY-XZZY", f"{name}行政争议化解中心", UnitKind.ADMIN_DISPUTE_CENTRE, "FY", county)
    unit("JCY", f"{name}人民检察院", UnitKind.PROCURATORATE, "ZFW", county)
    unit("GAJ", f"{name}公安局", UnitKind.POLICE, "ZFW", county)
    unit("SFJ", f"{name}司法局", UnitKind.JUSTICE, "ZFW", county)
    for i, town in enumerate(towns, start=1):
        served = (town_codes[town], *villages_of[town_codes[town]])
        unit(f"GAJ-S{i:02d}", f"{town}派出所", UnitKind.POLICE_STATION, "GAJ", served)
        unit(f"SFJ-S{i:02d}", f"{town}司法所", UnitKind.JUSTICE_OFFICE, "SFJ", served)
        for j, village in enumerate(villages_of[town_codes[town]], start=1):
            vname = next(a[1] for a in plan.areas if a[0] == village)
            unit(
                f"SFJ-S{i:02d}-V{j:03d}",
                f"{vname}人民调解委员会",
                UnitKind.MEDIATION_COMMITTEE,
                f"SFJ-S{i:02d}",
                (village,),
            )

    def staff(*args: Any, auxiliary: int = 0) -> None:
        unit_code, prefix, first, count, positions = args
        plan.staff.append(
            PlannedStaff(unit_code, prefix, first, count, tuple(positions), auxiliary)
        )

    # Officers: about 600, in a fixed order.
    staff("ZFW", "ZF", 1, 12, ["专职副书记", "办公室主任", "科员", "督查员"])
    staff("FY", "FY", 1, 60, ["审判员", "书记员", "法官助理", "法警", "执行员"])
    for i in range(1, len(tribunal_towns) + 1):
        staff(f"FY-T{i}", "FY", 100 + i * 10, 6, ["庭长", "审判员", "书记员"])
    staff("JCY", "JC", 1, 45, ["检察官", "检察官助理", "书记员", "司法警察"])
    staff("GAJ", "GA", 1, 170, ["民警", "侦查员", "科员", "治安民警", "交警"], auxiliary=30)
    for i in range(1, len(towns) + 1):
        staff(
            f"GAJ-S{i:02d}",
            f"P{i:02d}",
            1,
            15,
            ["所长", "教导员", "社区民警", "民警", "民警"],
            auxiliary=5,
        )
    staff("SFJ", "SF", 1, 25, ["局长", "科员", "社区矫正专干", "法律援助专干"])
    for i in range(1, len(towns) + 1):
        staff(f"SFJ-S{i:02d}", f"S{i:02d}", 1, 3, ["所长", "司法助理员"])
    return plan


@transaction.atomic
def build(password: str) -> dict[str, int]:
    b = DemoBuilder(password)
    # In a province (``seed_demo --counties N``) the city and province come first.
    city_area = Area.objects.filter(code=CITY[0]).first()
    city = city_area or b.area(CITY[0], CITY[1], AreaLevel.CITY, None)
    county = b.area(COUNTY[0], COUNTY[1], AreaLevel.COUNTY, city)
    plan = plan_county(b.rng, COUNTY[0], COUNTY[1], township_names(), TRIBUNAL_TOWNS)
    areas = {county.code: county}
    for code, name, level, parent in plan.areas:
        areas[code] = b.area(code, name, level, areas[parent])
    units: dict[str, Unit] = {}
    above = Unit.objects.filter(code=CITY_UNIT[0]).first()
    for pu in plan.units:
        up = units[pu.parent] if pu.parent else above
        units[pu.code] = b.unit(pu.code, pu.name, pu.kind, up, [areas[c] for c in pu.areas])
    for st in plan.staff:
        b.staff(units[st.unit], st.prefix, st.start, st.count, list(st.positions), st.auxiliary)

    accounts(b)
    return b.created


def accounts(b: DemoBuilder) -> None:
    """The demo accounts, one per role; those of a province only when it is one."""
    password = b.password
    for acc in ACCOUNTS:
        unit = Unit.objects.filter(code=acc.unit_code).first()
        if unit is None:
            continue
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


# --- A province of synthetic counties -------------------------------------------------------
@dataclass
class County:
    """One synthetic county of a province, as each module's ``DemoBuilder.county`` sees it
    when it adds its year of records (in bulk, from the county's own random generator, so a
    county's data is the same whatever the number of counties)."""

    index: int
    name: str
    prefix: str  # before Kangbao's unit codes: "X002-" + "GAJ-S01"
    units: dict[str, Unit]  # by Kangbao's code
    officers: list[Officer]  # serving, each with .unit
    rng: random.Random

    def unit(self, code: str) -> Unit:
        return self.units[code]

    def lead(self, code: str) -> User:
        """The account that leads organ `code` (the committee's: the county committee)."""
        return User.objects.get(
            role_assignments__unit=self.units[code],
            role_assignments__role__in=[Role.COMMITTEE, Role.LEADER],
        )


def _place_names(rng: random.Random, count: int, suffixes: list[str], taken: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(PLACE_A) + rng.choice(PLACE_B) + suffixes[len(names) % len(suffixes)]
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def county_names(counties: int) -> list[tuple[str, str, int]]:
    """(area code, name, city number) of the synthetic counties 2..N, fixed for any N."""
    rng = random.Random("province")
    taken = {COUNTY[1]}
    names = _place_names(rng, max(counties - 1, 0), ["县"], taken)
    return [
        (f"X{i:03d}", name, (i - 2) // COUNTIES_PER_CITY + 1)
        for i, name in enumerate(names, start=2)
    ]


def province_frame(counties: int) -> dict[int, tuple[Area, Unit]]:
    """The province and its cities, areas and committees; Kangbao's city above it. Returns
    the synthetic cities by number. Idempotent."""
    b = DemoBuilder("")
    province = b.area(PROVINCE[0], PROVINCE[1], AreaLevel.PROVINCE, None)
    zfw = Unit.objects.filter(code="ZFW").first()
    if zfw is not None and zfw.parent_id is None:
        raise ValueError(
            "This database holds the demo county alone; a province is built into an empty "
            "database (make clean-data, then seed_demo --counties N)."
        )
    top = b.unit(PROVINCE_UNIT[0], PROVINCE_UNIT[1], UnitKind.COMMITTEE, None, [province])
    city = b.area(CITY[0], CITY[1], AreaLevel.CITY, province)
    b.unit(CITY_UNIT[0], CITY_UNIT[1], UnitKind.COMMITTEE, top, [city])
    rng = random.Random("cities")
    wanted = max((c for _code, _name, c in county_names(counties)), default=0)
    cities: dict[int, tuple[Area, Unit]] = {}
    for number, name in enumerate(_place_names(rng, wanted, ["市"], {CITY[1]}), start=1):
        area = b.area(f"XC{number:02d}", name, AreaLevel.CITY, province)
        unit = b.unit(
            f"XC{number:02d}-ZFW", f"中共{name}委政法委员会", UnitKind.COMMITTEE, top, [area]
        )
        cities[number] = (area, unit)
    return cities


def build_county(index: int, code: str, name: str, city: tuple[Area, Unit]) -> County | None:
    """A synthetic county's areas, units and officers in bulk inserts, or None if it exists."""
    prefix = f"{code}-"
    if Unit.objects.filter(code=f"{prefix}ZFW").exists():
        return None
    b = DemoBuilder("")
    b.rng = random.Random(f"county {index}")
    towns = _place_names(b.rng, len(TOWNS), ["镇"], set()) + _place_names(
        b.rng, len(TOWNSHIPS), ["乡"], set(TOWNS)
    )
    plan = plan_county(b.rng, code, name, towns, towns[1:4])
    city_area, city_unit = city
    county_area = Area.objects.create(
        code=code, name=name, level=AreaLevel.COUNTY, parent=city_area
    )
    areas = {code: county_area}
    for level in (AreaLevel.TOWNSHIP, AreaLevel.VILLAGE):
        rows = [
            Area(code=c, name=n, level=lv, parent=areas[parent])
            for c, n, lv, parent in plan.areas
            if lv == level
        ]
        for area in Area.objects.bulk_create(rows, batch_size=1000):
            areas[area.code] = area
    # Ids are taken ahead so that each path is known before the one insert.
    next_id = (Unit.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    units: dict[str, Unit] = {}
    for offset, pu in enumerate(plan.units):
        parent = units[pu.parent] if pu.parent else city_unit
        unit = Unit(
            id=next_id + offset, name=pu.name, code=prefix + pu.code, kind=pu.kind, parent=parent
        )
        unit.path = unit.compute_path()
        unit.depth = unit.path.count(".") - 1
        units[pu.code] = unit
    Unit.objects.bulk_create(units.values(), batch_size=1000)
    Unit.areas.through.objects.bulk_create(
        [
            Unit.areas.through(unit_id=units[pu.code].pk, area_id=areas[c].pk)
            for pu in plan.units
            for c in pu.areas
        ],
        batch_size=2000,
    )
    planned = []
    for st in plan.staff:
        for i in range(st.count):
            aux = i >= st.count - st.auxiliary
            planned.append(
                services.NewOfficer(
                    unit=units[st.unit],
                    name=b.person_name(),
                    id_number=_id_number(b.rng),
                    work_phone=f"1{b.rng.choice('3578')}{b.rng.randrange(0, 10**9):09d}",
                    staff_number=f"{prefix}{st.prefix}{'F' if aux else ''}{st.start + i:04d}",
                    position="辅警" if aux else st.positions[i % len(st.positions)],
                    is_auxiliary=aux,
                )
            )
    officers = services.officers_create_many(officers=planned)
    # Each organ's first officer leads it; the committee's first is the county committee.
    first: dict[str, Officer] = {}
    for officer in officers:
        first.setdefault(officer.unit.code.removeprefix(prefix), officer)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                user=first[code].user,
                role=Role.COMMITTEE if code == "ZFW" else Role.LEADER,
                unit=units[code],
            )
            for code in ORGANS
        ]
    )
    access_changed()
    return County(index, name, prefix, units, officers, b.rng)


def reset_sequences() -> None:
    """After ids were given ahead (units of synthetic counties), the database's counter
    must continue above them (PostgreSQL; SQLite follows the largest id itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Unit])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def summary() -> dict[str, Any]:
    return {
        "areas": Area.objects.count(),
        "villages": Area.objects.filter(level=AreaLevel.VILLAGE).count(),
        "units": Unit.objects.count(),
        "officers": Officer.objects.count(),
        "mediators": Mediator.objects.count(),
    }
