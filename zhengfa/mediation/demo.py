"""Mediation in the demo county: a year of cases (16 April 2020 to 15 April 2021) across the
four channels in Kangbao's proportions — most in the villages' people's mediation
committees, then the court and its tribunals, the lawyer studio and the administrative
dispute centre — with the court's 委派 and 委托 as referrals to the three platforms of the
article, agreements, follow-up visits, judicial confirmations and the court's roster; a
few open cases dated from the day the demo is built, so that the mediator finds work. Each
synthetic county of a province gets its year in bulk."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone

from zhengfa.core.models import TimelineEvent
from zhengfa.org import services as org
from zhengfa.org.access import Role
from zhengfa.org.models import Mediator, MediatorKind, Unit, User

from . import services
from .models import (
    Agreement,
    Case,
    CaseNumber,
    CaseState,
    Channel,
    DisputeType,
    Party,
    Referral,
    RosterEntry,
    Source,
    channel_of,
)
from .services import NUMBER_WORD, WORD_OF_KIND, PartyData, case_abbreviation

TZ = dt.timezone(dt.timedelta(hours=8))
YEAR_START = dt.date(2020, 4, 16)
YEAR_DAYS = 365
PER_YEAR = 240
RECENT = 6
DEMO_COMMITTEE = "SFJ-S01-V001"  # the committee of the demo mediator (tiaojie)
# Where the year's cases are mediated (Kangbao's unit codes) and how many in a hundred.
WHERE = [
    ("village", 62),
    ("FY-SSTJ", 10),
    ("FY", 6),
    ("FY-T", 6),
    ("FY-LSTJ", 8),
    ("FY-XZZY", 5),
    ("SFJ-S", 3),
]
KINDS = [
    ("neighbours", 24),
    ("marriage_family", 14),
    ("status", 2),
    ("land", 16),
    ("labour", 12),
    ("contract", 10),
    ("injury", 10),
    ("property", 4),
    ("administrative", 4),
    ("other", 4),
]
# Outcomes in a hundred closed cases.
OUTCOMES = [
    (CaseState.SETTLED, 78),
    (CaseState.FAILED, 12),
    (CaseState.WITHDRAWN, 6),
    (CaseState.DECLINED, 4),
]
FACTS = {
    "neighbours": ("两户因宅基地界墙位置发生争执,多次口角。", "确认界墙位置,恢复原状。"),
    "marriage_family": ("子女因赡养老人费用分担发生矛盾。", "兄弟姐妹按月分担赡养费。"),
    "status": ("夫妻感情破裂,对离婚及子女抚养有争议。", "协议离婚,明确子女抚养。"),
    "land": ("两户对承包地边界有争议,春耕时发生冲突。", "按承包合同重新确认地界。"),
    "labour": ("在工地务工,工钱拖欠未结。", "结清拖欠的工钱。"),
    "contract": ("买卖牛羊后对方未按约定付清货款。", "支付剩余货款。"),
    "injury": ("骑电动车相撞受伤,医药费赔偿有争议。", "赔偿医药费和误工费。"),
    "property": ("小区物业费和供暖问题发生纠纷。", "物业公司维修后补交费用。"),
    "administrative": ("对乡镇征地补偿标准有异议。", "按标准补足补偿款。"),
    "other": ("借款到期未还发生纠纷。", "按约定归还借款。"),
}
TERMS = "双方自愿达成协议:{who}于约定期限内履行;双方今后不再就此事发生争执。"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in table], weights=[w for _k, w in table])[0]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice("某") + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return f"1390313{rng.randrange(10000):04d}"


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def _source(rng: random.Random, where: str) -> str:
    if where in {"FY", "FY-T"}:
        return rng.choice([Source.ASSIGNED, Source.ENTRUSTED, Source.APPLICATION])
    if where == "village":
        return _weighted(
            rng,
            [(Source.APPLICATION, 60), (Source.OWN, 22), (Source.POLICE, 10), (Source.PETITION, 8)],
        )
    if where == "FY-XZZY":
        return rng.choice([Source.APPLICATION, Source.PETITION])
    return Source.APPLICATION


class Builder:
    def __init__(self, root: Unit) -> None:
        self.root = root
        self.units = {u.code: u for u in Unit.objects.filter(path__startswith=root.path)}
        self.rng = random.Random("mediation kangbao")
        self.types = {t.code: t for t in DisputeType.objects.all()}
        self.accounts: dict[int, User] = {}
        self.villages = sorted(c for c in self.units if c.startswith("SFJ-S") and "-V" in c)
        # Cases come from some villages far more than from others.
        self.busy = self.rng.sample(self.villages, min(40, len(self.villages)))
        if DEMO_COMMITTEE in self.units and DEMO_COMMITTEE not in self.busy:
            self.busy[0] = DEMO_COMMITTEE

    def mediator(self, unit: Unit) -> User:
        """Who mediates at a unit: its mediator's account (made for a committee that has
        none), or the court's leader for the court and the units under it."""
        if unit.pk in self.accounts:
            return self.accounts[unit.pk]
        found = (
            User.objects.filter(
                role_assignments__unit=unit,
                role_assignments__role__in=[Role.MEDIATOR, Role.LEADER, Role.CLERK],
            )
            .order_by("pk")
            .first()
        )
        if found is None and unit.code.startswith("FY"):
            found = User.objects.filter(username="fy_leader").first()
        if found is None:
            kinds: dict[str, str] = {
                Channel.LAWYER: MediatorKind.LAWYER,
                Channel.JUDICIAL: MediatorKind.JUDGE,
                Channel.ADMIN: MediatorKind.ADMIN,
            }
            kind = kinds.get(channel_of(unit) or "", MediatorKind.PEOPLE)
            found = org.mediator_create(
                organisation=unit,
                name=_name(self.rng),
                kind=kind,
                username=f"tj-{unit.code.lower()}",
            ).user
        self.accounts[unit.pk] = found
        return found

    def place(self, where: str) -> Unit:
        if where == "village":
            return self.units[self.rng.choice(self.busy)]
        if where == "FY-T":
            return self.units[self.rng.choice([c for c in self.units if c.startswith("FY-T")])]
        if where == "SFJ-S":
            return self.units[
                self.rng.choice([c for c in self.units if c.startswith("SFJ-S") and "-V" not in c])
            ]
        return self.units[where]

    def case(self, day: dt.date, recent: bool) -> tuple[Case, User]:
        rng = self.rng
        where = _weighted(rng, WHERE)
        kind = _weighted(rng, KINDS)
        if where == "FY-XZZY":
            kind = "administrative"
        organisation = self.place(where)
        if recent and DEMO_COMMITTEE in self.units:
            # The open cases of the days before the demo was built: the demo mediator's.
            where, organisation = "village", self.units[DEMO_COMMITTEE]
        source = _source(rng, where)
        # The court's 委派 (before filing) and 委托 (after): a referral from the court to one
        # of its platforms.
        sent_by_court = where in {"FY-SSTJ", "FY-LSTJ"} and rng.random() < 0.6
        if sent_by_court:
            source = rng.choice([Source.ASSIGNED, Source.ENTRUSTED])
        start_at = self.units["FY"] if sent_by_court else organisation
        staff = self.mediator(start_at)
        facts, wants = FACTS[kind]
        amount = (
            Decimal(rng.randrange(5, 400) * 100)
            if kind in {"labour", "contract", "injury", "other", "property"}
            else None
        )
        case, _code = services.case_create(
            organisation=start_at,
            dispute_type=self.types[kind],
            source=source,
            facts=facts,
            requests=wants,
            amount=amount,
            by=staff,
            received_on=day,
            parties=[
                PartyData("applicant", _name(rng), _phone(rng)),
                PartyData("respondent", _name(rng), _phone(rng) if rng.random() < 0.7 else ""),
            ],
        )
        if start_at != organisation:
            services.case_refer(
                case=case,
                to=organisation,
                by=staff,
                reason="委派调解" if source == Source.ASSIGNED else "委托调解",
            )
            staff = self.mediator(organisation)
            services.referral_answer(case=case, by=staff, take=True)
        elif where == "village" and rng.random() < 0.06:
            # A village committee passes a hard case to the court's studio (诉调对接).
            services.case_refer(
                case=case,
                to=self.units["FY-SSTJ"],
                by=staff,
                reason="案情复杂,转涉诉人民调解工作室",
            )
            organisation = self.units["FY-SSTJ"]
            staff = self.mediator(organisation)
            services.referral_answer(case=case, by=staff, take=True)
        return self.walk(case, staff, day, recent), staff

    def walk(self, case: Case, staff: User, day: dt.date, recent: bool) -> Case:
        rng = self.rng
        if recent:
            if rng.random() < 0.5:
                return case
            if case.state == CaseState.APPLIED:
                services.case_transition(record=case, name="accept", by=staff)
            return case
        outcome = _weighted(rng, OUTCOMES)
        if outcome == CaseState.DECLINED and case.state == CaseState.APPLIED:
            services.case_transition(
                record=case,
                name="decline",
                by=staff,
                comment="不属于人民调解受理范围,已告知当事人向有关部门反映。",
            )
            return case
        if case.state == CaseState.APPLIED:
            services.case_transition(record=case, name="accept", by=staff)
        if outcome == CaseState.WITHDRAWN:
            services.case_transition(record=case, name="withdraw", by=staff)
            return case
        online = rng.random() < 0.1
        services.session_record(
            case=case,
            by=staff,
            held_at=_at(day + dt.timedelta(days=3)),
            place="" if online else "调解室",
            online=online,
            participants="双方当事人、调解员",
            record="听取双方陈述,释法明理,双方各自作出让步。",
        )
        if outcome == CaseState.FAILED:
            services.case_transition(
                record=case,
                name="fail",
                by=staff,
                comment="双方分歧较大,未能达成协议,已告知可通过诉讼解决。",
            )
            return case
        agreed = day + dt.timedelta(days=rng.randrange(5, 25))
        services.agreement_record(
            case=case,
            by=staff,
            issues=f"{case.facts}经调解,双方对事实无异议。",
            terms=TERMS.format(who="被申请人"),
            performance="自协议签订之日起十五日内履行完毕。",
            agreed_on=min(agreed, timezone.localdate()),
            oral=rng.random() < 0.1,
        )
        return case


