from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from zhengfa.core.models import Attachment, Notification
from zhengfa.org import services as org_services
from zhengfa.org.testing import PersonaTestCase
from zhengfa.study import selectors, services
from zhengfa.study.models import Activity, ActivityStatus, ActivityType, Attendance, Note
from zhengfa.study.tests.factories import activity_for_unit_a

FMT = "%Y-%m-%dT%H:%M"


def png(name: str = "现场.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 10)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue())


class ActivityFormTests(PersonaTestCase):
    url = reverse("study:activity_create")

    def data(self, **overrides: object) -> dict[str, object]:
        start = timezone.localtime() + dt.timedelta(days=1)
        data: dict[str, object] = {
            "title": "业务培训",
            "type": ActivityType.objects.get(code="professional_training").pk,
            "unit": self.p.unit_a.pk,
            "starts_at": start.strftime(FMT),
            "ends_at": (start + dt.timedelta(hours=2)).strftime(FMT),
            "place": "会议室",
            "audience_units": [self.p.unit_a.pk],
            "include_subunits": "on",
            "expected_count": 3,
            "required": "on",
            "sign_in_margin": 30,
        }
        data.update(overrides)
        return data

    def test_create_and_the_audience_is_told(self) -> None:
        self.assertStatus(self.p.leader_a, "get", self.url, 200)
        self.assertStatus(self.p.leader_a, "put", self.url, 405)
        self.assertStatus(self.p.officer_a, "get", self.url, 403)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client_for(self.p.leader_a).post(self.url, self.data())
        activity = Activity.objects.get()
        self.assertRedirects(response, reverse("study:activity_detail", args=[activity.pk]))
        self.assertEqual(activity.status, ActivityStatus.UPCOMING)
        self.assertEqual(
            set(selectors.audience_of(activity)),
            {self.p.officer_a_profile, self.p.leader_a.officer, self.p.clerk_a.officer},
        )
        self.assertTrue(
            Notification.objects.filter(user=self.p.officer_a, title__contains="业务培训").exists()
        )
        # Another unit is not the leader's to organise.
        other = self.client_for(self.p.leader_a).post(self.url, self.data(unit=self.p.unit_b.pk))
        self.assertEqual(other.status_code, 400)
        self.assertEqual(Activity.objects.count(), 1)

    def test_bad_input_is_explained_and_nothing_saved(self) -> None:
        client = self.client_for(self.p.leader_a)
        start = timezone.localtime() + dt.timedelta(days=1)
        cases = {
            "结束时间须晚于开始时间": self.data(
                ends_at=(start - dt.timedelta(hours=1)).strftime(FMT)
            ),
            "开始时间在今天以前": self.data(
                starts_at=(start - dt.timedelta(days=3)).strftime(FMT),
                ends_at=(start - dt.timedelta(days=3, hours=-1)).strftime(FMT),
            ),
            "请选择参加单位或指定参加人员": self.data(audience_units=[]),
            "已举办的活动,开始时间不能在将来": self.data(held="on"),
        }
        for message, data in cases.items():
            response = client.post(self.url, data)
            self.assertContains(response, message, status_code=400)
        self.assertFalse(Activity.objects.exists())
        # A past activity may be recorded when marked as held.
        past = start - dt.timedelta(days=3)
        held = client.post(
            self.url,
            self.data(
                held="on",
                starts_at=past.strftime(FMT),
                ends_at=(past + dt.timedelta(hours=2)).strftime(FMT),
            ),
        )
        self.assertEqual(held.status_code, 302)
        self.assertEqual(Activity.objects.get().status, "ended")

    def test_named_officers_are_typed_not_picked_from_a_long_list(self) -> None:
        client = self.client_for(self.p.leader_a)
        number = self.p.clerk_a.officer.staff_number.lower()
        unknown = client.post(
            self.url, self.data(audience_units=[], audience_officers="甲民警\n无此人")
        )
        self.assertContains(unknown, "名单中没有姓名或警号为“无此人”的人员", status_code=400)
        self.assertFalse(Activity.objects.exists())
        made = client.post(
            self.url,
            self.data(audience_units=[], audience_officers=f"甲民警、甲内勤（{number}）\n甲民警"),
        )
        self.assertEqual(made.status_code, 302)
        activity = Activity.objects.get()
        self.assertEqual(
            set(activity.audience_officers.all()),
            {self.p.officer_a_profile, self.p.clerk_a.officer},
        )
        # The edit form shows them back, one per line, name and number.
        edit = client.get(reverse("study:activity_edit", args=[activity.pk]))
        self.assertContains(edit, f"甲民警({self.p.officer_a_profile.staff_number})")
        # An officer the county named from elsewhere does not stop the station saving.
        activity.audience_officers.add(self.p.officer_b_profile)
        shown = str(edit.context["form"]["audience_officers"].value())
        named = f"{shown}\n乙民警({self.p.officer_b_profile.staff_number})"
        data = self.data(audience_units=[], audience_officers=named)
        saved = client.post(reverse("study:activity_edit", args=[activity.pk]), data)
        self.assertEqual(saved.status_code, 302)
        self.assertIn(self.p.officer_b_profile, Activity.objects.get().audience_officers.all())

    def test_a_huge_named_officer_is_nobody_not_a_server_error(self) -> None:
        # Found by fuzzing: 100,000 characters on one line made SQLite refuse the case-blind
        # match of the staff number ("LIKE or GLOB pattern too complex"), a 500.
        client = self.client_for(self.p.leader_a)
        huge = client.post(self.url, self.data(audience_units=[], audience_officers="a" * 100_000))
        self.assertContains(huge, "名单中没有姓名或警号为", status_code=400)
        self.assertFalse(Activity.objects.exists())

    def test_an_activity_that_began_earlier_today_is_taken_as_under_way(self) -> None:
        now = timezone.localtime()
        start = max(now - dt.timedelta(minutes=5), now.replace(hour=0, minute=0, second=0))
        response = self.client_for(self.p.leader_a).post(
            self.url,
            self.data(
                starts_at=start.strftime(FMT), ends_at=(now + dt.timedelta(hours=1)).strftime(FMT)
            ),
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Activity.objects.get().status, ActivityStatus.ONGOING)

    def test_edit_and_cancel(self) -> None:
        activity = activity_for_unit_a(self.p, starts_in_minutes=600)
        edit = reverse("study:activity_edit", args=[activity.pk])
        self.assertStatus(self.p.leader_a, "get", edit, 200)
        self.assertStatus(self.p.officer_a, "get", edit, 403)  # sees it, may not change it
        self.assertStatus(self.p.officer_b, "get", edit, 404)
        self.assertStatus(self.p.committee, "get", edit, 200)  # the county may organise below
        cancel = reverse("study:activity_cancel", args=[activity.pk])
        self.assertStatus(self.p.leader_a, "get", cancel, 405)
        self.assertStatus(self.p.leader_a, "post", cancel, 400, {"reason": ""})
        self.assertFalse(Activity.objects.get(pk=activity.pk).cancelled)
        self.assertStatus(self.p.leader_a, "post", cancel, 302, {"reason": "与上级会议冲突"})
        self.assertEqual(Activity.objects.get(pk=activity.pk).status, "cancelled")


class EvidenceTests(PersonaTestCase):
    def setUp(self) -> None:
        self.activity = activity_for_unit_a(self.p, starts_in_minutes=-180, held=True)
        services.sign_in_by_hand(
            activity=self.activity, officers=[self.p.officer_a_profile], by=self.p.leader_a
        )

    def test_five_kinds_of_evidence(self) -> None:
        e = selectors.evidence_of(self.activity)
        self.assertEqual(
            (e.sign_in, e.notes, e.speech, e.photos, e.minutes), (True, False, False, False, False)
        )
        leader = self.client_for(self.p.leader_a)
        speech = reverse("study:speech", args=[self.activity.pk])
        self.assertEqual(leader.post(speech, {"speaker": "", "summary": ""}).status_code, 400)
        self.assertEqual(
            leader.post(speech, {"speaker": "甲所长", "summary": "谈学习体会"}).status_code, 302
        )
        photos = reverse("study:photos", args=[self.activity.pk])
        wrong = leader.post(
            photos, {"attachments": [SimpleUploadedFile("会议.pdf", b"%PDF-1.4 x")]}
        )
        self.assertContains(wrong, "不是图片", status_code=400)
        php = leader.post(photos, {"attachments": [SimpleUploadedFile("a.jpg", b"<?php")]})
        self.assertContains(php, "类型不能上传", status_code=400)
        self.assertFalse(Attachment.objects.exists())
        self.assertEqual(leader.post(photos, {"attachments": [png()]}).status_code, 302)
        minutes = reverse("study:minutes", args=[self.activity.pk])
        self.assertEqual(leader.post(minutes, {"text": ""}).status_code, 400)
        self.assertEqual(
            leader.post(
                minutes,
                {"text": "", "attachments": [SimpleUploadedFile("记录.pdf", b"%PDF-1.4 y")]},
            ).status_code,
            302,
        )
        e = selectors.evidence_of(self.activity)
        self.assertEqual(e.missing, ["notes"])
        # Only organisers add evidence; others are refused.
        self.assertStatus(self.p.officer_a, "post", speech, 403, {"speaker": "x", "summary": "y"})
        self.assertStatus(self.p.officer_b, "post", speech, 404, {"speaker": "x", "summary": "y"})
        # The attendee writes his notes; then all five are there.
        officer = self.client_for(self.p.officer_a)
        note = reverse("study:note", args=[self.activity.pk])
        self.assertContains(
            officer.post(note, {"text": ""}), "请填写笔记或上传笔记照片", status_code=400
        )
        self.assertEqual(
            officer.post(
                note, {"text": "学习要点……", "attachments": [png("笔记.png")]}
            ).status_code,
            302,
        )
        e = selectors.evidence_of(self.activity)
        self.assertTrue(e.complete)
        self.assertEqual(e.notes_share, 1.0)
        # Someone who did not attend cannot add notes.
        absent = self.client_for(self.p.leader_a).post(note, {"text": "我没来"})
        self.assertContains(absent, "签到参加的人员才能提交笔记", status_code=400)
        self.assertEqual(Note.objects.count(), 1)
        page = self.assertStatus(
            self.p.leader_a, "get", reverse("study:activity_detail", args=[self.activity.pk]), 200
        )
        self.assertContains(page, "现场.png")

    def test_lists_flag_missing_evidence(self) -> None:
        page = self.assertStatus(self.p.leader_a, "get", reverse("study:activity_list"), 200)
        self.assertContains(page, "五有不全")
        self.assertContains(page, "1/5")
        self.assertStatus(self.p.leader_a, "post", reverse("study:activity_list"), 405)
        other = self.assertStatus(self.p.officer_b, "get", reverse("study:activity_list"), 200)
        self.assertNotContains(other, "党史学习专题讲座")
        detail = reverse("study:activity_detail", args=[self.activity.pk])
        self.assertStatus(self.p.officer_b, "get", detail, 404)
        self.assertStatus(self.p.officer_a, "get", detail, 200)
        self.assertStatus(self.p.leader_a, "post", detail, 405)

    def test_my_study(self) -> None:
        page = self.assertStatus(self.p.officer_a, "get", reverse("study:my_study"), 200)
        self.assertContains(page, "党史学习专题讲座")
        self.assertContains(page, "未交笔记")
        self.assertStatus(self.p.sysadmin, "get", reverse("study:my_study"), 404)  # no profile
        self.assertStatus(self.p.officer_a, "post", reverse("study:my_study"), 405)
        self.assertEqual(Attendance.objects.filter(officer=self.p.officer_a_profile).count(), 1)


class AudienceTests(PersonaTestCase):
    def test_an_audience_outside_the_organisers_line_sees_the_activity(self) -> None:
        start = timezone.now() - dt.timedelta(hours=3)
        activity = services.activity_save(
            by=self.p.committee,
            title="联合培训",
            type=ActivityType.objects.get(code="lecture"),
            unit=self.p.unit_b,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            audience_units=[(self.p.unit_a, True)],
            held=True,
        )
        detail = reverse("study:activity_detail", args=[activity.pk])
        self.assertStatus(self.p.officer_a, "get", detail, 200)
        services.sign_in_by_hand(
            activity=activity, officers=[self.p.officer_a_profile], by=self.p.committee
        )
        self.assertStatus(
            self.p.officer_a,
            "post",
            reverse("study:note", args=[activity.pk]),
            302,
            {"text": "联合培训的笔记"},
        )
        # Still not an organiser: no changes.
        self.assertStatus(
            self.p.officer_a, "get", reverse("study:activity_edit", args=[activity.pk]), 403
        )

    def test_figures_count_only_what_was_held(self) -> None:
        activity_for_unit_a(self.p, starts_in_minutes=60)  # later today
        today = timezone.localdate()
        self.assertEqual(
            selectors.sessions_by_type(self.p.root, today, today + dt.timedelta(days=1)), {}
        )

    def test_notes_follow_the_officers_own_unit(self) -> None:
        from zhengfa.study.models import Note

        start = timezone.now() - dt.timedelta(hours=3)
        activity = services.activity_save(
            by=self.p.committee,
            title="县级讲座",
            type=ActivityType.objects.get(code="lecture"),
            unit=self.p.root,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            audience_units=[(self.p.unit_a, True)],
            held=True,
        )
        services.sign_in_by_hand(
            activity=activity, officers=[self.p.officer_a_profile], by=self.p.committee
        )
        note = services.note_save(activity=activity, user=self.p.officer_a, text="笔记")
        self.assertTrue(Note.objects.visible_to(self.p.leader_a).filter(pk=note.pk).exists())
        colleague = org_services.officer_create(
            unit=self.p.unit_a, name="同事", staff_number="A078"
        )
        self.assertFalse(Note.objects.visible_to(colleague.user).filter(pk=note.pk).exists())
