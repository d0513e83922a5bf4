from __future__ import annotations

from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengfa.org.access import Role
from zhengfa.org.models import RoleAssignment, User
from zhengfa.org.testing import PersonaTestCase


class AccountAdminTests(PersonaTestCase):
    def test_list_and_detail_are_for_administrators_only(self) -> None:
        url = reverse("org:account_list")
        page = self.assertStatus(self.p.sysadmin, "get", url, 200)
        self.assertContains(page, "pcs_a")
        self.assertContains(page, "尚未设置密码")
        self.assertStatus(self.p.sysadmin, "post", url, 405)
        detail = reverse("org:account_detail", args=[self.p.officer_a.pk])
        self.assertStatus(self.p.sysadmin, "get", detail, 200)
        self.assertStatus(self.p.sysadmin, "post", detail, 405)
        for user in (self.p.committee, self.p.leader_a, self.p.officer_a):
            self.assertStatus(user, "get", url, 404)
            self.assertStatus(user, "get", detail, 404)
        search = self.assertStatus(self.p.sysadmin, "get", url, 200, {"q": "乙民警"})
        self.assertContains(search, "pcs_b")
        self.assertNotContains(search, "pcs_a")

    def test_issue_a_password(self) -> None:
        url = reverse("org:account_password", args=[self.p.officer_a.pk])
        self.assertStatus(self.p.sysadmin, "get", url, 405)
        self.assertStatus(self.p.committee, "post", url, 404)
        weak = self.assertStatus(
            self.p.sysadmin, "post", url, 400, {"new_password1": "abc", "new_password2": "abc"}
        )
        self.assertContains(weak, "errorlist", status_code=400)
        self.assertFalse(User.objects.get(pk=self.p.officer_a.pk).has_usable_password())
        self.assertStatus(
            self.p.sysadmin,
            "post",
            url,
            302,
            {"new_password1": "Station#A-2021", "new_password2": "Station#A-2021"},
        )
        self.assertTrue(User.objects.get(pk=self.p.officer_a.pk).check_password("Station#A-2021"))

    def test_administrators_acts_on_an_account_are_audited(self) -> None:
        from auditlog.models import LogEntry

        target = self.p.officer_a
        self.assertStatus(
            self.p.sysadmin,
            "post",
            reverse("org:account_password", args=[target.pk]),
            302,
            {"new_password1": "Station#A-2021", "new_password2": "Station#A-2021"},
        )
        self.assertStatus(
            self.p.sysadmin,
            "post",
            reverse("org:account_reset_second_factor", args=[target.pk]),
            302,
        )
        self.assertStatus(
            self.p.sysadmin, "post", reverse("org:account_unlock", args=[target.pk]), 302
        )
        entries = LogEntry.objects.get_for_object(target).filter(actor=self.p.sysadmin)
        done = [(e.additional_data or {}).get("action") for e in entries.order_by("pk")]
        self.assertEqual(
            [d for d in done if d], ["password_set", "second_factor_reset", "unlocked"]
        )
        self.assertNotIn("Station#A-2021", str([e.changes for e in entries]))
        self.assertNotIn(target.password, str([e.changes for e in entries]))
        page = self.assertStatus(self.p.sysadmin, "get", reverse("core:audit_list"), 200)
        self.assertContains(page, "管理员设置了密码")

    def test_a_password_the_administrator_set_is_changed_at_the_next_sign_in(self) -> None:
        self.assertStatus(
            self.p.sysadmin,
            "post",
            reverse("org:account_password", args=[self.p.officer_a.pk]),
            302,
            {"new_password1": "Station#A-2021", "new_password2": "Station#A-2021"},
        )
        client = Client()
        client.post("/accounts/login/", {"username": "pcs_a", "password": "Station#A-2021"})
        self.assertRedirects(
            client.get("/staff/"), "/accounts/password/", fetch_redirect_response=False
        )
        form = client.get("/accounts/password/")
        self.assertContains(form, "管理员为您设置了此密码")
        changed = client.post(
            "/accounts/password/",
            {
                "old_password": "Station#A-2021",
                "new_password1": "MyOwn#Pass-2026",
                "new_password2": "MyOwn#Pass-2026",
            },
        )
        self.assertRedirects(changed, "/staff/", fetch_redirect_response=False)
        self.assertEqual(client.get("/staff/").status_code, 200)
        self.assertFalse(User.objects.get(pk=self.p.officer_a.pk).must_change_password)

    def test_the_issued_password_cannot_be_kept_by_changing_it_to_itself(self) -> None:
        issued = "Station#A-2021"
        self.assertStatus(
            self.p.sysadmin,
            "post",
            reverse("org:account_password", args=[self.p.officer_a.pk]),
            302,
            {"new_password1": issued, "new_password2": issued},
        )
        client = Client()
        client.post("/accounts/login/", {"username": "pcs_a", "password": issued})
        same = client.post(
            "/accounts/password/",
            {"old_password": issued, "new_password1": issued, "new_password2": issued},
        )
        self.assertContains(same, "不能与当前密码相同", status_code=200)
        self.assertTrue(User.objects.get(pk=self.p.officer_a.pk).must_change_password)

    def test_grant_and_revoke_roles(self) -> None:
        grant = reverse("org:role_grant", args=[self.p.officer_a.pk])
        self.assertStatus(self.p.leader_a, "post", grant, 404)
        bad = self.assertStatus(self.p.sysadmin, "post", grant, 400, {"role": "king", "unit": ""})
        self.assertContains(bad, "errorlist", status_code=400)
        self.assertStatus(
            self.p.sysadmin, "post", grant, 302, {"role": Role.CLERK, "unit": self.p.unit_a.pk}
        )
        assignment = RoleAssignment.objects.get(user=self.p.officer_a, role=Role.CLERK)
        revoke = reverse("org:role_revoke", args=[self.p.officer_a.pk, assignment.pk])
        self.assertStatus(self.p.sysadmin, "get", revoke, 405)
        # The role id must belong to this account.
        other = reverse("org:role_revoke", args=[self.p.officer_b.pk, assignment.pk])
        self.assertStatus(self.p.sysadmin, "post", other, 404)
        self.assertStatus(self.p.sysadmin, "post", revoke, 302)
        self.assertFalse(RoleAssignment.objects.filter(pk=assignment.pk).exists())

    def test_an_administrator_cannot_remove_his_own_admin_role(self) -> None:
        own = RoleAssignment.objects.get(user=self.p.sysadmin, role=Role.SYSADMIN)
        url = reverse("org:role_revoke", args=[self.p.sysadmin.pk, own.pk])
        self.assertStatus(self.p.sysadmin, "post", url, 403)
        self.assertTrue(RoleAssignment.objects.filter(pk=own.pk).exists())

    def test_disable_unlock_and_reset_second_factor(self) -> None:
        account = self.p.officer_b
        self.assertStatus(
            self.p.sysadmin,
            "post",
            reverse("org:account_active", args=[account.pk]),
            302,
            {"active": "0"},
        )
        self.assertFalse(User.objects.get(pk=account.pk).is_active)
        AccessAttempt.objects.create(
            username=account.username,
            failures_since_start=5,
            attempt_time=timezone.now(),
            ip_address="127.0.0.1",
            user_agent="",
            get_data="",
            post_data="",
            http_accept="",
            path_info="/accounts/login/",
        )
        page = self.assertStatus(
            self.p.sysadmin, "get", reverse("org:account_detail", args=[account.pk]), 200
        )
        self.assertContains(page, "解除登录锁定")
        self.assertStatus(
            self.p.sysadmin, "post", reverse("org:account_unlock", args=[account.pk]), 302
        )
        self.assertFalse(AccessAttempt.objects.filter(username=account.username).exists())
        TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
        self.assertStatus(
            self.p.sysadmin,
            "post",
            reverse("org:account_reset_second_factor", args=[account.pk]),
            302,
        )
        self.assertFalse(TOTPDevice.objects.filter(user=account).exists())