def _date(case: Case, day: dt.date, recent: bool) -> None:
    """Move a case and its history to the day it came in, its steps a few days apart."""
    start = timezone.now() - (timezone.localdate() - day) if recent else _at(day)
    events = TimelineEvent.objects.filter(
        content_type__app_label="mediation", content_type__model="case", object_id=case.pk
    ).order_by("pk")
    agreement = Agreement.objects.filter(case=case).first()
    # Settled on the day of the agreement; ended or withdrawn after a fortnight.
    offsets = {
        "start": 0,
        "refer": 0,
        "take": 1,
        "accept": 1,
        "begin": 3,
        "decline": 2,
        "settle": (agreement.agreed_on - day).days if agreement else 14,
        "": 0,  # the notes of a referral, on its day
    }
    last = start
    for event in events:
        when = start + dt.timedelta(days=offsets.get(event.transition, 14))
        TimelineEvent.objects.filter(pk=event.pk).update(time=when)
        last = max(last, when)
    case.refresh_from_db()
    shift = start - case.created_at
    Case.objects.filter(pk=case.pk).update(
        created_at=start,
        state_changed_at=last,
        closed_at=last if case.closed_at else None,
        due_at=F("due_at") + shift if case.due_at else None,
    )
    Referral.objects.filter(case=case).update(created_at=start, answered_at=start)


