"""An opinion reaches the unit it is about, can be passed on, and the citizen reads the answer
first, with what he sent, signed by units — never by staff accounts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from zhengfa.campaign.models import Suggestion, SuggestionState
from zhengfa.campaign.services import suggestion_transition
from zhengfa.campaign.tests.test_followup import shown_code
from zhengfa.core import followup
from zhengfa.core.models import Attachment, Notification, SmsMessage, TimelineEvent
from zhengfa.core.testing import post_public_form, raw_database_text
from zhengfa.core.tests.test_attachments import png
from zhengfa.org.testing import PersonaTestCase


class RoutingTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.citizen = Client(REMOTE_ADDR="203.0.113.40")

    def send(self, **extra: object) -> Suggestion:
        data = {"topic": "conduct", "content": "甲镇派出所值班民警态度生硬。", **extra}
        with self.captureOnCommitCallbacks(execute=True):
            response = post_public_form(self.citizen, "/opinion/", data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        return Suggestion.objects.latest("pk")

    def test_the_form_lists_units_by_township_with_i_dont_know_first(self) -> None:
        page = self.citizen.get("/opinion/").content.decode()
        self.assertIn('<option value="unknown" selected>不清楚</option>', page)
        self.assertIn("甲镇派出所", page)
        self.assertNotIn("甲村人民调解委员会", page)  # reached through its justice office

    def test_an_opinion_about_a_station_reaches_its_handlers_and_not_another_station(
        self,
    ) -> None:
        opinion = self.send(unit=str(self.p.unit_a.pk), officer_named="A002")
        self.assertEqual((opinion.unit, opinion.officer_named), (self.p.unit_a, "A002"))
        # The station's own handlers hear of it; the other station's do not.
        notified = set(Notification.objects.values_list("user__username", flat=True))
        self.assertIn(self.p.leader_a.username, notified)
        self.assertNotIn(self.p.leader_b.username, notified)
        lst = reverse("campaign:suggestion_list")
        self.assertContains(self.assertStatus(self.p.leader_a, "get", lst, 200), "态度生硬")
        self.assertNotContains(self.assertStatus(self.p.leader_b, "get", lst, 200), "态度生硬")
        detail = reverse("campaign:suggestion_detail", args=[opinion.pk])
        page = self.assertStatus(self.p.leader_a, "get", detail, 200)
        self.assertContains(page, "A002")
        self.assertStatus(self.p.leader_b, "get", detail, 404)

    def test_i_dont_know_goes_to_the_committee(self) -> None:
        opinion = self.send(unit="unknown")
        self.assertEqual(opinion.unit, self.p.root)
        notified = set(Notification.objects.values_list("user__username", flat=True))
        self.assertIn(self.p.committee.username, notified)

    def test_a_transfer_moves_it_and_the_citizen_reads_where_not_why(self) -> None:
        opinion = self.send(unit=str(self.p.unit_a.pk))
        code = shown_code(self.citizen)
        move = reverse("campaign:suggestion_transfer", args=[opinion.pk])
        # Bad input: no reason, or the unit it is already with — a clear error, nothing moves.
        no_reason = self.assertStatus(
            self.p.leader_a, "post", move, 400, {"unit": self.p.unit_b.pk, "reason": ""}
        )
        self.assertContains(no_reason, "请填写理由", status_code=400)
        same = self.assertStatus(
            self.p.leader_a, "post", move, 400, {"unit": self.p.unit_a.pk, "reason": "x"}
        )
        self.assertContains(same, "请从列表中另选一个单位", status_code=400)
        self.assertEqual(Suggestion.objects.get(pk=opinion.pk).unit, self.p.unit_a)
        # Another station cannot move it at all.
        self.assertStatus(
            self.p.leader_b, "post", move, 404, {"unit": self.p.unit_b.pk, "reason": "x"}
        )
        with self.captureOnCommitCallbacks(execute=True):
            done = self.assertStatus(
                self.p.leader_a,
                "post",
                move,
                302,
                {"unit": self.p.unit_b.pk, "reason": "事发在乙镇辖区,内部备注"},
            )
        self.assertEqual(done["Location"], reverse("campaign:suggestion_list"))
        moved = Suggestion.objects.get(pk=opinion.pk)
        self.assertEqual((moved.unit, moved.state), (self.p.unit_b, SuggestionState.SUBMITTED))
        self.assertEqual(moved.due_at, opinion.due_at)  # passing it on buys no time
        detail = reverse("campaign:suggestion_detail", args=[opinion.pk])
        self.assertStatus(self.p.leader_a, "get", detail, 404)
        self.assertContains(
            self.assertStatus(self.p.leader_b, "get", detail, 200), "事发在乙镇辖区,内部备注"
        )
        self.assertTrue(
            Notification.objects.filter(user=self.p.leader_b, title__contains="转到本单位").exists()
        )
        self.citizen.post("/query/", {"code": code})
        page = self.citizen.get("/query/record/").content.decode()
        self.assertIn("已转交乙镇派出所办理", page)
        self.assertIn("甲镇派出所", page)  # signed by the unit that passed it on
        self.assertNotIn("内部备注", page)
        self.assertNotIn(self.p.leader_a.display_name, page)
        # The county committee takes it up: the page names the committee, not the station.
        suggestion_transition(record=moved, name="accept", by=self.p.committee)
        page = self.citizen.get("/query/record/").content.decode()
        self.assertRegex(page, r"<strong>\s*测试县委政法委\s*</strong>\s*状态:办理中")


class AnswerPageTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.citizen = Client(REMOTE_ADDR="203.0.113.41")

    def test_the_citizen_sees_the_answer_first_then_what_he_sent(self) -> None:
        photo = SimpleUploadedFile("IMG_2041.png", png(), content_type="image/png")
        post_public_form(
            self.citizen,
            "/opinion/",
            {"topic": "service", "content": "户籍窗口中午不开门。", "attachments": [photo]},
        )
        code = shown_code(self.citizen)
        self.citizen.post("/query/", {"code": code})
        waiting = self.citizen.get("/query/record/").content.decode()
        opinion = Suggestion.objects.get()
        due = timezone.localtime(opinion.created_at + dt.timedelta(days=7 + 15)).date()
        promise = f"最晚在{due.year}年{due.month}月{due.day}日前答复您"
        self.assertIn(promise, waiting)
        # Taking it up does not move the date promised; it becomes the staff's deadline.
        suggestion_transition(record=opinion, name="accept", by=self.p.committee)
        self.assertEqual(Suggestion.objects.get().due_at, opinion.answer_due)
        self.assertIn(promise, self.citizen.get("/query/record/").content.decode())
        opinion.refresh_from_db()
        self.assertIn("户籍窗口中午不开门。", waiting)
        [mine] = Attachment.objects.filter(by_citizen=True)
        picture = self.citizen.get(reverse("portal:query_file", args=[mine.pk]))
        self.assertEqual((picture.status_code, picture["Content-Type"]), (200, "image/png"))
        suggestion_transition(
            record=opinion, name="answer", by=self.p.committee, comment="已安排午间轮岗。"
        )
        page = self.citizen.get("/query/record/").content.decode()
        self.assertLess(page.index("已安排午间轮岗。"), page.index("户籍窗口中午不开门。"))
        self.assertIn("测试县委政法委", page)  # the unit answers
        self.assertNotIn(self.p.committee.display_name, page)  # never a staff account
        self.assertNotIn(self.p.committee.username, page)
        self.assertNotIn("最晚在", page)
        # Done reading, on a shared phone: the next person finds nothing.
        closed = self.citizen.post(reverse("portal:query_close"))
        self.assertEqual(closed.status_code, 302)
        self.assertRedirects(
            self.citizen.get("/query/record/"), "/query/", fetch_redirect_response=False
        )

    def test_a_file_opens_only_for_the_code_that_sent_it(self) -> None:
        photo = SimpleUploadedFile("a.png", png(), content_type="image/png")
        post_public_form(
            self.citizen,
            "/opinion/",
            {"topic": "other", "content": "第一条意见。", "attachments": [photo]},
        )
        [first] = Attachment.objects.all()
        url = reverse("portal:query_file", args=[first.pk])
        self.assertEqual(Client().get(url).status_code, 404)  # no code opened
        other = Client(REMOTE_ADDR="203.0.113.42")
        post_public_form(other, "/opinion/", {"topic": "other", "content": "第二条意见。"})
        other.post("/query/", {"code": shown_code(other)})
        self.assertEqual(other.get(url).status_code, 404)  # another person's code

    def test_an_empty_form_names_what_is_missing(self) -> None:
        page = post_public_form(self.citizen, "/opinion/", {})
        self.assertContains(page, "请补填或改正以下内容", status_code=400)
        body = page.content.decode()
        problems = body[
            body.index('id="form-problems"') : body.index(
                "</div>", body.index('id="form-problems"')
            )
        ]
        self.assertIn("反映哪方面的问题?", problems)
        self.assertIn("您的意见", problems)
        self.assertIn("请填写这一项", problems)
        self.assertNotIn("这个字段是必填项", body)
        self.assertFalse(Suggestion.objects.exists())


class LateTakeUpTests(PersonaTestCase):
    def test_taking_up_late_never_clears_overdue(self) -> None:
        from zhengfa.campaign.services import suggestion_submit

        opinion, _code = suggestion_submit(topic="other", content="一条很久没人管的意见。")
        long_ago = timezone.now() - dt.timedelta(days=30)
        Suggestion.objects.filter(pk=opinion.pk).update(
            created_at=long_ago, due_at=long_ago + dt.timedelta(days=7)
        )
        opinion.refresh_from_db()
        suggestion_transition(record=opinion, name="accept", by=self.p.committee)
        self.assertTrue(Suggestion.objects.get(pk=opinion.pk).is_overdue)


@override_settings(SMS_BACKEND="zhengfa.core.sms.FileBackend")
class TextedCodeTests(PersonaTestCase):
    def test_the_code_is_texted_and_never_kept(self) -> None:
        cache.clear()
        citizen = Client(REMOTE_ADDR="203.0.113.43")
        with self.captureOnCommitCallbacks(execute=True):
            post_public_form(
                citizen,
                "/opinion/",
                {"topic": "other", "content": "请短信告诉我。", "phone": "13900005555"},
            )
        page = citizen.get("/opinion/received/")
        self.assertContains(page, "查询码正在用短信发送到 139****5555")
        code = re.search(r'id="followup-code"[^>]*>([0-9A-Z-]+)<', page.content.decode())
        assert code is not None
        [message] = SmsMessage.objects.filter(purpose="followup-code")
        self.assertEqual((message.outcome, message.secret), (SmsMessage.Outcome.SENT, ""))
        self.assertIn("{code}", message.text)
        [written] = Path(settings.SMS_FILE_PATH).glob("sms-*.log")
        self.assertIn(code.group(1), written.read_text(encoding="utf-8"))
        dump = raw_database_text()
        self.assertNotIn(code.group(1), dump)
        self.assertNotIn(code.group(1).replace("-", ""), dump)
        self.assertEqual(followup.find(code.group(1)), Suggestion.objects.get())
        self.assertTrue(TimelineEvent.objects.filter(by_citizen=True).exists())
