"""Every staff view of org: success, wrong method, out of scope (404), read-only (403)."""

from __future__ import annotations

from zhengfa.core.testing import ViewCase
from zhengfa.org.access import Role
from zhengfa.org.testing import MatrixTestCase

OWN_SCOPE = "a list shows each person what his roles reach"
CREATE = "nothing to be out of: people without the right get 403"


def _officer_a(t: MatrixTestCase) -> list[int]:
    return [t.p.officer_a_profile.pk]


def _officer_a_account(t: MatrixTestCase) -> list[int]:
    return [t.p.officer_a.pk]


class OrgMatrix(MatrixTestCase):
    cases = [
        ViewCase(
            "org:unit_tree", ok=["committee", "leader_a", "sysadmin"], out_of_scope=["officer_a"]
        ),
        ViewCase(
            "org:unit_create",
            ok=["sysadmin"],
            allowed=["post"],
            out_of_scope=["leader_a", "committee"],
        ),
        ViewCase(
            "org:unit_detail",
            ok=["committee", "sysadmin"],
            args=lambda t: [t.p.unit_b.pk],
            out_of_scope=["leader_a", "officer_b"],
        ),
        ViewCase(
            "org:unit_edit",
            ok=["sysadmin"],
            args=lambda t: [t.p.unit_b.pk],
            allowed=["post"],
            out_of_scope=["leader_a"],
            read_only=["committee"],
        ),
        ViewCase("org:officer_list", ok=["committee", "leader_a", "officer_a"], no_scope=OWN_SCOPE),
        ViewCase("org:officer_export", ok=["committee", "leader_a"], no_scope=OWN_SCOPE),
        ViewCase(
            "org:officer_create",
            ok=["leader_a", "clerk_a"],
            allowed=["post"],
            no_scope=CREATE,
            read_only=["committee", "officer_a"],
        ),
        ViewCase(
            "org:officer_import",
            ok=["leader_a"],
            allowed=["post"],
            no_scope=CREATE,
            read_only=["committee", "officer_a"],
        ),
        ViewCase(
            "org:officer_import_template",
            ok=["leader_a"],
            no_scope=CREATE,
            read_only=["committee"],
        ),
        ViewCase(
            "org:officer_detail",
            ok=["committee", "leader_a", "officer_a"],
            args=_officer_a,
            out_of_scope=["officer_b", "leader_b", "mediator"],
        ),
        ViewCase(
            "org:officer_edit",
            ok=["leader_a", "clerk_a"],
            args=_officer_a,
            allowed=["post"],
            out_of_scope=["officer_b", "leader_b"],
            read_only=["committee", "officer_a"],
        ),
        ViewCase("org:account_list", ok=["sysadmin"], out_of_scope=["committee", "leader_a"]),
        ViewCase(
            "org:account_detail",
            ok=["sysadmin"],
            args=_officer_a_account,
            out_of_scope=["committee", "leader_a"],
        ),
        ViewCase(
            "org:account_password",
            ok=["sysadmin"],
            args=_officer_a_account,
            method="post",
            data=lambda t: {"new_password1": "Nov#2026pass", "new_password2": "Nov#2026pass"},
            out_of_scope=["committee", "leader_a"],
        ),
        ViewCase(
            "org:account_active",
            ok=["sysadmin"],
            args=_officer_a_account,
            method="post",
            data=lambda t: {"active": "0"},
            out_of_scope=["committee"],
        ),
        ViewCase(
            "org:account_reset_second_factor",
            ok=["sysadmin"],
            args=_officer_a_account,
            method="post",
            out_of_scope=["committee"],
        ),
        ViewCase(
            "org:account_unlock",
            ok=["sysadmin"],
            args=_officer_a_account,
            method="post",
            out_of_scope=["committee"],
        ),
        ViewCase(
            "org:role_grant",
            ok=["sysadmin"],
            args=_officer_a_account,
            method="post",
            data=lambda t: {"role": Role.CLERK, "unit": t.p.unit_a.pk},
            out_of_scope=["committee", "leader_a"],
        ),
        ViewCase(
            "org:role_revoke",
            ok=["sysadmin"],
            args=lambda t: [
                t.p.clerk_a.pk,
                t.p.clerk_a.role_assignments.get(role=Role.CLERK).pk,
            ],
            method="post",
            out_of_scope=["committee", "leader_a"],
        ),
    ]
