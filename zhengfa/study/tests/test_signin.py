from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhengfa.org.models import Officer, OfficerStatus
from zhengfa.org.testing import PersonaTestCase
from zhengfa.study import qr, services
from zhengfa.study.forms import LeaveForm
from zhengfa.study.models import Activity, ActivityType, Attendance
from zhengfa.study.tests.factories import activity_for_unit_a


class QrSignInTests(PersonaTestCase):
    def setUp(self) -> None:
        self.activity = activity_for_unit_a(self.p)
        self.token = qr.token_for(self.activity)

    def sign_in(
        self, user: object, token: str | None = None, now: dt.datetime | None = None
    ) -> Attendance:
        return services.sign_in_by_qr(
            activity=self.activity, token=token or self.token, user=user, now=now
        )

    def test_an_officer_of_the_audience_signs_in_once(self) -> None:
        row = self.sign_in(self.p.officer_a)
        self.assertEqual((row.status, row.method, row.walk_in), ("present", "qr", False))
        with self.assertRaises(ValidationError) as info:
            self.sign_in(self.p.officer_a)
        self.assertEqual(info.exception.code, "already")
        self.assertIn("已于", info.exception.messages[0])
        self.assertEqual(Attendance.objects.count(), 1)

    def test_a_forged_token_is_refused(self) -> None:
        step = self.token.split("-")[0]
        for forged in (
            f"{step}-0000000000000000aaaa",
            "garbage",
            f"{int(step) + 1}-{self.token.split('-')[1]}",
        ):
            with self.assertRaises(ValidationError) as info:
                self.sign_in(self.p.officer_a, token=forged)
            self.assertEqual(info.exception.code, "forged", forged)
        # A token of another activity does not open this one.
        other = activity_for_unit_a(self.p)
        with self.assertRaises(ValidationError):
            self.sign_in(self.p.officer_a, token=qr.token_for(other))
        self.assertFalse(Attendance.objects.exists())

    def test_a_stale_token_is_refused_but_last_minute_is_accepted(self) -> None:
        now = timezone.now()
        old = qr.token_for(self.activity, now - dt.timedelta(minutes=3))
        with self.assertRaises(ValidationError) as info:
            self.sign_in(self.p.officer_a, token=old)
        self.assertEqual(info.exception.code, "stale")
        self.assertIn("已过期", info.exception.messages[0])
        previous = qr.token_for(self.activity, now - dt.timedelta(seconds=60))
        self.assertEqual(self.sign_in(self.p.officer_a, token=previous, now=now).status, "present")

    def test_only_within_the_window(self) -> None:
        later = self.activity.ends_at + dt.timedelta(minutes=31)
        with self.assertRaises(ValidationError) as info:
            self.sign_in(self.p.officer_a, token=qr.token_for(self.activity, later), now=later)
        self.assertEqual(info.exception.code, "window")
        early = activity_for_unit_a(self.p, starts_in_minutes=120)
        with self.assertRaises(ValidationError):
            services.sign_in_by_qr(activity=early, token=qr.token_for(early), user=self.p.officer_a)
        self.assertFalse(Attendance.objects.exists())

    def test_outside_the_audience(self) -> None:
        with self.assertRaises(ValidationError) as info:
            self.sign_in(self.p.officer_b)
        self.assertEqual(info.exception.code, "not_audience")
        self.activity.allow_walk_ins = True
        self.activity.save()
        row = self.sign_in(self.p.officer_b)
        self.assertTrue(row.walk_in)
        with self.assertRaises(ValidationError) as no_profile:
            self.sign_in(self.p.sysadmin)
        self.assertEqual(no_profile.exception.code, "no_profile")

    def test_cancelled_activity(self) -> None:
        services.activity_cancel(activity=self.activity, by=self.p.leader_a, reason="改期")
        with self.assertRaises(ValidationError) as info:
            self.sign_in(self.p.officer_a)
        self.assertEqual(info.exception.code, "cancelled")

    def test_the_checkin_page(self) -> None:
        url = reverse("study:checkin", args=[self.activity.pk, self.token])
        client = self.client_for(self.p.officer_a)
        page = client.get(url)
        self.assertContains(page, "确认签到")
        self.assertFalse(Attendance.objects.exists())  # opening the link alone signs nobody in
        done = client.post(url)
        self.assertContains(done, "签到")
        self.assertTrue(Attendance.objects.filter(officer=self.p.officer_a_profile).exists())
        again = client.post(url)
        self.assertContains(again, "您已于", status_code=400)
        forged = self.client_for(self.p.officer_a).get(
            reverse("study:checkin", args=[self.activity.pk, "1-abc"])
        )
        self.assertContains(forged, "签到码无效", status_code=400)
        self.assertEqual(self.client.get(url).status_code, 302)  # sign in first
        self.assertEqual(client.put(url).status_code, 405)
        self.assertEqual(
            # A missing activity answers like a forged code, so ids cannot be probed.
            client.get(reverse("study:checkin", args=[99999, self.token])).status_code,
            400,
        )

    def test_leave_never_wipes_a_sign_in(self) -> None:
        self.sign_in(self.p.officer_a)
        number = self.p.officer_a_profile.staff_number.lower()
        # Typed on a Chinese keyboard: full-width brackets and digits, a small letter.
        number = number.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
        response = self.assertStatus(
            self.p.leader_a,
            "post",
            reverse("study:record_leave", args=[self.activity.pk]),
            400,
            {"officer": f"甲民警（{number}）", "reason": "出警"},
        )
        self.assertContains(response, "签到,不能登记请假", status_code=400)
        self.assertEqual(
            Attendance.objects.get(officer=self.p.officer_a_profile).status,
            Attendance.Status.PRESENT,
        )

    def test_a_slow_sign_in_to_the_site_keeps_the_opened_code(self) -> None:
        from unittest import mock

        from django.test import Client

        url = reverse("study:checkin", args=[self.activity.pk, self.token])
        browser = Client()
        first = browser.get(url)  # not signed in: off to the sign-in page, and back here
        self.assertEqual(first.status_code, 302)
        self.assertIn("/accounts/login/?next=", first["Location"])
        browser.force_login(self.p.officer_a)  # keeps the session, as signing in does
        later = timezone.now() + dt.timedelta(minutes=3)  # the code has turned over twice
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertContains(browser.get(url), "确认签到")
            self.assertContains(browser.post(url), "签到")
        self.assertTrue(Attendance.objects.filter(officer=self.p.officer_a_profile).exists())
        # Another browser that never opened it in time is told to scan again.
        other = self.client_for(self.p.officer_b)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertContains(other.get(url), "签到码已过期", status_code=400)
        # And the grace ends.
        Attendance.objects.all().delete()
        much_later = timezone.now() + qr.OPENED_GRACE + dt.timedelta(minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=much_later):
            self.assertContains(browser.post(url), "签到码已过期", status_code=400)

    def test_the_projector_page_is_for_organisers(self) -> None:
        url = reverse("study:activity_qr", args=[self.activity.pk])
        page = self.assertStatus(self.p.leader_a, "get", url, 200)
        self.assertContains(page, "data:image/svg+xml")
        self.assertContains(page, "every 20s")
        self.assertStatus(self.p.leader_a, "post", url, 405)
        self.assertStatus(self.p.officer_a, "get", url, 403)
        self.assertStatus(self.p.officer_b, "get", url, 404)
        code = self.assertStatus(
            self.p.leader_a, "get", reverse("study:activity_qr_code", args=[self.activity.pk]), 200
        )
        self.assertNotContains(code, "<html")

    def test_the_organiser_ticks_and_records_leave(self) -> None:
        started = activity_for_unit_a(self.p, starts_in_minutes=-10, held=True)
        url = reverse("study:attendance", args=[started.pk])
        self.assertStatus(self.p.leader_a, "get", url, 200)
        self.assertStatus(self.p.officer_a, "get", url, 403)
        self.assertStatus(self.p.officer_b, "get", url, 404)
        self.assertStatus(
            self.p.leader_a, "post", url, 302, {"officer": [self.p.officer_a_profile.pk]}
        )
        self.assertEqual(Attendance.objects.get(activity=started).method, "manual")
        # Someone outside the audience cannot be ticked in: the list is refused, nothing saved.
        refused = self.assertStatus(
            self.p.leader_a,
            "post",
            url,
            400,
            {"officer": [self.p.officer_b_profile.pk, self.p.leader_a.officer.pk]},
        )
        self.assertContains(refused, "不在本次活动的参加范围", status_code=400)
        self.assertEqual(Attendance.objects.filter(activity=started).count(), 1)
        leave = reverse("study:record_leave", args=[started.pk])
        bad = self.assertStatus(
            self.p.leader_a,
            "post",
            leave,
            400,
            {"officer": self.p.officer_a_profile.staff_number, "reason": ""},
        )
        self.assertContains(bad, "errorlist", status_code=400)
        # The officer is typed: a stranger's name is refused plainly.
        stranger = self.assertStatus(
            self.p.leader_a, "post", leave, 400, {"officer": "乙民警", "reason": "出警"}
        )
        self.assertContains(stranger, "名单中没有姓名或警号为“乙民警”的人员", status_code=400)
        # The page suggests the audience by name and number, from a datalist.
        page = self.assertStatus(
            self.p.leader_a, "get", reverse("study:activity_detail", args=[started.pk]), 200
        )
        self.assertContains(
            page, f'<option value="甲民警({self.p.officer_a_profile.staff_number})"></option>'
        )
        leader_profile = self.p.leader_a.officer
        self.assertStatus(
            self.p.leader_a,
            "post",
            leave,
            302,
            {"officer": LeaveForm.option(leader_profile), "reason": "出警"},
        )
        self.assertEqual(
            Attendance.objects.get(activity=started, officer=leader_profile).status, "leave"
        )
        # Before the activity starts, nobody can be ticked in.
        upcoming = reverse("study:attendance", args=[self.activity.pk])
        self.assertContains(
            self.assertStatus(
                self.p.leader_a, "post", upcoming, 400, {"officer": [self.p.officer_a_profile.pk]}
            ),
            "活动开始后",
            status_code=400,
        )