def _moved(case: Case, kind: str, day: dt.date) -> None:
    """The last `kind` note of a case (a confirmation step, a visit) on its own day."""
    event = (
        TimelineEvent.objects.filter(
            content_type__app_label="mediation",
            content_type__model="case",
            object_id=case.pk,
            transition=kind,
        )
        .order_by("-pk")
        .first()
    )
    if event is not None:
        TimelineEvent.objects.filter(pk=event.pk).update(time=_at(day, 15))


def build(password: str) -> dict[str, int]:
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None or Case.objects.exists() or not DisputeType.objects.exists():
        return {"mediation cases": 0}
    b = Builder(root)
    if "FY" not in b.units:
        return {"mediation cases": 0}
    step = YEAR_DAYS / PER_YEAR
    made = []
    for i in range(PER_YEAR + RECENT):
        recent = i >= PER_YEAR
        day = (
            timezone.localdate() - dt.timedelta(days=RECENT - (i - PER_YEAR))
            if recent
            else YEAR_START + dt.timedelta(days=int(i * step))
        )
        case, staff = b.case(day, recent)
        _date(case, day, recent)
        made.append((case, staff))
    confirmations, visits = _after(b, [(c, s) for c, s in made if c.state == CaseState.SETTLED])
    roster = _roster(b)
    return {
        "mediation cases": len(made),
        "judicial confirmations": confirmations,
        "follow-up visits": visits,
        "roster entries": roster,
    }


