"""Test personas shared by every app's tests.

A small county is built once per test class: a committee at the root, a police bureau with
two stations A and B, and people in the roles that matter for scope. View tests check four
things for every staff view: success, wrong method, out of scope (404) and read-only (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client, TestCase

from zhengfa.org import services
from zhengfa.org.access import Role
from zhengfa.org.models import Officer, Unit, User

PASSWORD = "Persona#2021pw"  # noqa: S105 - test personas only


@dataclass
class Personas:
    root: Unit
    bureau: Unit
    unit_a: Unit
    unit_b: Unit
    committee: User
    leader_a: User
    officer_a: User
    officer_b: User
    supervision: User
    sysadmin: User
    officer_a_profile: Officer
    officer_b_profile: Officer


def build_personas(password: str | None = None, prefix: str = "") -> Personas:
    """The persona county. `password` is set on every account when given (slow: argon2)."""
    root = services.unit_create(
        name="测试县委政法委", code=f"{prefix}ZFW", kind="committee", parent=None
    )
    bureau = services.unit_create(
        name="测试县公安局", code=f"{prefix}GAJ", kind="police", parent=root
    )
    unit_a = services.unit_create(
        name="甲镇派出所", code=f"{prefix}PCS-A", kind="police_station", parent=bureau
    )
    unit_b = services.unit_create(
        name="乙镇派出所", code=f"{prefix}PCS-B", kind="police_station", parent=bureau
    )

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
    officer_a = officer(unit_a, "A002", "甲民警", "pcs_a", id_number="130723199901010015")
    officer_b = officer(unit_b, "B002", "乙民警", "pcs_b", id_number="130723199902020012")
    supervision = officer(root, "Z002", "督查员", "jiancha", Role.SUPERVISION, root)
    sysadmin = services.user_create(username=f"{prefix}sysadmin", name="管理员", password=password)
    services.role_assign(user=sysadmin, role=Role.SYSADMIN, unit=root)
    return Personas(
        root=root,
        bureau=bureau,
        unit_a=unit_a,
        unit_b=unit_b,
        committee=committee.user,
        leader_a=leader_a.user,
        officer_a=officer_a.user,
        officer_b=officer_b.user,
        supervision=supervision.user,
        sysadmin=sysadmin,
        officer_a_profile=officer_a,
        officer_b_profile=officer_b,
    )


class PersonaTestCase(TestCase):
    """Base class: ``self.p`` holds the personas; ``client_for(user)`` signs one in."""

    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = build_personas()

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
            if user.role_assignments.filter(role=Role.SYSADMIN).exists():
                verify_second_factor(client, user)
        return client

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


def verify_second_factor(client: Client, user: User) -> None:
    """Mark `client`'s session as having passed TOTP, like force_login does for the password.

    The real token flow is tested in core.tests.test_auth; a token cannot be used twice, so
    tests that sign the same person in several times take this shortcut.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def raw_database_text() -> str:
    """Every value of every table as the database stores it (no decryption), as one text."""
    from django.db import connection

    parts: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                parts.append("|".join(str(v) for v in row))
    return "\n".join(parts)
