"""Follow-up codes through the opinion form: from submission to the answer and closing."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from django.core.cache import cache
from django.test import Client, override_settings

from zhengfa.campaign.models import Suggestion, SuggestionState
from zhengfa.campaign.services import suggestion_transition
from zhengfa.campaign.tests.factories import county_campaign
from zhengfa.core import followup
from zhengfa.core.crypto import keyed_hash
from zhengfa.core.models import FollowUp, TimelineEvent
from zhengfa.core.testing import post_public_form, raw_database_text
from zhengfa.org.testing import PersonaTestCase

ADDRESS = "203.0.113.77"


class FollowUpTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.campaign = county_campaign(self.p)
        self.citizen = Client(REMOTE_ADDR=ADDRESS)

    def submit(self, **extra: str) -> str:
        data = {"topic": "conduct", "content": "派出所窗口中午无人值守,办事要等很久。", **extra}
        response = post_public_form(self.citizen, "/opinion/", data)
        self.assertRedirects(response, "/opinion/received/", fetch_redirect_response=False)
        page = self.citizen.get("/opinion/received/")
        self.assertContains(page, "只显示这一次")
        self.assertContains(page, "data:image/png;base64,")  # the card to keep
        code = re.search(r'id="followup-code"[^>]*>([0-9A-Z-]+)<', page.content.decode())
        assert code is not None
        # Every way on to the follow-up page carries the code.
        self.assertEqual(page.content.decode().count(f'href="/query/#{code.group(1)}"'), 2)
        return code.group(1)

    def test_the_opinion_and_the_text_with_its_code_commit_together(self) -> None:
        from unittest import mock

        from django.db import OperationalError

        from zhengfa.campaign.models import Suggestion

        self.citizen.raise_request_exception = False
        data = {"topic": "conduct", "content": "派出所窗口中午无人值守。", "phone": "13900001111"}
        with mock.patch(
            "zhengfa.core.followup.text_code", side_effect=OperationalError("connection lost")
        ):
            answer = post_public_form(self.citizen, "/opinion/", data)
        self.assertEqual(answer.status_code, 503)
        self.assertFalse(Suggestion.objects.exists())

    def test_an_opinion_sent_twice_is_one_opinion_with_one_code(self) -> None:
        from zhengfa.campaign.models import Suggestion
        from zhengfa.core.testing import public_form_fields

        data = {
            **public_form_fields(self.citizen, "/opinion/"),
            "topic": "conduct",
            "content": "派出所窗口中午无人值守。",
        }
        first = self.citizen.post("/opinion/", data)
        code = re.search(
            r'id="followup-code"[^>]*>([0-9A-Z-]+)<',
            self.citizen.get("/opinion/received/").content.decode(),
        )
        # The answer was lost on the way; he presses again: the same code, one opinion.
        second = self.citizen.post("/opinion/", data)
        self.assertEqual((first["Location"], second["Location"]), ("/opinion/received/",) * 2)
        self.assertContains(self.citizen.get("/opinion/received/"), code.group(1) if code else "?")
        self.assertEqual(Suggestion.objects.count(), 1)

    def test_without_the_proof_of_work_nothing_is_saved(self) -> None:
        from zhengfa.campaign.models import Suggestion
        from zhengfa.core.challenge import new_token

        answer = self.citizen.post(
            "/opinion/", {"topic": "conduct", "content": "没有做验证。", "submission": new_token()}
        )
        self.assertContains(answer, "确认是本人在提交", status_code=400)
        self.assertFalse(Suggestion.objects.exists())

    def test_code_shape_and_shown_once(self) -> None:
        code = self.submit()
        plain = code.replace("-", "")
        self.assertEqual(len(plain), 12)
        self.assertTrue(set(plain) <= set(followup.ALPHABET))
        self.assertNotRegex(plain, "[ILOU]")
        # Shown once: the confirmation page does not show it again.
        again = self.citizen.get("/opinion/received/")
        self.assertRedirects(again, "/query/", fetch_redirect_response=False)

    def test_the_database_holds_no_plaintext_code(self) -> None:
        code = self.submit()
        plain = code.replace("-", "")
        dump = raw_database_text()
        self.assertNotIn(plain, dump)
        self.assertNotIn(code, dump)
        entry = FollowUp.objects.get()
        self.assertEqual(entry.code_hash, keyed_hash("followup:" + plain))

    def test_lookup_ignores_case_dashes_and_lookalikes(self) -> None:
        code = self.submit().replace("-", "")
        messy = code.lower().replace("0", "o").replace("1", "l")
        messy = messy[:4] + " - " + messy[4:]
        response = self.citizen.post("/query/", {"code": messy})
        self.assertRedirects(response, "/query/record/", fetch_redirect_response=False)
        page = self.citizen.get("/query/record/")
        self.assertContains(page, "已收到")
        self.assertIn("no-store", page["Cache-Control"])  # what he wrote stays off caches
        self.assertContains(page, "干警作风纪律")

    def test_wrong_code_and_missing_record_answer_alike(self) -> None:
        code = self.submit()
        Suggestion.objects.all().delete()  # the record is gone; its code row stays harmless
        wrong = self.citizen.post("/query/", {"code": followup.group(followup.new_code())})
        gone = self.citizen.post("/query/", {"code": code})
        self.assertEqual(wrong.status_code, gone.status_code)
        strip = lambda r: re.sub(r'value="[^"]*"', "", r.content.decode())  # noqa: E731
        self.assertEqual(strip(wrong), strip(gone))
        self.assertIn("没有与此查询码对应的事项", strip(wrong))

    @override_settings(FOLLOWUP_RATE_LIMIT=(5, 600))
    def test_the_rate_limit_blocks_the_next_attempt(self) -> None:
        code = self.submit()
        for _ in range(5):
            response = self.citizen.post("/query/", {"code": "AAAA-BBBB-CCCC-DDDD-EEEE"})
            self.assertEqual(response.status_code, 200)
        blocked = self.citizen.post("/query/", {"code": code})  # even the right code
        self.assertEqual(blocked.status_code, 429)
        self.assertContains(blocked, "查询次数过多", status_code=429)
        self.assertContains(blocked, "10分钟", status_code=429)
        # Another address is not blocked.
        other = Client(REMOTE_ADDR="198.51.100.9").post("/query/", {"code": code})
        self.assertEqual(other.status_code, 302)

    def test_citizen_adds_information_while_open_but_not_after(self) -> None:
        code = self.submit()
        self.citizen.post("/query/", {"code": code})
        empty = self.citizen.post("/query/record/add/", {"comment": "  "})
        self.assertContains(empty, "请填写内容或上传文件", status_code=400)
        added = self.citizen.post("/query/record/add/", {"comment": "补充:是上周三中午。"})
        self.assertRedirects(added, "/query/record/", fetch_redirect_response=False)
        self.assertContains(self.citizen.get("/query/record/"), "补充:是上周三中午。")
        event = TimelineEvent.objects.get(comment="补充:是上周三中午。")
        self.assertTrue(event.by_citizen and event.public and event.actor is None)
        suggestion = Suggestion.objects.get()
        suggestion_transition(
            record=suggestion,
            name="answer",
            by=self.p.committee,
            comment="已责成派出所安排午间值班。",
        )
        page = self.citizen.get("/query/record/")
        self.assertContains(page, "已答复")
        self.assertContains(page, "已责成派出所安排午间值班。")
        self.assertContains(page, "该事项已办结")
        late = self.citizen.post("/query/record/add/", {"comment": "还有一点"})
        self.assertEqual(late.status_code, 400)
        self.assertFalse(TimelineEvent.objects.filter(comment="还有一点").exists())
        self.assertEqual(Suggestion.objects.get().state, SuggestionState.ANSWERED)

    def test_the_record_page_needs_the_code_first(self) -> None:
        self.submit()
        stranger = Client()
        self.assertRedirects(
            stranger.get("/query/record/"), "/query/", fetch_redirect_response=False
        )
        self.assertRedirects(
            stranger.post("/query/record/add/", {"comment": "x"}),
            "/query/",
            fetch_redirect_response=False,
        )

    def test_no_client_address_is_written_anywhere(self) -> None:
        # Headers a client may send to be recognised again: none of them is kept.
        self.citizen.defaults.update(
            HTTP_X_CORRELATION_ID="tracker-5f2a9c", HTTP_X_FORWARDED_PORT="53117"
        )
        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger("zhengfa").debug("capture starts")
            code = self.submit(phone="13900001111", name="王大爷")
            self.citizen.post("/query/", {"code": "WRONG-CODE"})
            self.citizen.post("/query/", {"code": code})
            self.citizen.post("/query/record/add/", {"comment": "补充"})
        dump = raw_database_text()
        self.assertIn("派出所窗口中午无人值守", dump)  # the dump does hold the submission
        self.assertNotIn("王大爷", dump)  # but not the name: encrypted
        self.assertNotIn(ADDRESS, dump)
        self.assertNotIn(ADDRESS, "\n".join(logs.output))
        # The phone number is encrypted at rest, in the audit log too.
        self.assertNotIn("13900001111", dump)
        self.assertNotIn("001111", dump)
        self.assertNotIn("tracker-5f2a9c", dump)
        # (Times are left out: a time's microseconds, e.g. 01:56:21.531176, may hold the digits.)
        self.assertNotIn("53117", re.sub(r"\d\d:\d\d:\d\d\.\d+", "", dump))
        from auditlog.models import LogEntry

        entry = LogEntry.objects.get_for_model(Suggestion).get()
        self.assertEqual((entry.cid, entry.remote_port, entry.remote_addr), (None, None, None))
        # What the citizen wrote is in the opinion, not copied into the log.
        self.assertNotIn("派出所窗口中午无人值守", str(entry.changes))
        self.assertIn("content", entry.changes_dict)

    def test_bad_submission_saves_nothing(self) -> None:
        response = post_public_form(
            self.citizen, "/opinion/", {"topic": "nope", "content": "短", "phone": "123"}
        )
        for message in ("请至少写5个字", "请输入以1开头的11位手机号码"):
            self.assertContains(response, message, status_code=400)
        self.assertEqual(Suggestion.objects.count(), 0)
        self.assertEqual(FollowUp.objects.count(), 0)


class CodeNeverStoredTests(PersonaTestCase):
    def test_an_unseen_confirmation_leaves_no_code_in_the_database(self) -> None:
        county_campaign(self.p)
        citizen = Client()
        response = post_public_form(
            citizen, "/opinion/", {"topic": "other", "content": "提交后手机断网了。"}
        )
        self.assertEqual(response.status_code, 302)
        cookie = response.cookies[followup.DISPLAY_COOKIE].value
        code = json.loads(cookie.rsplit(":", 2)[0])["code"]  # value:timestamp:signature
        self.assertEqual(len(code), 12)
        dump = raw_database_text()
        self.assertNotIn(code, dump)
        self.assertNotIn(followup.group(code), dump)


class DisplayCookieTests(PersonaTestCase):
    def test_the_code_cookie_goes_to_the_confirmation_page_only(self) -> None:
        county_campaign(self.p)
        response = post_public_form(
            Client(), "/opinion/", {"topic": "other", "content": "只发给确认页面。"}
        )
        cookie = response.cookies[followup.DISPLAY_COOKIE]
        self.assertEqual(cookie["path"], "/opinion/received/")
        self.assertTrue(cookie["httponly"])
        self.assertEqual(cookie["max-age"], 600)


class StaffPageTests(PersonaTestCase):
    def test_staff_see_the_name_and_phone_masked_and_the_first_step_is_public(self) -> None:
        from django.urls import reverse

        from zhengfa.campaign.services import suggestion_submit
        from zhengfa.core.workflow import timeline_for

        suggestion, _code = suggestion_submit(
            topic="service",
            content="户籍窗口排队太久",
            name="李奶奶",
            phone="13700002222",
        )
        page = self.assertStatus(
            self.p.committee,
            "get",
            reverse("campaign:suggestion_detail", args=[suggestion.pk]),
            200,
        )
        self.assertContains(page, "137****2222")
        self.assertNotContains(page, "13700002222")
        self.assertNotContains(page, "李奶奶")
        # Who wrote it is for supervision staff alone: the committee answers the matter.
        phone = reverse("core:reveal_value", args=["campaign.suggestion", suggestion.pk, "phone"])
        self.assertNotContains(page, phone)
        self.assertStatus(self.p.committee, "post", phone, 403, {"reason": "回访"})
        self.assertStatus(self.p.leader_a, "post", phone, 404, {"reason": "回访"})
        revealed = self.assertStatus(self.p.supervision, "post", phone, 200, {"reason": "核实"})
        self.assertContains(revealed, "13700002222")
        [received] = timeline_for(suggestion)
        # The citizen's own follow-up page shows that it was received.
        self.assertTrue(received.public and received.by_citizen)
        self.assertEqual(received.start_label, "已收到")


def shown_code(citizen: Client) -> str:
    """The follow-up code the confirmation page shows the citizen."""
    page = citizen.get("/opinion/received/")
    code = re.search(r'id="followup-code"[^>]*>([0-9A-Z-]+)<', page.content.decode())
    assert code is not None
    return code.group(1)


class SubmissionBrakeTests(PersonaTestCase):
    @override_settings(SUBMISSION_RATE_LIMIT=(3, 3600))
    def test_a_flood_from_one_address_is_refused_and_no_address_is_stored(self) -> None:
        county_campaign(self.p)
        flood = Client(REMOTE_ADDR=ADDRESS)
        data = {"topic": "other", "content": "同一地址连续提交的意见。"}
        self.assertEqual(post_public_form(flood, "/opinion/", data).status_code, 302)
        # Posts that fail validation count too: each may carry pictures to check.
        self.assertEqual(
            post_public_form(flood, "/opinion/", {"topic": "other", "content": "短"}).status_code,
            400,
        )
        self.assertEqual(post_public_form(flood, "/opinion/", data).status_code, 302)
        refused = post_public_form(flood, "/opinion/", data)
        self.assertContains(refused, "请等待60分钟", status_code=429)
        self.assertEqual(Suggestion.objects.count(), 2)
        # Another address is not held back, and no address is in the database.
        self.assertEqual(
            post_public_form(Client(REMOTE_ADDR="198.51.100.9"), "/opinion/", data).status_code, 302
        )
        self.assertNotIn(ADDRESS, raw_database_text())

    @override_settings(SUBMISSION_RATE_LIMIT=(2, 3600))
    def test_additions_to_a_request_are_braked_too(self) -> None:
        county_campaign(self.p)
        citizen = Client(REMOTE_ADDR=ADDRESS)
        post_public_form(citizen, "/opinion/", {"topic": "other", "content": "先提交一条意见。"})
        code = shown_code(citizen)
        citizen.post("/query/", {"code": code})
        added = citizen.post("/query/record/add/", {"comment": "补充一"})
        self.assertEqual(added.status_code, 302)
        refused = citizen.post("/query/record/add/", {"comment": "补充二"})
        self.assertContains(refused, "请等待60分钟", status_code=429)
        self.assertFalse(TimelineEvent.objects.filter(comment="补充二").exists())

    def test_an_ipv6_household_counts_as_one(self) -> None:
        from django.test import RequestFactory

        from zhengfa.core import ratelimit

        def request(address: str) -> Any:
            return RequestFactory().get("/", REMOTE_ADDR=address)

        ratelimit.hit(request("2001:db8:0:1::a"), "probe", 60)
        ratelimit.hit(request("2001:db8:0:1:ffff::b"), "probe", 60)
        self.assertTrue(ratelimit.exceeded(request("2001:db8:0:1::c"), "probe", 2, 60))
        self.assertFalse(ratelimit.exceeded(request("2001:db8:0:2::a"), "probe", 1, 60))
        self.assertFalse(ratelimit.exceeded(request("203.0.113.8"), "probe", 1, 60))

    @override_settings(FOLLOWUP_RATE_LIMIT=(3, 600))
    def test_right_codes_do_not_use_up_the_tries(self) -> None:
        county_campaign(self.p)
        citizen = Client(REMOTE_ADDR=ADDRESS)
        post_public_form(citizen, "/opinion/", {"topic": "other", "content": "查询次数只算错的。"})
        code = shown_code(citizen)
        for _ in range(6):  # twice the limit, every time right
            right = citizen.post("/query/", {"code": code})
            self.assertEqual(right.status_code, 302)
        for _ in range(3):
            citizen.post("/query/", {"code": "AAAA-BBBB-CCCC"})
        self.assertEqual(citizen.post("/query/", {"code": code}).status_code, 429)