def _after(b: Builder, settled: list[tuple[Case, User]]) -> tuple[int, int]:
    """Some agreements confirmed by the court (one refused, one still to rule), and
    follow-up visits to a third of them."""
    rng = b.rng
    court = b.units["FY"]
    judge = b.mediator(court)
    confirmations = visits = 0
    for case, staff in settled:
        case.refresh_from_db()
        agreed = case.agreement.agreed_on
        if case.dispute_type.confirmable and rng.random() < 0.15:
            applied = agreed + dt.timedelta(days=rng.randrange(1, 20))
            if applied <= timezone.localdate():
                confirmation = services.confirmation_apply(
                    case=case, by=staff, applied_on=applied, applicants="双方当事人"
                )
                _moved(case, "confirmation", applied)
                confirmations += 1
                steps = [("accept", 2, ""), ("confirm", 10, "")]
                if confirmations % 9 == 0:
                    steps = [("accept", 2, ""), ("reject", 12, "协议内容违反法律强制性规定。")]
                for step, days, reason in steps:
                    on = applied + dt.timedelta(days=days)
                    if on <= timezone.localdate():
                        services.confirmation_step(
                            confirmation=confirmation, by=judge, step=step, on=on, reason=reason
                        )
                        _moved(case, "confirmation", on)
        if rng.random() < 0.33:
            performed = rng.random() < 0.9
            visited = min(agreed + dt.timedelta(days=30), timezone.localdate())
            services.visit_record(
                case=case,
                by=staff,
                visited_on=visited,
                performance="performed" if performed else "not_performed",
                note="电话回访,双方均表示协议已履行。" if performed else "被申请人未按期履行。",
                next_step="" if performed else "litigation",
            )
            _moved(case, "visit", visited)
            visits += 1
    return confirmations, visits


def _roster(b: Builder) -> int:
    """The court's roster: its three platforms and the busiest villages' committees."""
    court = b.units["FY"]
    made = 0
    codes = ["FY-SSTJ", "FY-LSTJ", "FY-XZZY", *b.busy[:8]]
    for code in codes:
        unit = b.units[code]
        _entry, created = RosterEntry.objects.get_or_create(
            court=court, organisation=unit, mediator=None, defaults={"hours": "工作日"}
        )
        made += created
        mediator = Mediator.objects.filter(organisation=unit).order_by("pk").first()
        if mediator is not None:
            entry, created = RosterEntry.objects.get_or_create(
                court=court, organisation=unit, mediator=mediator, defaults={"hours": "每周二、四"}
            )
            if created:
                entry.specialties.set(DisputeType.objects.filter(code__in=["neighbours", "land"]))
            made += created
    return made


# --- the synthetic counties of a province ---------------------------------------------------


