from __future__ import annotations

from auditlog.models import LogEntry
from django.urls import reverse

from zhengfa.core.crypto import keyed_hash
from zhengfa.core.testing import raw_database_text
from zhengfa.core.tests.testapp.models import Case
from zhengfa.core.tests.testapp.services import case_open
from zhengfa.org.testing import PersonaTestCase


class RevealTests(PersonaTestCase):
    def setUp(self) -> None:
        self.case, _code = case_open(
            unit=self.p.unit_a, title="户籍窗口排队太久", by=None, phone="13700002222"
        )
        self.officer_url = reverse(
            "core:reveal_value", args=["org.officer", self.p.officer_a_profile.pk, "id_number"]
        )
        self.phone_url = reverse("core:reveal_value", args=["testapp.case", self.case.pk, "phone"])

    def test_raw_rows_hold_no_plaintext_and_hash_lookup_works(self) -> None:
        raw = raw_database_text()
        self.assertNotIn("13700002222", raw)
        self.assertNotIn("130723199901010015", raw)
        found = Case.objects.get(phone_hash=keyed_hash("13700002222"))
        self.assertEqual(found, self.case)

    def test_reveal_is_audited_with_its_reason_and_shown_once(self) -> None:
        response = self.assertStatus(
            self.p.leader_a, "post", self.officer_url, 200, {"reason": "核对政审材料"}
        )
        self.assertContains(response, "130723199901010015")
        self.assertEqual(response["Cache-Control"], "no-store")
        entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
        self.assertEqual(entry.actor, self.p.leader_a)
        self.assertEqual(
            entry.additional_data,
            {"action": "revealed", "field": "id_number", "reason": "核对政审材料"},
        )
        self.assertNotIn("130723199901010015", str(entry.changes))
        # The detail page afterwards is masked again.
        page = self.assertStatus(
            self.p.leader_a,
            "get",
            reverse("org:officer_detail", args=[self.p.officer_a_profile.pk]),
            200,
        )
        self.assertNotContains(page, "130723199901010015")
        self.assertContains(page, "查看完整信息")

        phone = self.assertStatus(
            self.p.leader_a, "post", self.phone_url, 200, {"reason": "电话回访"}
        )
        self.assertContains(phone, "13700002222")

    def test_reveal_needs_a_reason(self) -> None:
        response = self.assertStatus(self.p.leader_a, "post", self.officer_url, 400, {"reason": ""})
        self.assertContains(response, "请填写查看完整信息的事由", status_code=400)
        self.assertNotContains(response, "130723199901010015", status_code=400)
        self.assertFalse(LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists())

    def test_reveal_needs_permission(self) -> None:
        # The committee sees the officer but may not reveal his ID number.
        self.assertStatus(self.p.committee, "post", self.officer_url, 403, {"reason": "看看"})
        self.assertStatus(self.p.officer_a, "post", self.officer_url, 403, {"reason": "看看"})
        self.assertStatus(self.p.officer_b, "post", self.officer_url, 404, {"reason": "看看"})
        self.assertStatus(self.p.leader_a, "get", self.officer_url, 405)
        # Only declared fields may be revealed; unknown models are not found.
        self.assertStatus(
            self.p.leader_a,
            "post",
            reverse(
                "core:reveal_value",
                args=["org.officer", self.p.officer_a_profile.pk, "staff_number"],
            ),
            403,
            {"reason": "x" * 5},
        )
        self.assertStatus(
            self.p.leader_a,
            "post",
            reverse("core:reveal_value", args=["nope.model", 1, "x"]),
            404,
            {"reason": "x" * 5},
        )
        self.assertFalse(LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists())
        officer_page = self.assertStatus(
            self.p.committee,
            "get",
            reverse("org:officer_detail", args=[self.p.officer_a_profile.pk]),
            200,
        )
        self.assertNotContains(officer_page, "查看完整信息")
