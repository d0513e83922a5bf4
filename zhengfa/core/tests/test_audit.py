from __future__ import annotations

import datetime as dt
import io

from auditlog.models import LogEntry
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from zhengfa.core.models import SignInEvent
from zhengfa.org import services as org_services
from zhengfa.org.access import Role
from zhengfa.org.models import Unit
from zhengfa.org.testing import PersonaTestCase


class AuditPageTests(PersonaTestCase):
    url = reverse("core:audit_list")

    def test_who_may_read_it(self) -> None:
        self.assertStatus(self.p.committee, "get", self.url, 200)
        self.assertStatus(self.p.sysadmin, "get", self.url, 200)
        self.assertStatus(self.p.committee, "post", self.url, 405)
        for user in (self.p.leader_a, self.p.officer_a, self.p.supervision):
            self.assertStatus(user, "get", self.url, 404)

    def test_changes_are_listed_and_filtered(self) -> None:
        unit = Unit.objects.get(code="PCS-A")
        unit.phone = "0313-7654321"
        unit.save()

        def entries(**query: str) -> list[LogEntry]:
            page = self.assertStatus(self.p.committee, "get", self.url, 200, query)
            return list(page.context["page"])

        everything = entries()
        self.assertEqual(
            {e.action for e in everything}, {LogEntry.Action.CREATE, LogEntry.Action.UPDATE}
        )
        changed = entries(action="1")
        self.assertEqual({e.action for e in changed}, {LogEntry.Action.UPDATE})
        self.assertIn(
            ("甲镇派出所", "phone"), {(e.object_repr, k) for e in changed for k in e.changes_dict}
        )
        created = entries(action="0")
        self.assertEqual({e.action for e in created}, {LogEntry.Action.CREATE})
        self.assertIn("甲镇派出所", {e.object_repr for e in created})
        self.assertEqual(entries(action="2"), [])
        none = self.assertStatus(self.p.committee, "get", self.url, 200, {"actor": "nobody-at-all"})
        self.assertContains(none, "没有符合条件的记录")

    def test_the_page_speaks_chinese_not_code(self) -> None:
        unit = Unit.objects.get(code="PCS-A")
        unit.phone = "0313-7654321"
        unit.is_active = False
        unit.save()
        page = self.assertStatus(self.p.committee, "get", self.url, 200)
        self.assertContains(page, "<td>修改</td>")
        self.assertContains(page, "<td>新建</td>")
        self.assertContains(page, "对外电话、启用")
        for raw in ("is_active", ">update<", ">create<", "phone,"):
            self.assertNotContains(page, raw)

    def test_bad_date_range_is_explained(self) -> None:
        page = self.assertStatus(
            self.p.committee,
            "get",
            self.url,
            200,
            {"date_from": "2021-05-01", "date_to": "2021-04-01"},
        )
        self.assertContains(page, "结束日期早于开始日期")
        page = self.assertStatus(
            self.p.committee, "get", self.url, 200, {"date_from": "not-a-date"}
        )
        self.assertContains(page, "errorlist")

    def test_sign_ins_tab(self) -> None:
        SignInEvent.objects.create(kind=SignInEvent.Kind.FAILURE, username="someone")
        page = self.assertStatus(
            self.p.committee, "get", self.url, 200, {"tab": "signins", "kind": "failure"}
        )
        self.assertContains(page, "someone")
        self.assertContains(page, "登录失败")

    def test_prune_keeps_at_least_180_days(self) -> None:
        old = SignInEvent.objects.create(kind=SignInEvent.Kind.LOGIN, username="old")
        recent = SignInEvent.objects.create(kind=SignInEvent.Kind.LOGIN, username="recent")
        SignInEvent.objects.filter(pk=old.pk).update(time=timezone.now() - dt.timedelta(days=400))
        SignInEvent.objects.filter(pk=recent.pk).update(
            time=timezone.now() - dt.timedelta(days=179)
        )
        LogEntry.objects.update(timestamp=timezone.now() - dt.timedelta(days=170))
        with override_settings(AUDIT_RETENTION_DAYS=30):  # too short: 180 is the floor
            call_command("prune_audit", stdout=io.StringIO())
        self.assertFalse(SignInEvent.objects.filter(pk=old.pk).exists())
        self.assertTrue(SignInEvent.objects.filter(pk=recent.pk).exists())
        self.assertTrue(LogEntry.objects.exists())


class ErrorPageTests(PersonaTestCase):
    def test_403_page_is_friendly(self) -> None:
        officer = self.p.officer_a_profile
        page = self.assertStatus(
            self.p.committee, "get", reverse("org:officer_edit", args=[officer.pk]), 403
        )
        self.assertContains(page, "可以查看但不能修改", status_code=403)

    def test_500_page_is_friendly(self) -> None:
        from django.test import RequestFactory

        from zhengfa.core.views import error_500

        response = error_500(RequestFactory().get("/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn("出错了", response.content.decode())


class AuditRuleTests(PersonaTestCase):
    def test_audit_log_is_for_county_wide_roles_only(self) -> None:
        station_admin = org_services.user_create(username="admin_a", name="甲所管理员")
        org_services.role_assign(user=station_admin, role=Role.SYSADMIN, unit=self.p.unit_a)
        self.assertStatus(station_admin, "get", reverse("core:audit_list"), 404)
        self.assertStatus(self.p.sysadmin, "get", reverse("core:audit_list"), 200)

    def test_the_audit_link_follows_the_audit_rule(self) -> None:
        from zhengfa.core.navigation import menu_for

        station_admin = org_services.user_create(username="admin_a", name="甲所管理员")
        org_services.role_assign(user=station_admin, role=Role.SYSADMIN, unit=self.p.unit_a)

        def names(user: object) -> set[str]:
            return {e["url_name"] for g in menu_for(user) for e in g["entries"]}

        self.assertNotIn("core:audit_list", names(station_admin))
        self.assertIn("core:audit_list", names(self.p.sysadmin))

    def test_the_page_names_only_records_the_reader_may_open(self) -> None:
        from zhengfa.core.tests.testapp.services import case_open

        case_open(unit=self.p.unit_a, title="窗口无人事件", by=self.p.leader_a)
        url = reverse("core:audit_list")
        self.assertContains(self.assertStatus(self.p.committee, "get", url, 200), "窗口无人事件")
        # The system administrator sees who changed what kind of record, not the matter.
        admins = self.assertStatus(self.p.sysadmin, "get", url, 200)
        self.assertNotContains(admins, "窗口无人事件")
        self.assertContains(admins, "甲镇派出所")  # units are his to open

    def test_a_date_far_out_answers_plainly(self) -> None:
        page = self.assertStatus(
            self.p.committee, "get", reverse("core:audit_list"), 200, {"date_to": "9999-12-31"}
        )
        self.assertContains(page, "1950年至2100年")