def build_county(county: Any) -> dict[str, int]:
    """A year of cases for one synthetic county, in bulk: Kangbao's mix of channels, kinds,
    sources and outcomes, with their parties, agreements and the court's referrals."""
    rng = county.rng
    types = {t.code: t for t in DisputeType.objects.all()}
    villages = [u for code, u in county.units.items() if code.startswith("SFJ-S") and "-V" in code]
    if not types or not villages or "FY" not in county.units:
        return {"mediation cases": 0}
    busy = rng.sample(villages, min(40, len(villages)))
    counters: dict[tuple[Unit, int, str], int] = {}
    words: dict[int, str] = {}

    def abbreviation(unit: Unit) -> str:
        if unit.pk not in words:
            words[unit.pk] = case_abbreviation(unit)
        return words[unit.pk]

    cases: list[Case] = []
    step = YEAR_DAYS / PER_YEAR
    for i in range(PER_YEAR):
        day = YEAR_START + dt.timedelta(days=int(i * step))
        where = _weighted(rng, WHERE)
        if where == "village":
            unit = rng.choice(busy)
        elif where == "FY-T":
            unit = county.units[rng.choice([c for c in county.units if c.startswith("FY-T")])]
        elif where == "SFJ-S":
            unit = county.units[f"SFJ-S{rng.randrange(1, 16):02d}"]
        else:
            unit = county.units[where]
        kind = "administrative" if where == "FY-XZZY" else _weighted(rng, KINDS)
        outcome = _weighted(rng, OUTCOMES)
        channel = channel_of(unit) or Channel.PEOPLE
        key = (unit, day.year, WORD_OF_KIND.get(unit.kind, NUMBER_WORD[channel]))
        counters[key] = counters.get(key, 0) + 1
        created = _at(day)
        closed = created + dt.timedelta(days=rng.randrange(3, 28))
        cases.append(
            Case(
                number=f"（{day.year}）{abbreviation(unit)}{key[2]}字第{counters[key]:04d}号",
                organisation=unit,
                channel=channel,
                dispute_type=types[kind],
                source=_source(rng, where),
                facts=FACTS[kind][0],
                requests=FACTS[kind][1],
                state=outcome,
                created_at=created,
                state_changed_at=closed,
                closed_at=closed,
            )
        )
    Case.objects.bulk_create(cases, batch_size=500)
    CaseNumber.objects.bulk_create(
        [CaseNumber(organisation=u, year=y, word=w, last=n) for (u, y, w), n in counters.items()]
    )
    parties, agreements, referrals = [], [], []
    court = county.units["FY"]
    for case in cases:
        parties += [
            Party(case=case, role="applicant", name=_name(rng), phone=_phone(rng)),
            Party(case=case, role="respondent", name=_name(rng)),
        ]
        if case.state == CaseState.SETTLED:
            agreements.append(
                Agreement(
                    case=case,
                    organisation=case.organisation,
                    issues=case.facts,
                    terms=TERMS.format(who="被申请人"),
                    performance="自协议签订之日起十五日内履行完毕。",
                    agreed_on=(case.closed_at or case.created_at).date(),
                )
            )
        if case.organisation.code.endswith(("FY-SSTJ", "FY-LSTJ")) and rng.random() < 0.6:
            referrals.append(
                Referral(
                    case=case,
                    from_organisation=court,
                    to_organisation=case.organisation,
                    from_channel=Channel.JUDICIAL,
                    to_channel=case.channel,
                    reason="委派调解",
                    from_state=CaseState.APPLIED,
                    answer=Referral.Answer.TAKEN,
                    answered_at=case.created_at,
                )
            )
    Party.objects.bulk_create(parties, batch_size=500)
    Agreement.objects.bulk_create(agreements, batch_size=500)
    Referral.objects.bulk_create(referrals, batch_size=500)
    # The referral's day is its case's (the field sets itself on insert).
    for referral in referrals:
        referral.created_at = referral.case.created_at
    Referral.objects.bulk_update(referrals, ["created_at"], batch_size=500)
    return {
        "mediation cases": len(cases),
        "agreements": len(agreements),
        "referrals": len(referrals),
    }