class HandAndOddSignInTests(PersonaTestCase):
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

    def test_odd_tokens_and_ids_answer_plainly(self) -> None:
        activity = activity_for_unit_a(self.p)
        officer = self.client_for(self.p.officer_b)
        forged = officer.get(reverse("study:checkin", args=[activity.pk, "1-é"]))
        self.assertEqual(forged.status_code, 400)
        self.assertNotContains(
            forged, "党史学习专题讲座", status_code=400
        )  # nothing of the activity
        started = activity_for_unit_a(self.p, starts_in_minutes=-10, held=True)
        odd = self.client_for(self.p.leader_a).post(
            reverse("study:attendance", args=[started.pk]),
            {"officer": ["²", "abc", "-1", "9" * 5000]},
        )
        self.assertEqual(odd.status_code, 302)
        self.assertFalse(Attendance.objects.filter(activity=started).exists())

    def test_a_missing_activity_answers_like_a_forged_code(self) -> None:
        client = self.client_for(self.p.officer_a)
        missing = client.get(reverse("study:checkin", args=[987654, "1-" + "0" * 20]))
        activity = activity_for_unit_a(self.p)
        forged = client.get(reverse("study:checkin", args=[activity.pk, "1-" + "0" * 20]))
        self.assertEqual((missing.status_code, forged.status_code), (400, 400))
        self.assertContains(missing, "签到码无效", status_code=400)