class LowerAdministratorTests(PersonaTestCase):
    def test_a_station_administrator_cannot_reach_a_county_account(self) -> None:
        from zhengfa.org import services

        station_admin = services.user_create(username="admin_a", name="甲所管理员")
        services.role_assign(user=station_admin, role=Role.SYSADMIN, unit=self.p.unit_a)
        # The county committee member also leads station A.
        services.role_assign(user=self.p.committee, role=Role.LEADER, unit=self.p.unit_a)
        url = reverse("org:account_password", args=[self.p.committee.pk])
        self.assertStatus(
            station_admin,
            "post",
            url,
            404,
            {"new_password1": "Taken#Over2021", "new_password2": "Taken#Over2021"},
        )
        self.assertFalse(User.objects.get(pk=self.p.committee.pk).check_password("Taken#Over2021"))
        # His own station's officer is his to administer.
        self.assertStatus(
            station_admin, "get", reverse("org:account_detail", args=[self.p.officer_a.pk]), 200
        )
        # Nobody grants himself a role.
        grant = reverse("org:role_grant", args=[station_admin.pk])
        self.assertStatus(
            station_admin, "post", grant, 403, {"role": Role.SUPERVISION, "unit": self.p.unit_a.pk}
        )
        self.assertFalse(
            RoleAssignment.objects.filter(user=station_admin, role=Role.SUPERVISION).exists()
        )
