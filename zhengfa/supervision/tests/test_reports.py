"""A report's life over HTTP, who sees what of it, and what the public form refuses."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from zhengfa.campaign.models import SuggestionState
from zhengfa.campaign.services import suggestion_submit
from zhengfa.core import followup
from zhengfa.core.models import Notification, TimelineEvent
from zhengfa.core.testing import png_upload, public_form_fields, raw_database_text
from zhengfa.org.testing import PersonaTestCase
from zhengfa.rectify.models import LedgerItem, Source
from zhengfa.rectify.services import items_from
from zhengfa.supervision import selectors, services
from zhengfa.supervision.models import Report, ReportState

from .factories import STORY, bureau_leader, report_about_a, verifying

ADDRESS = "198.51.100.203"
AGENT = "Mozilla/5.0 (Linux; Android 7.0; 测试机型 ZX-9931) MicroMessenger/8.0.1"


def form(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "misconduct",
        "unit": "unknown",
        "category": "bribes",
        "story": STORY,
        "identity": "anonymous",
        **extra,
    }


class Citizen:
    """A person on a phone: fills the form, keeps the code, follows it up."""

    def __init__(self, address: str = ADDRESS) -> None:
        self.client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=AGENT)

    def send(self, **extra: Any) -> Any:
        data = {**public_form_fields(self.client, "/report/"), **form(**extra)}
        return self.client.post("/report/", data)

    def code(self) -> str:
        page = self.client.get("/report/received/").content.decode()
        found = re.search(r'id="followup-code"[^>]*>([0-9A-Z-]+)<', page)
        assert found is not None, page
        return found.group(1)

    def open(self, code: str) -> str:
        response = self.client.post("/query/", {"code": code}, follow=True)
        return response.content.decode()


class LifeTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()

    def test_anonymous_report_from_the_form_to_the_rating(self) -> None:
        citizen = Citizen()
        with self.captureOnCommitCallbacks(execute=True):
            response = citizen.send(unit=str(self.p.unit_a.pk), attachments=[png_upload()])
        self.assertRedirects(response, "/report/received/", fetch_redirect_response=False)
        code = citizen.code()
        report = Report.objects.get()
        self.assertEqual(
            (report.state, report.unit, report.about_unit),
            ("submitted", self.p.root, self.p.unit_a),
        )
        self.assertEqual((report.name, report.phone, report.real_name), ("", "", False))
        # Supervision staff are told; nobody at the station is.
        told = set(Notification.objects.values_list("user__username", flat=True))
        self.assertEqual(told, {"jiancha"})
        staff = self.client_for(self.p.supervision)
        self.assertContains(staff.get(f"/staff/supervision/{report.pk}/"), "暗示要送烟酒")
        staff.post(f"/staff/supervision/{report.pk}/accept/", {"comment": ""})
        leader = bureau_leader(self.p)
        response = staff.post(
            f"/staff/supervision/{report.pk}/assign/",
            {
                "assign-unit": self.p.bureau.pk,
                "assign-method": "verify",
                "assign-deadline": "2099-12-31",
                "assign-officer": "A002",
                "assign-comment": "请核实窗口收受烟酒问题",
            },
        )
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual(
            (report.state, report.verifier_unit, report.about_officer),
            ("verifying", self.p.bureau, self.p.officer_a_profile),
        )
        # The bureau verifies: it records what it found, with a file.
        bureau = self.client_for(leader)
        page = bureau.get(f"/staff/supervision/{report.pk}/")
        self.assertContains(page, "暗示要送烟酒")
        response = bureau.post(
            f"/staff/supervision/{report.pk}/verification/",
            {
                "note-comment": "调取窗口监控,确有收受香烟一条。",
                "note-attachments": [png_upload("监控.png")],
            },
        )
        self.assertEqual(response.status_code, 302)
        # Concluded true: on the ledger, linked both ways.
        response = staff.post(
            f"/staff/supervision/{report.pk}/conclude/",
            {
                "conclude-conclusion": "true",
                "conclude-finding": "甲民警办理户口时收受香烟一条。",
                "conclude-reply": "经核查,您反映的问题属实,已责令整改并对该民警作出处理。",
            },
        )
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual((report.state, report.conclusion), ("concluded", "true"))
        item = items_from(report).get()
        self.assertEqual(
            (item.source, item.unit, item.officer),
            (Source.REPORT, self.p.unit_a, self.p.officer_a_profile),
        )
        self.assertEqual(
            item.category.code, "bribes" if item.category.code == "bribes" else "other"
        )
        self.assertContains(staff.get(f"/staff/supervision/{report.pk}/"), item.get_absolute_url())
        committee_page = self.client_for(self.p.committee).get(item.get_absolute_url())
        self.assertNotContains(committee_page, report.get_absolute_url())  # he may not see it
        self.assertContains(staff.get(item.get_absolute_url()), report.get_absolute_url())
        # Anonymous: closed without feedback; the citizen reads the reply and rates it.
        staff.post(f"/staff/supervision/{report.pk}/close/", {"comment": ""})
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.CLOSED)
        public = citizen.open(code)
        self.assertIn("已责令整改", public)
        self.assertNotIn("收受香烟一条", public)  # the finding is for staff
        self.assertNotIn("甲所长", public)
        self.assertIn("您对办理结果满意吗", public)
        response = citizen.client.post(
            "/query/record/rate/", {"rating": "mostly", "comment": "希望以后别再发生"}
        )
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual(
            (report.satisfaction, report.satisfaction_comment), ("mostly", "希望以后别再发生")
        )
        again = citizen.client.post("/query/record/rate/", {"rating": "not"})
        self.assertEqual(again.status_code, 400)
        report.refresh_from_db()
        self.assertEqual(report.satisfaction, "mostly")

    def test_real_name_needs_feedback_before_closing(self) -> None:
        citizen = Citizen()
        citizen.send(
            identity="real", name="王大爷", phone="13900001111", id_number="130723199901010015"
        )
        report = Report.objects.get()
        self.assertEqual(
            (report.real_name, report.name, report.phone), (True, "王大爷", "13900001111")
        )
        verifying(self.p, report)
        services.report_conclude(
            report=report,
            by=self.p.supervision,
            conclusion="false",
            finding="未发现",
            reply="经核查不属实。",
        )
        report.refresh_from_db()
        staff = self.client_for(self.p.supervision)
        refused = staff.post(f"/staff/supervision/{report.pk}/close/")
        self.assertContains(refused, "须先向反映人反馈", status_code=400)
        response = staff.post(
            f"/staff/supervision/{report.pk}/feedback/",
            {"feedback-method": "phone", "feedback-note": ""},
        )
        self.assertContains(response, "请填写", status_code=400)
        response = staff.post(
            f"/staff/supervision/{report.pk}/feedback/",
            {"feedback-method": "phone", "feedback-note": "电话告知结果,本人认可。"},
        )
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.CLOSED)
        self.assertIsNotNone(report.feedback_at)
        self.assertEqual(selectors.feedback_within(Report.objects.all()), (1, 1))

    def test_declined_with_a_reason_the_reporter_reads(self) -> None:
        citizen = Citizen()
        citizen.send()
        code = citizen.code()
        report = Report.objects.get()
        staff = self.client_for(self.p.supervision)
        response = staff.post(f"/staff/supervision/{report.pk}/decline/", {"comment": ""})
        self.assertEqual(response.status_code, 400)
        staff.post(
            f"/staff/supervision/{report.pk}/decline/",
            {"comment": "这是对判决的异议,请依法申请再审。"},
        )
        page = citizen.open(code)
        self.assertIn("请依法申请再审", page)
        self.assertIn("不予受理", page)

    def test_the_reporter_adds_information_while_open(self) -> None:
        citizen = Citizen()
        citizen.send()
        citizen.open(citizen.code())
        response = citizen.client.post(
            "/query/record/add/",
            {"comment": "补充:时间是3月5日上午。", "attachments": [png_upload()]},
        )
        self.assertEqual(response.status_code, 302)
        report = Report.objects.get()
        self.assertTrue(
            TimelineEvent.objects.filter(
                object_id=report.pk, comment__contains="3月5日", by_citizen=True
            ).exists()
        )


class VisibilityTests(PersonaTestCase):
    """The officer reported on sees nothing; his station's leader nothing; the verifying
    bureau the facts without the reporter; supervision staff everything."""

    def setUp(self) -> None:
        cache.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.report = report_about_a(self.p, real=True)
            self.leader = bureau_leader(self.p)
            verifying(self.p, self.report)

    def test_each_sees_what_he_should(self) -> None:
        url = self.report.get_absolute_url()
        for who in (self.p.officer_a, self.p.leader_a, self.p.clerk_a, self.p.committee):
            client = self.client_for(who)
            self.assertEqual(client.get(url).status_code, 404, who)
            listing = client.get("/staff/supervision/").content.decode()
            self.assertNotIn(url, listing)
            self.assertNotIn("暗示要送烟酒", client.get("/").content.decode())
            self.assertFalse(Report.objects.visible_to(who).exists())
        self.assertFalse(
            Notification.objects.filter(user__in=[self.p.officer_a, self.p.leader_a]).exists()
        )
        # The verifying bureau: the facts, not the reporter (not even masked).
        bureau = self.client_for(self.leader)
        page = bureau.get(url).content.decode()
        self.assertIn("暗示要送烟酒", page)
        for trace in ("王", "139", "1111", "实名", "reporter"):
            self.assertNotIn(f'id="{trace}"', page)
        self.assertNotIn('id="reporter"', page)
        self.assertNotIn("王*", page)
        self.assertNotIn("1111", page)
        self.assertEqual(
            bureau.post(
                f"/staff/reveal/supervision.report/{self.report.pk}/phone/", {"reason": "核查"}
            ).status_code,
            403,  # it may see the record, not reveal who wrote it
        )
        # Supervision: masked, revealed with a reason, audited.
        staff = self.client_for(self.p.supervision)
        page = staff.get(url).content.decode()
        self.assertIn('id="reporter"', page)
        self.assertIn("王*", page)
        self.assertNotIn("王大爷", page)
        shown = staff.post(
            f"/staff/reveal/supervision.report/{self.report.pk}/phone/",
            {"reason": "联系实名举报人"},
        )
        self.assertContains(shown, "13900001111")
        from auditlog.models import LogEntry

        self.assertTrue(
            LogEntry.objects.filter(
                action=LogEntry.Action.ACCESS,
                object_pk=str(self.report.pk),
                actor=self.p.supervision,
            ).exists()
        )

    def test_the_officer_concerned_sees_nothing_even_with_a_role_that_would(self) -> None:
        from zhengfa.org.access import Role
        from zhengfa.org.services import role_assign

        # Officer A becomes supervision staff himself: still never his own report.
        role_assign(user=self.p.officer_a, role=Role.SUPERVISION, unit=self.p.root)
        self.assertFalse(
            Report.objects.visible_to(self.p.officer_a).filter(pk=self.report.pk).exists()
        )
        self.assertEqual(
            self.client_for(self.p.officer_a).get(self.report.get_absolute_url()).status_code, 404
        )
        self.assertEqual(selectors.figures_scope(self.p.officer_a).count(), 0)

    def test_never_verified_by_the_unit_concerned(self) -> None:
        other = report_about_a(self.p, story="另一件事。")
        services.report_transition(record=other, name="accept", by=self.p.supervision)
        staff = self.client_for(self.p.supervision)
        response = staff.post(
            f"/staff/supervision/{other.pk}/assign/",
            {
                "assign-unit": self.p.unit_a.pk,
                "assign-method": "verify",
                "assign-deadline": "2099-01-01",
            },
        )
        self.assertContains(response, "不交被反映的单位", status_code=400)
        other.refresh_from_db()
        self.assertEqual(other.state, ReportState.ACCEPTED)

    def test_the_committee_sees_figures_not_reports(self) -> None:
        page = self.client_for(self.p.committee).get("/staff/supervision/figures/")
        self.assertContains(page, 'id="total">1<')
        self.assertNotContains(page, "暗示要送烟酒")


class BadInputTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.citizen = Citizen()

    def assertRefused(self, response: Any, message: str) -> None:
        self.assertContains(response, message, status_code=400)
        self.assertFalse(Report.objects.exists())

    def test_each_bad_input_is_refused_with_a_message_and_nothing_saved(self) -> None:
        self.assertRefused(self.citizen.send(story=""), "请告诉我们发生了什么")
        self.assertRefused(self.citizen.send(story="   \x07\x1b "), "请告诉我们发生了什么")
        self.assertRefused(self.citizen.send(story="长" * 100_000), "5000")
        self.assertEqual(self.citizen.send(story="有\x00空字符").status_code, 400)
        self.assertFalse(Report.objects.exists())
        self.assertRefused(
            self.citizen.send(identity="real", name="王大爷", phone="123"), "手机号码"
        )
        self.assertRefused(
            self.citizen.send(
                identity="real", name="王大爷", phone="13900001111", id_number="130723199001010019"
            ),
            "身份证",
        )
        self.assertRefused(
            self.citizen.send(identity="real", phone="13900001111"), "请留下您的姓名"
        )
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.assertRefused(
            self.citizen.send(
                attachments=[SimpleUploadedFile("x.exe", b"MZ\x90\x00binary", "image/png")]
            ),
            "类型不能上传",
        )

    def test_without_the_proof_of_work_nothing_is_saved(self) -> None:
        fields = public_form_fields(self.citizen.client, "/report/")
        response = self.citizen.client.post(
            "/report/", {**form(), "submission": fields["submission"]}
        )
        self.assertRefused(response, "确认是本人在提交")
        # An answer used by another form does not count again.
        self.citizen.client.post("/report/", {**form(), **fields})
        self.assertEqual(Report.objects.count(), 1)
        other = public_form_fields(self.citizen.client, "/report/")
        response = self.citizen.client.post(
            "/report/", {**form(), "proof": fields["proof"], "submission": other["submission"]}
        )
        self.assertContains(response, "确认是本人在提交", status_code=400)
        self.assertEqual(Report.objects.count(), 1)

    def test_markup_and_emoji_are_kept_as_text(self) -> None:
        story = "<script>alert('x')</script> 民警态度很差😡 <b>真的</b>"
        self.citizen.send(story=story, officer_named="<img src=x onerror=alert(1)>")
        report = Report.objects.get()
        self.assertEqual(report.story, story)
        staff = self.client_for(self.p.supervision).get(report.get_absolute_url()).content.decode()
        self.assertNotIn("<script>alert", staff)
        self.assertNotIn("<img src=x", staff)
        self.assertIn("&lt;script&gt;", staff)
        self.assertIn("😡", staff)

    def test_a_form_sent_twice_makes_one_report_and_shows_the_same_code(self) -> None:
        data = {**public_form_fields(self.citizen.client, "/report/"), **form()}
        first = self.citizen.client.post("/report/", data)
        code = self.citizen.code()
        second = self.citizen.client.post("/report/", data)
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(self.citizen.code(), code)
        self.assertEqual(Report.objects.count(), 1)

    def test_the_report_and_the_text_with_its_code_commit_together(self) -> None:
        from unittest import mock

        from django.db import OperationalError

        # The text cannot be stored (the database fails after the report was written): no
        # report stays without the text that carries its code, and the page says try again.
        self.citizen.client.raise_request_exception = False
        with mock.patch(
            "zhengfa.core.followup.text_code", side_effect=OperationalError("connection lost")
        ):
            answer = self.citizen.send(
                identity="real", name="王大爷", phone="13900001111", id_number="130723199901010015"
            )
        self.assertEqual(answer.status_code, 503)
        self.assertEqual(Report.objects.count(), 0)

    def test_a_sending_cut_off_right_after_it_committed_finds_its_code_when_sent_again(
        self,
    ) -> None:
        import contextlib
        import types
        from collections.abc import Iterator
        from unittest import mock

        from django.db import transaction

        class Crash(Exception):
            pass

        @contextlib.contextmanager
        def dies_after_commit() -> Iterator[None]:
            with transaction.atomic():
                yield
            raise Crash  # the server is killed between the commit and anything after it

        data = {**public_form_fields(self.citizen.client, "/report/"), **form()}
        self.citizen.client.raise_request_exception = False
        with mock.patch(
            "zhengfa.core.submission.transaction", types.SimpleNamespace(atomic=dies_after_commit)
        ):
            cut_off = self.citizen.client.post("/report/", data)
        self.assertEqual(cut_off.status_code, 500)
        report = Report.objects.get()
        # He presses again: the page of the code of the report that was made, not a second
        # report, and not "already sent" without the code.
        again = self.citizen.client.post("/report/", data)
        self.assertEqual(again["Location"], "/report/received/")
        self.assertEqual(followup.find(self.citizen.code()), report)
        self.assertEqual(Report.objects.count(), 1)

    def test_a_sending_that_rolled_back_is_made_when_sent_again(self) -> None:
        from unittest import mock

        from django.db import OperationalError

        data = {
            **public_form_fields(self.citizen.client, "/report/"),
            **form(identity="real", name="王大爷", phone="13900001111"),
        }
        self.citizen.client.raise_request_exception = False
        with mock.patch(
            "zhengfa.core.followup.text_code", side_effect=OperationalError("connection lost")
        ):
            self.assertEqual(self.citizen.client.post("/report/", data).status_code, 503)
        # The code kept for that sending opens nothing: the second sending makes the report.
        again = self.citizen.client.post("/report/", data)
        self.assertEqual(again["Location"], "/report/received/")
        self.assertEqual(followup.find(self.citizen.code()), Report.objects.get())


class AnonymityTests(PersonaTestCase):
    def test_no_address_or_user_agent_anywhere(self) -> None:
        cache.clear()
        citizen = Citizen()
        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger("zhengfa").debug("capture starts")
            citizen.send(attachments=[png_upload()])
            code = citizen.code()
            citizen.open(code)
            citizen.client.post("/query/record/add/", {"comment": "补充一点"})
            citizen.client.post("/query/", {"code": "WRONG-CODE-0000"})
        dump = raw_database_text()
        self.assertIn("暗示要送烟酒", dump)
        log_text = "\n".join(logs.output)
        for trace in (ADDRESS, AGENT, "ZX-9931", "MicroMessenger"):
            self.assertNotIn(trace, dump)
            self.assertNotIn(trace, log_text)
        # Every file the site wrote: under var/ and where this test keeps uploads.
        for folder in (Path(settings.VAR_DIR), Path(settings.MEDIA_ROOT)):
            for path in folder.rglob("*"):
                if path.is_file() and path.stat().st_size < 200_000_000:
                    data = path.read_bytes()
                    for trace in (ADDRESS, "ZX-9931", "MicroMessenger"):
                        self.assertNotIn(trace.encode(), data, path)
        # No cookie beyond the form's (CSRF), the code's display and the follow-up session.
        self.assertLessEqual(
            set(citizen.client.cookies), {"csrftoken", "sessionid", followup.DISPLAY_COOKIE}
        )


class OpinionToReportTests(PersonaTestCase):
    def test_the_code_keeps_working_and_the_identity_leaves_the_opinion(self) -> None:
        cache.clear()
        opinion, code = suggestion_submit(
            topic="conduct",
            content="甲镇派出所民警收了我的烟。",
            unit=self.p.unit_a,
            name="李大姐",
            phone="13900002222",
        )
        handler = self.client_for(self.p.leader_a)
        response = handler.post(
            f"/staff/supervision/from-opinion/{opinion.pk}/",
            {"kind": "misconduct", "category": "bribes"},
        )
        self.assertEqual(response.status_code, 302)
        opinion.refresh_from_db()
        self.assertEqual(
            (opinion.state, opinion.name, opinion.phone), (SuggestionState.HANDED, "", "")
        )
        self.assertNotIn("烟", opinion.content)
        report = Report.objects.get()
        self.assertEqual(
            (report.real_name, report.name, report.phone, report.about_unit),
            (True, "李大姐", "13900002222", self.p.unit_a),
        )
        self.assertEqual(followup.find(code), report)
        # The leader who passed it on no longer sees it; supervision staff do.
        self.assertEqual(handler.get(report.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client_for(self.p.supervision).get(report.get_absolute_url()).status_code, 200
        )


class SameMatterTests(PersonaTestCase):
    def test_alike_reports_are_shown_together_and_merged_follow_the_conclusion(self) -> None:
        first = report_about_a(self.p)
        second = report_about_a(self.p, story="甲镇派出所窗口民警办户口暗示送烟酒才快办。")
        unrelated = services.report_submit(
            kind="complaint",
            category="other",
            story="法院立案窗口中午没人。",
            about_unit=self.p.justice,
        )[0]
        staff = self.client_for(self.p.supervision)
        # A report waiting to be accepted takes no others yet.
        refused = staff.post(f"/staff/supervision/{second.pk}/merge/", {"merge-into": first.pk})
        self.assertEqual(refused.status_code, 400)
        services.report_transition(record=first, name="accept", by=self.p.supervision)
        page = staff.get(second.get_absolute_url()).content.decode()
        self.assertIn(first.get_absolute_url(), page)
        self.assertNotIn(unrelated.get_absolute_url(), page)
        response = staff.post(
            f"/staff/supervision/{second.pk}/merge/",
            {"merge-into": first.pk, "merge-reason": "同一民警同一事"},
        )
        self.assertEqual(response.status_code, 302)
        second.refresh_from_db()
        self.assertEqual((second.state, second.merged_into), (ReportState.MERGED, first))
        verifying(self.p, first)
        services.report_conclude(
            report=first,
            by=self.p.supervision,
            conclusion="partly",
            finding="部分属实",
            reply="经核查部分属实,已整改。",
        )
        second.refresh_from_db()
        self.assertEqual((second.state, second.conclusion), (ReportState.CONCLUDED, "partly"))
        self.assertEqual(LedgerItem.objects.count(), 1)  # one matter, one problem on the ledger


class PressTests(PersonaTestCase):
    def test_a_question_before_the_conference_and_its_answer_after(self) -> None:
        cache.clear()
        from .factories import conference

        meeting = conference(self.p)
        citizen = Client(REMOTE_ADDR=ADDRESS)
        url = f"/press/{meeting.pk}/"
        data = {
            **public_form_fields(citizen, url),
            "text": "以前报案没立案的,现在还能反映吗?",
            "signed": "张纪镇村民",
            "want_code": "on",
        }
        with self.captureOnCommitCallbacks(execute=True):
            response = citizen.post(url, data)
        self.assertRedirects(response, "/press/question-received/", fetch_redirect_response=False)
        page = citizen.get("/press/question-received/").content.decode()
        code = re.search(r'id="followup-code"[^>]*>([0-9A-Z-]+)<', page)
        assert code is not None
        question = meeting.questions.get()
        self.assertTrue(Notification.objects.filter(user=self.p.committee).exists())
        # Not answered yet: the public page does not show it.
        self.assertNotContains(citizen.get(url), "现在还能反映吗")
        staff = self.client_for(self.p.committee)
        staff.post(f"/staff/press/questions/{question.pk}/select/", {"comment": ""})
        staff.post(
            f"/staff/press/questions/{question.pk}/answer/",
            {"comment": "可以。请写明报案时间和单位,我们逐件核查。"},
        )
        public = citizen.get(url).content.decode()
        self.assertIn("现在还能反映吗", public)
        self.assertIn("逐件核查", public)
        self.assertIn("张纪镇村民", public)
        followed = citizen.post("/query/", {"code": code.group(1)}, follow=True)
        self.assertContains(followed, "逐件核查")
        # Once closed to questions, the form is gone and a post is refused, nothing saved.
        services.conference_save(
            by=self.p.committee,
            unit=self.p.root,
            conference=meeting,
            questions_open=False,
        )
        self.assertNotContains(citizen.get(url), 'name="text"')
        late = citizen.post(url, data)
        self.assertEqual(late.status_code, 302)
        self.assertContains(citizen.get(url), "该发布会已不再接受提问")
        self.assertEqual(meeting.questions.count(), 1)

    def test_an_unpublished_conference_is_not_public(self) -> None:
        from .factories import conference

        hidden = conference(self.p, published=False)
        self.assertEqual(Client().get(f"/press/{hidden.pk}/").status_code, 404)
        self.assertNotContains(Client().get("/press/"), hidden.topic)


class ReviewTests(PersonaTestCase):
    """What an independent review found, each kept from coming back."""

    def setUp(self) -> None:
        cache.clear()

    def test_naming_an_officer_of_the_verifying_unit_is_refused(self) -> None:
        from zhengfa.org.services import officer_create

        report = report_about_a(self.p, story="局里的人收了好处。")
        report.about_unit = None
        report.save()
        bureau_leader(self.p)
        services.report_transition(record=report, name="accept", by=self.p.supervision)
        services.report_assign(
            report=report,
            by=self.p.supervision,
            unit=self.p.bureau,
            method="verify",
            deadline=dt.date(2099, 1, 1),
        )
        colleague = officer_create(
            unit=self.p.bureau, name="局民警", staff_number="G009", username="g9"
        )
        staff = self.client_for(self.p.supervision)
        response = staff.post(
            f"/staff/supervision/{report.pk}/conclude/",
            {
                "conclude-conclusion": "true",
                "conclude-finding": "属实",
                "conclude-reply": "属实。",
                "conclude-officer": "G009",
            },
        )
        self.assertContains(response, "该干警所在单位正在核查此事", status_code=400)
        report.refresh_from_db()
        self.assertEqual((report.state, report.about_officer), (ReportState.VERIFYING, None))
        self.assertIsNotNone(colleague)

    def test_a_unit_nobody_can_take_is_refused(self) -> None:
        report = report_about_a(self.p)
        services.report_transition(record=report, name="accept", by=self.p.supervision)
        response = self.client_for(self.p.supervision).post(
            f"/staff/supervision/{report.pk}/assign/",
            {
                "assign-unit": self.p.bureau.pk,
                "assign-method": "verify",
                "assign-deadline": "2099-01-01",
            },
        )
        self.assertContains(response, "没有能接收核查任务的账号", status_code=400)

    def test_the_verifier_reads_facts_while_verifying_and_nothing_of_the_reporter(self) -> None:
        report = report_about_a(self.p, real=True)
        verifying(self.p, report)
        bureau = self.client_for(bureau_leader(self.p))
        listing = bureau.get("/staff/supervision/?name=real").content.decode()
        self.assertNotIn('name="name"', listing)  # no filter by real name for him
        services.report_conclude(
            report=report,
            by=self.p.supervision,
            conclusion="false",
            finding="未发现",
            reply="不属实。",
        )
        services.report_feedback(
            report=report, by=self.p.supervision, method="phone", note="电话告知,王大爷表示认可"
        )
        # Concluded: no longer his matter.
        self.assertEqual(bureau.get(report.get_absolute_url()).status_code, 404)
        self.assertNotIn(
            report.get_absolute_url(), bureau.get("/staff/supervision/").content.decode()
        )

    def test_feedback_is_for_real_name_reports_only(self) -> None:
        report = report_about_a(self.p)
        verifying(self.p, report)
        services.report_conclude(
            report=report,
            by=self.p.supervision,
            conclusion="false",
            finding="未发现",
            reply="不属实。",
        )
        response = self.client_for(self.p.supervision).post(
            f"/staff/supervision/{report.pk}/feedback/",
            {"feedback-method": "phone", "feedback-note": "已电话告知"},
        )
        self.assertContains(response, "匿名举报无法联系反映人", status_code=400)

    def test_a_merged_report_can_be_handled_on_its_own_again(self) -> None:
        first = report_about_a(self.p)
        second = report_about_a(self.p, story="同一件事。")
        services.report_transition(record=first, name="accept", by=self.p.supervision)
        services.report_merge(report=second, into=first, by=self.p.supervision)
        # Nothing merges into a report that others are merged into... the other way round.
        third = report_about_a(self.p, story="第三件。")
        services.report_transition(record=third, name="accept", by=self.p.supervision)
        with self.assertRaises(ValidationError):
            services.report_merge(report=first, into=third, by=self.p.supervision)
        self.client_for(self.p.supervision).post(
            f"/staff/supervision/{second.pk}/unmerge/", {"comment": ""}
        )
        second.refresh_from_db()
        self.assertEqual((second.state, second.merged_into), (ReportState.ACCEPTED, None))

    def test_committee_figures_leave_out_its_own_unit_and_the_audit_pages_hide_reports(
        self,
    ) -> None:
        services.report_submit(
            kind="misconduct", category="other", story="政法委某人的问题。", about_unit=self.p.root
        )
        report_about_a(self.p)
        page = self.client_for(self.p.committee).get("/staff/supervision/figures/")
        self.assertContains(page, 'id="total">1<')
        self.assertNotContains(page, "测试县委政法委</td>")
        from auditlog.models import LogEntry

        self.assertTrue(LogEntry.objects.get_for_model(Report).exists())
        audit = self.client_for(self.p.committee).get("/staff/audit/").content.decode()
        self.assertNotIn("举报第", audit)

    def test_additions_to_an_opinion_go_with_it_to_supervision(self) -> None:
        from zhengfa.campaign.services import suggestion_supplement
        from zhengfa.core.workflow import timeline_for

        opinion, _code = suggestion_submit(
            topic="conduct", content="派出所民警收了烟。", unit=self.p.unit_a
        )
        suggestion_supplement(
            suggestion=opinion, comment="我叫李四,住东街12号。", files=[png_upload()]
        )
        report = services.report_from_opinion(
            opinion=opinion, by=self.p.leader_a, kind="misconduct", category="bribes"
        )
        self.assertFalse(any("李四" in e.comment for e in timeline_for(opinion)))
        self.assertTrue(any("李四" in e.comment for e in timeline_for(report)))
        from zhengfa.core.attachments import attachments_of

        self.assertEqual((attachments_of(opinion).count(), attachments_of(report).count()), (0, 1))

    def test_not_sure_of_the_unit_in_a_chosen_county(self) -> None:
        report, _code = services.report_submit(
            kind="misconduct", category="unknown", story="不知道是哪个单位的。", county=self.p.root
        )
        self.assertEqual((report.about_unit, report.unit), (None, self.p.root))

    def test_a_question_sent_twice_is_one_question(self) -> None:
        from .factories import conference

        meeting = conference(self.p)
        citizen = Client(REMOTE_ADDR=ADDRESS)
        url = f"/press/{meeting.pk}/"
        data = {**public_form_fields(citizen, url), "text": "怎么预约?"}
        citizen.post(url, data)
        Client(REMOTE_ADDR="192.0.2.9").post(url, data)  # the same form from elsewhere
        self.assertEqual(meeting.questions.count(), 1)

    def test_a_question_cut_off_right_after_it_committed_is_one_question(self) -> None:
        import contextlib
        import types
        from collections.abc import Iterator
        from unittest import mock

        from django.db import transaction

        from .factories import conference

        @contextlib.contextmanager
        def dies_after_commit() -> Iterator[None]:
            with transaction.atomic():
                yield
            raise RuntimeError("killed")  # between the commit and the answer

        meeting = conference(self.p)
        url = f"/press/{meeting.pk}/"
        for want_code in ("", "on"):
            citizen = Client(REMOTE_ADDR=ADDRESS, raise_request_exception=False)
            data = {**public_form_fields(citizen, url), "text": "怎么预约?", "want_code": want_code}
            with mock.patch(
                "zhengfa.supervision.views.transaction",
                types.SimpleNamespace(atomic=dies_after_commit),
            ):
                self.assertEqual(citizen.post(url, data).status_code, 500)
            again = citizen.post(url, data)
            question = meeting.questions.latest("pk")
            if want_code:  # the page of the code of the question that was made
                self.assertEqual(again["Location"], reverse("supervision:question_done"))
                page = citizen.get(again["Location"]).content.decode()
                code = re.search(r'id="followup-code"[^>]*>([0-9A-Z-]+)<', page)
                assert code is not None
                self.assertEqual(followup.find(code.group(1)), question)
            else:
                self.assertEqual(again["Location"], url)
        self.assertEqual(meeting.questions.count(), 2)  # one for each form

    def test_a_code_kept_for_a_sending_that_rolled_back_opens_nothing(self) -> None:
        """The code is kept before the commit; if the transaction then rolls back, the form
        sent again makes the report and shows its own code, not the kept one."""
        from unittest import mock

        from django.db import OperationalError

        from zhengfa.core import challenge

        real = challenge.remember_code

        def kept_then_lost(form: Any, code: str) -> None:
            real(form, code)
            raise OperationalError("connection lost")  # before the commit

        citizen = Citizen()
        data = {**public_form_fields(citizen.client, "/report/"), **form()}
        citizen.client.raise_request_exception = False
        with mock.patch("zhengfa.core.challenge.remember_code", kept_then_lost):
            self.assertEqual(citizen.client.post("/report/", data).status_code, 503)
        self.assertFalse(Report.objects.exists())
        again = citizen.client.post("/report/", data)
        self.assertEqual(again["Location"], "/report/received/")
        self.assertEqual(followup.find(citizen.code()), Report.objects.get())

    def test_a_crafted_proof_is_refused_not_a_500(self) -> None:
        import base64
        import json

        citizen = Citizen()
        fields = public_form_fields(citizen.client, "/report/")
        for payload in (
            {"algorithm": "SHA-256", "challenge": "x", "number": 1, "salt": 7, "signature": "y"},
            {"algorithm": "SHA-256", "challenge": [], "number": "z", "salt": [], "signature": {}},
        ):
            proof = base64.b64encode(json.dumps(payload).encode()).decode()
            response = citizen.client.post(
                "/report/", {**form(), "submission": fields["submission"], "proof": proof}
            )
            self.assertEqual(response.status_code, 400)
        for proof in ("%%%", "e30=", base64.b64encode(b"[1,2]").decode()):
            response = citizen.client.post(
                "/report/", {**form(), "submission": fields["submission"], "proof": proof}
            )
            self.assertEqual(response.status_code, 400)
        self.assertFalse(Report.objects.exists())

    def test_a_name_typed_while_anonymous_is_asked_about(self) -> None:
        response = Citizen().send(name="王大爷", phone="13900001111")
        self.assertContains(response, "选择的是“匿名反映”", status_code=400)
        self.assertFalse(Report.objects.exists())

    def test_the_form_page_is_the_same_for_everyone_and_each_gets_his_own_puzzle(self) -> None:
        token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
        pages = [token.sub("", Client().get("/report/").content.decode()) for _ in range(2)]
        self.assertEqual(pages[0], pages[1])
        self.assertIn('data-proof="/puzzle/"', pages[0])
        puzzles = [Client().get("/puzzle/") for _ in range(2)]
        self.assertNotEqual(puzzles[0].json()["salt"], puzzles[1].json()["salt"])
        self.assertIn("no-store", puzzles[0]["Cache-Control"])