class WalkInTests(PersonaTestCase):
    """The rules of ticking people in by hand live in the service, whatever the page sends."""

    def activity(self, **fields: Any) -> Activity:
        start = timezone.now() - dt.timedelta(minutes=30)
        return services.activity_save(
            by=self.p.leader_a,
            title="小范围座谈",
            type=ActivityType.objects.get(code="lecture"),
            unit=self.p.unit_a,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            audience_officers=[self.p.officer_a_profile],
            held=True,
            **fields,
        )

    def tick(self, activity: Activity, *officers: Officer, by: Any = None) -> int:
        return services.sign_in_by_hand(
            activity=activity, officers=list(officers), by=by or self.p.leader_a
        )

    def test_without_walk_ins_only_the_audience_is_ticked(self) -> None:
        activity = self.activity()
        clerk = self.p.clerk_a.officer
        with self.assertRaises(ValidationError) as info:
            self.tick(activity, self.p.officer_a_profile, clerk)
        self.assertEqual(info.exception.code, "not_audience")
        self.assertFalse(Attendance.objects.filter(activity=activity).exists())
        self.assertEqual(self.tick(activity, self.p.officer_a_profile), 1)

    def test_walk_ins_only_from_the_organisers_own_scope(self) -> None:
        activity = self.activity(allow_walk_ins=True)
        with self.assertRaises(PermissionDenied):
            self.tick(activity, self.p.officer_a_profile, self.p.officer_b_profile)
        self.assertFalse(Attendance.objects.filter(activity=activity).exists())
        self.assertEqual(self.tick(activity, self.p.clerk_a.officer), 1)
        row = Attendance.objects.get(activity=activity)
        self.assertEqual((row.officer, row.walk_in), (self.p.clerk_a.officer, True))

    def test_only_an_organiser_ticks_and_nobody_who_left(self) -> None:
        activity = self.activity(allow_walk_ins=True)
        for who in (self.p.officer_a, self.p.leader_b, self.p.supervision):
            with self.assertRaises(PermissionDenied):
                self.tick(activity, self.p.officer_a_profile, by=who)
        Officer.objects.filter(pk=self.p.officer_a_profile.pk).update(status=OfficerStatus.LEFT)
        with self.assertRaises(ValidationError) as info:
            self.tick(activity, Officer.objects.get(pk=self.p.officer_a_profile.pk))
        self.assertEqual(info.exception.code, "not_serving")
        self.assertFalse(Attendance.objects.filter(activity=activity).exists())

    def test_the_page_sends_the_ticked_ids_to_these_rules(self) -> None:
        activity = self.activity(allow_walk_ins=True)
        url = reverse("study:attendance", args=[activity.pk])
        outside = self.assertStatus(
            self.p.leader_a, "post", url, 403, {"officer": [self.p.officer_b_profile.pk]}
        )
        self.assertEqual(outside.status_code, 403)
        self.assertStatus(
            self.p.leader_a, "post", url, 302, {"officer": [self.p.clerk_a.officer.pk]}
        )
        self.assertTrue(Attendance.objects.get(activity=activity).walk_in)
