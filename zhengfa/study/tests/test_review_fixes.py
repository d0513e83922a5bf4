"""Cases found by an independent review: privacy of self-examination, odd input, audiences."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from zhengfa.org import services as org_services
from zhengfa.org.access import Role
from zhengfa.org.testing import PersonaTestCase
from zhengfa.study import qr, selectors, services
from zhengfa.study.models import ActivityType, Attendance, Reflection
from zhengfa.study.tests.factories import activity_for_unit_a


class ReflectionPrivacyTests(PersonaTestCase):
    def test_colleagues_do_not_read_each_others_self_examination(self) -> None:
        topic = services.topic_create(
            by=self.p.committee,
            unit=self.p.root,
            title="查不足",
            prompt="",
            due_on=timezone.localdate() + dt.timedelta(days=3),
        )
        reflection = services.reflection_submit(
            topic=topic,
            user=self.p.officer_a,
            shortcomings="学习不深入,联系群众少。",
            plans="每周学习两次,走访群众十户。",
        )
        colleague = org_services.officer_create(
            unit=self.p.unit_a, name="甲所同事", staff_number="A077"
        )
        url = reverse("study:reflection_detail", args=[reflection.pk])
        self.assertStatus(colleague.user, "get", url, 404)
        self.assertStatus(self.p.officer_a, "get", url, 200)
        self.assertStatus(self.p.leader_a, "get", url, 200)
        page = self.assertStatus(
            colleague.user, "get", reverse("study:topic_detail", args=[topic.pk]), 200
        )
        self.assertNotContains(page, "甲民警")
        self.assertEqual(Reflection.objects.visible_to(colleague.user).count(), 0)


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

    def test_hand_sign_in_on_a_cancelled_activity_is_refused(self) -> None:
        activity = activity_for_unit_a(self.p, starts_in_minutes=-30, held=True)
        services.activity_cancel(activity=activity, by=self.p.leader_a, reason="停电")
        with self.assertRaises(ValidationError):
            services.sign_in_by_hand(
                activity=activity, officers=[self.p.officer_a_profile], by=self.p.leader_a
            )
        self.assertFalse(Attendance.objects.exists())

    def test_leave_then_qr_clears_the_reason(self) -> None:
        activity = activity_for_unit_a(self.p)
        services.record_leave(
            activity=activity, officer=self.p.officer_a_profile, reason="出警", by=self.p.leader_a
        )
        row = services.sign_in_by_qr(
            activity=activity, token=qr.token_for(activity), user=self.p.officer_a
        )
        self.assertEqual((row.status, row.leave_reason), ("present", ""))

    def test_figures_count_only_what_was_held(self) -> None:
        activity_for_unit_a(self.p, starts_in_minutes=60)  # later today
        today = timezone.localdate()
        self.assertEqual(
            selectors.sessions_by_type(self.p.root, today, today + dt.timedelta(days=1)), {}
        )


class OddInputTests(PersonaTestCase):
    def test_odd_tokens_ids_and_dates_answer_plainly(self) -> None:
        activity = activity_for_unit_a(self.p)
        officer = self.client_for(self.p.officer_b)
        forged = officer.get(reverse("study:checkin", args=[activity.pk, "1-é"]))
        self.assertEqual(forged.status_code, 400)
        self.assertNotContains(
            forged, "党史学习专题讲座", status_code=400
        )  # nothing of the activity
        started = activity_for_unit_a(self.p, starts_in_minutes=-10, held=True)
        odd = self.client_for(self.p.leader_a).post(
            reverse("study:attendance", args=[started.pk]), {"officer": ["²", "abc", "-1"]}
        )
        self.assertEqual(odd.status_code, 302)
        self.assertFalse(Attendance.objects.filter(activity=started).exists())
        for url, params in (
            (reverse("study:records"), {"end": "9999-12-31"}),
            (reverse("study:records"), {"start": "0001-01-01"}),
            (reverse("core:audit_list"), {"date_to": "9999-12-31"}),
        ):
            page = self.assertStatus(self.p.committee, "get", url, 200, params)
            self.assertContains(page, "1950年至2100年")
        person = reverse("study:officer_record", args=[self.p.officer_a_profile.pk])
        self.assertStatus(self.p.leader_a, "get", person, 200, {"start": "0001-01-01"})

    def test_audit_log_is_for_county_wide_roles_only(self) -> None:
        station_admin = org_services.user_create(username="admin_a", name="甲所管理员")
        org_services.role_assign(user=station_admin, role=Role.SYSADMIN, unit=self.p.unit_a)
        self.assertStatus(station_admin, "get", reverse("core:audit_list"), 404)
        self.assertStatus(self.p.sysadmin, "get", reverse("core:audit_list"), 200)


class SecondReviewTests(PersonaTestCase):
    def test_a_png_with_a_broken_chunk_is_refused_at_the_field(self) -> None:
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        from zhengfa.core.attachments import inspect

        out = io.BytesIO()
        Image.effect_noise((400, 400), 80).convert("RGB").save(out, format="PNG")
        data = bytearray(out.getvalue())
        second = data.find(b"IDAT", data.find(b"IDAT") + 4)
        self.assertGreater(second, 0)  # a picture this size has several data chunks
        data[second : second + 4] = b"\x01\x02\x03\x04"  # Pillow raises SyntaxError on this
        with self.assertRaises(ValidationError) as info:
            inspect(SimpleUploadedFile("broken.png", bytes(data)))
        self.assertEqual(info.exception.code, "bad_image")

    def test_the_audit_link_follows_the_audit_rule(self) -> None:
        from zhengfa.core.navigation import menu_for

        station_admin = org_services.user_create(username="admin_a", name="甲所管理员")
        org_services.role_assign(user=station_admin, role=Role.SYSADMIN, unit=self.p.unit_a)

        def names(user: object) -> set[str]:
            return {e["url_name"] for g in menu_for(user) for e in g["entries"]}

        self.assertNotIn("core:audit_list", names(station_admin))
        self.assertIn("core:audit_list", names(self.p.sysadmin))

    def test_a_missing_activity_answers_like_a_forged_code(self) -> None:
        client = self.client_for(self.p.officer_a)
        missing = client.get(reverse("study:checkin", args=[987654, "1-" + "0" * 20]))
        activity = activity_for_unit_a(self.p)
        forged = client.get(reverse("study:checkin", args=[activity.pk, "1-" + "0" * 20]))
        self.assertEqual((missing.status_code, forged.status_code), (400, 400))
        self.assertContains(missing, "签到码无效", status_code=400)

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
