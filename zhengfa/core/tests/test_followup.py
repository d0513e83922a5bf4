"""Follow-up codes: issued hashed, found however typed, limited per address, on the test app."""

from __future__ import annotations

from django.core.cache import cache
from django.test import Client, override_settings

from zhengfa.core import followup
from zhengfa.core.crypto import keyed_hash
from zhengfa.core.models import FollowUp, TimelineEvent
from zhengfa.core.testing import raw_database_text
from zhengfa.core.tests.testapp.models import Case
from zhengfa.core.tests.testapp.services import case_open, case_transition
from zhengfa.org.testing import PersonaTestCase


class CodeTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.case, self.code = case_open(unit=self.p.unit_a, title="夜间噪声", by=None)

    def test_shape_storage_and_lookup(self) -> None:
        self.assertEqual(len(self.code), followup.CODE_LENGTH)
        self.assertTrue(set(self.code) <= set(followup.ALPHABET))
        self.assertNotRegex(self.code, "[ILOU]")
        self.assertNotIn(self.code, raw_database_text())
        self.assertEqual(FollowUp.objects.get().code_hash, keyed_hash("followup:" + self.code))
        messy = self.code.lower().replace("0", "o").replace("1", "l")
        self.assertEqual(followup.find(messy[:4] + " - " + messy[4:]), self.case)
        self.assertIsNone(followup.find(followup.new_code()))
        self.assertIsNone(followup.find("不是查询码"))
        Case.objects.all().delete()  # its code row stays, and finds nothing
        self.assertIsNone(followup.find(self.code))

    def test_a_code_issued_before_codes_were_shortened_still_opens(self) -> None:
        old = "".join(followup.ALPHABET[i % 32] for i in range(7, 27))  # 20 characters
        FollowUp.objects.filter(object_id=self.case.pk).update(code_hash=followup.code_hash(old))
        self.assertEqual(followup.find(followup.group(old)), self.case)
        self.assertIsNone(followup.find(old[:16]))

    def test_the_citizen_adds_while_open_and_reads_public_steps_only(self) -> None:
        citizen = Client(REMOTE_ADDR="203.0.113.77")
        self.assertRedirects(
            citizen.post("/query/", {"code": followup.group(self.code)}),
            "/query/record/",
            fetch_redirect_response=False,
        )
        citizen.post("/query/record/add/", {"comment": "补充:每晚十点后。"})
        event = TimelineEvent.objects.get(comment="补充:每晚十点后。")
        self.assertTrue(event.by_citizen and event.public and event.actor is None)
        case_transition(record=self.case, name="answer", by=self.p.leader_a, comment="已处理")
        page = citizen.get("/query/record/")
        self.assertContains(page, "已处理")
        self.assertContains(page, "夜间噪声")
        case_transition(record=Case.objects.get(), name="close", by=self.p.committee)
        late = citizen.post("/query/record/add/", {"comment": "还有一点"})
        self.assertEqual(late.status_code, 400)
        self.assertFalse(TimelineEvent.objects.filter(comment="还有一点").exists())


class ProxyTests(PersonaTestCase):
    @override_settings(FOLLOWUP_RATE_LIMIT=(2, 600), TRUSTED_PROXIES=["127.0.0.1"])
    def test_behind_a_proxy_each_citizen_has_his_own_count(self) -> None:
        cache.clear()
        via_proxy = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
        for _ in range(2):
            via_proxy.post("/query/", {"code": "AAAA"})
        self.assertEqual(via_proxy.post("/query/", {"code": "AAAA"}).status_code, 429)
        other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
        self.assertEqual(other.post("/query/", {"code": "AAAA"}).status_code, 200)
        # A forged header from outside the proxy is not believed.
        direct = Client(REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
        for _ in range(2):
            direct.post("/query/", {"code": "AAAA"})
        self.assertEqual(direct.post("/query/", {"code": "AAAA"}).status_code, 429)
