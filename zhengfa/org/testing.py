"""Test personas shared by every app's tests, and the demo county for tests that need it.

A small county is built once per test class: a committee at the root, a police bureau with
two stations A and B, a justice bureau with a village mediation committee, and one person in
every role that exists (and a leader at each station, so that "another unit" is tested with
someone who holds a grant, only elsewhere). View tests declare a matrix of cases
(``zhengfa.core.testing``) that checks, for every staff view: success, wrong method, out of
scope (404) and read-only (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.test import Client, TestCase

from zhengfa.core.testing import Snapshot, ViewMatrixMixin, verify_second_factor

from . import services
from .access import Role
from .models import Mediator, MediatorKind, Officer, Unit, User

PASSWORD = "Persona#2021pw"  # noqa: S105 - test personas only


@dataclass
class Personas:
    root: Unit
    bureau: Unit
    unit_a: Unit
    unit_b: Unit
    justice: Unit
    mediation_committee: Unit
    committee: User
    leader_a: User
    leader_b: User
    clerk_a: User
    officer_a: User
    officer_b: User
    supervision: User
    mediator: User
    sysadmin: User
    officer_a_profile: Officer
    officer_b_profile: Officer
    mediator_profile: Mediator


def build_personas(password: str | None = None, prefix: str = "") -> Personas:
    """The persona county. `password` is set on every account when given (slow: argon2)."""

    def unit(name: str, code: str, kind: str, parent: Unit | None) -> Unit:
        return services.unit_create(name=name, code=f"{prefix}{code}", kind=kind, parent=parent)

    root = unit("测试县委政法委", "ZFW", "committee", None)
    bureau = unit("测试县公安局", "GAJ", "police", root)
    unit_a = unit("甲镇派出所", "PCS-A", "police_station", bureau)
    unit_b = unit("乙镇派出所", "PCS-B", "police_station", bureau)
    justice = unit("测试县司法局", "SFJ", "justice", root)
    committee_unit = unit("甲村人民调解委员会", "TWH-A", "mediation_committee", justice)

    def officer(
        unit: Unit,
        number: str,
        name: str,
        username: str,
        role: str | None = None,
        role_unit: Unit | None = None,
        id_number: str = "",
    ) -> Officer:
        o = services.officer_create(
            unit=unit,
            name=name,
            staff_number=f"{prefix}{number}",
            username=f"{prefix}{username}",
            password=password,
            id_number=id_number,
            work_phone="13812345678",
        )
        if role:
            services.role_assign(user=o.user, role=role, unit=role_unit or unit)
        return o

    committee = officer(root, "Z001", "政法委甲", "zfw", Role.COMMITTEE)
    leader_a = officer(unit_a, "A001", "甲所长", "leader_a", Role.LEADER)
    leader_b = officer(unit_b, "B001", "乙所长", "leader_b", Role.LEADER)
    clerk_a = officer(unit_a, "A003", "甲内勤", "clerk_a", Role.CLERK)
    officer_a = officer(unit_a, "A002", "甲民警", "pcs_a", id_number="130723199901010015")
    officer_b = officer(unit_b, "B002", "乙民警", "pcs_b", id_number="130723199902020012")
    supervision = officer(root, "Z002", "督查员", "jiancha", Role.SUPERVISION, root)
    mediator = services.mediator_create(
        organisation=committee_unit,
        name="甲村调解员",
        kind=MediatorKind.PEOPLE,
        username=f"{prefix}tiaojie",
        password=password,
    )
    sysadmin = services.user_create(username=f"{prefix}sysadmin", name="管理员", password=password)
    services.role_assign(user=sysadmin, role=Role.SYSADMIN, unit=root)
    return Personas(
        root=root,
        bureau=bureau,
        unit_a=unit_a,
        unit_b=unit_b,
        justice=justice,
        mediation_committee=committee_unit,
        committee=committee.user,
        leader_a=leader_a.user,
        leader_b=leader_b.user,
        clerk_a=clerk_a.user,
        officer_a=officer_a.user,
        officer_b=officer_b.user,
        supervision=supervision.user,
        mediator=mediator.user,
        sysadmin=sysadmin,
        officer_a_profile=officer_a,
        officer_b_profile=officer_b,
        mediator_profile=mediator,
    )


def signed_in_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
        if user.role_assignments.filter(role__in=settings.ZHENGFA_TWO_FACTOR_ROLES).exists():
            verify_second_factor(client, user)
    return client


class PersonaTestCase(TestCase):
    """Base class: ``self.p`` holds the personas; ``client_for(user)`` signs one in."""

    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = build_personas()

    def client_for(self, user: User | None) -> Client:
        return signed_in_client(user)

    def assertStatus(
        self,
        user: User | None,
        method: str,
        url: str,
        status: int,
        data: dict[str, Any] | None = None,
    ) -> Any:
        response = getattr(self.client_for(user), method)(url, data or {})
        self.assertEqual(
            response.status_code,
            status,
            f"{method.upper()} {url} as {user}: {response.status_code}",
        )
        return response


class MatrixTestCase(ViewMatrixMixin, PersonaTestCase):
    """A module's view matrix: set ``cases``; records they need go in setUpTestData."""


# --- The demo county ------------------------------------------------------------------------


def _build_demo() -> None:
    from zhengfa.core import demo

    demo.build(settings.DEMO_PASSWORD)


# Built once per test process; each test class that needs it inserts the captured rows.
demo_county = Snapshot(_build_demo)


class DemoCountyTestCase(TestCase):
    """Tests that read the demo county (Kangbao) as ``seed_demo`` builds it."""

    @classmethod
    def setUpTestData(cls) -> None:
        demo_county.restore()


def browser_sign_in(
    page: Any, base: str, username: str, password: str = PASSWORD, *, home: bool = True
) -> None:
    """Sign in through the real form (and, with `home`, wait for the workbench)."""
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if home:
        expect(page.get_by_role("heading", level=1)).to_contain_text("的工作台")
