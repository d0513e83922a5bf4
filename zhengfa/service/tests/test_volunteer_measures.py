"""Volunteer services with person-hours, and the convenience measures: weighted parts, unit
scope, the public history and going back only with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from zhengfa.core.attachments import attachments_of
from zhengfa.core.registry import registry
from zhengfa.core.testing import png_upload
from zhengfa.org import services as org
from zhengfa.org.access import Role
from zhengfa.org.testing import PersonaTestCase
from zhengfa.service import selectors, services
from zhengfa.service.models import Measure, MeasureState, MeasureUpdate, VolunteerActivity

from . import factories


class VolunteerTests(PersonaTestCase):
    def test_recorded_with_officers_and_photos_and_counted_in_person_hours(self) -> None:
        leader = self.client_for(self.p.leader_a)
        day = timezone.localdate() - dt.timedelta(days=2)
        response = leader.post(
            "/staff/service/volunteer/new/",
            {
                "title": "反诈宣传进集市",
                "unit": self.p.unit_a.pk,
                "held_on": str(day),
                "place": "甲镇集市",
                "hours": "2.5",
                "served": "300",
                "description": "发放反诈传单,现场答疑。",
                "officers": [self.p.officer_a_profile.pk, self.p.officer_b_profile.pk],
                "photos": [png_upload()],
            },
        )
        # 乙民警 is not of the organising station.
        self.assertEqual(response.status_code, 400)
        self.assertFalse(VolunteerActivity.objects.exists())
        leader_profile = self.p.leader_a.officer
        response = leader.post(
            "/staff/service/volunteer/new/",
            {
                "title": "反诈宣传进集市",
                "unit": self.p.unit_a.pk,
                "held_on": str(day),
                "place": "甲镇集市",
                "hours": "2.5",
                "served": "300",
                "officers": [self.p.officer_a_profile.pk, leader_profile.pk],
                "photos": [png_upload()],
            },
        )
        self.assertEqual(response.status_code, 302)
        activity = VolunteerActivity.objects.get()
        self.assertEqual(attachments_of(activity).count(), 1)
        factories.activity(self.p)  # 3 hours, 甲民警
        qs = VolunteerActivity.objects.all()
        totals = selectors.volunteer_totals(qs)
        self.assertEqual(
            (totals["activities"], totals["participations"], totals["hours"], totals["served"]),
            (2, 3, Decimal("8.0"), 380),
        )
        by_officer = {
            r["officer__user__name"]: r["hours"] for r in selectors.person_hours_by_officer(qs)
        }
        self.assertEqual(by_officer, {"甲民警": Decimal("5.5"), "甲所长": Decimal("2.5")})
        page = leader.get("/staff/service/volunteer/")
        self.assertContains(page, "反诈宣传进集市")
        self.assertContains(page, "甲民警")
        indicator = registry.indicators["service.volunteer_activities"]
        today = timezone.localdate()
        self.assertEqual(
            indicator.compute(self.p.root, today.replace(day=1) - dt.timedelta(days=40), today), 2
        )
        self.assertEqual(indicator.compute(self.p.unit_b, day, today), 0)
        self.assertEqual(
            registry.indicators["service.volunteer_hours"].compute(
                self.p.root, today - dt.timedelta(days=10), today
            ),
            8.0,
        )

    def test_a_future_date_or_no_officers_is_refused(self) -> None:
        for change in ({"held_on": timezone.localdate() + dt.timedelta(days=1)}, {}):
            with self.subTest(change=change), self.assertRaises(ValidationError):
                activity = VolunteerActivity(
                    title="x",
                    unit=self.p.unit_a,
                    held_on=change.get("held_on", timezone.localdate()),
                    place="y",
                    hours=Decimal(1),
                )
                services.activity_save(
                    activity=activity,
                    officers=[self.p.officer_a_profile] if change else [],
                    by=self.p.leader_a,
                )
        self.assertFalse(VolunteerActivity.objects.exists())


class MeasureTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.start = timezone.localdate() - dt.timedelta(days=20)

    def update(
        self,
        measure: Measure,
        progress: int,
        state: str,
        *,
        by: object = None,
        milestone: str = "推进",
        reason: str = "",
    ) -> MeasureUpdate:
        return services.measure_update(
            measure=measure,
            by=by or self.p.clerk_a,
            on=timezone.localdate(),
            progress=progress,
            state=state,
            milestone=milestone,
            reason=reason,
        )

    def test_parts_roll_up_weighted_and_the_public_page_shows_the_history(self) -> None:
        whole = factories.measure(self.p, unit=self.p.bureau, title="户籍业务便民改革")
        a = factories.measure(self.p, title="周末预约", parent=whole, weight=1)
        b = factories.measure(
            self.p, unit=self.p.unit_b, title="上门办证", parent=whole, weight=3, number=2
        )
        self.update(a, 100, MeasureState.DONE, milestone="周末窗口已开放")
        whole.refresh_from_db()
        self.assertEqual((whole.progress, whole.state), (25, MeasureState.PLANNED))
        self.update(b, 20, MeasureState.UNDERWAY, by=self.p.leader_b)
        whole.refresh_from_db()
        # (100×1 + 20×3) / 4 = 40; the least advanced part is underway.
        self.assertEqual((whole.progress, whole.state), (40, MeasureState.UNDERWAY))
        self.assertEqual(services.rolled_up([(100, 1), (20, 3)]), 40)
        # The bureau's own progress comes from its parts only.
        bureau_leader = self.p.committee
        org.role_assign(user=bureau_leader, role=Role.LEADER, unit=self.p.bureau)
        with self.assertRaisesMessage(ValidationError, "子措施"):
            self.update(whole, 50, MeasureState.UNDERWAY, by=bureau_leader)
        page = Client().get(f"/commitments/{whole.pk}/")
        self.assertContains(page, "40%")
        self.assertContains(page, "周末预约")
        self.assertContains(Client().get(f"/commitments/{a.pk}/"), "周末窗口已开放")
        listing = Client().get("/commitments/")
        self.assertContains(listing, "户籍业务便民改革")
        self.assertNotContains(listing, "上门办证")  # parts appear on their measure's page

    def test_each_unit_updates_only_its_own_measures(self) -> None:
        measure = factories.measure(self.p)
        with self.assertRaises(PermissionDenied):
            self.update(measure, 10, MeasureState.UNDERWAY, by=self.p.leader_b)
        self.assertEqual(
            self.client_for(self.p.leader_b)
            .get(f"/staff/service/measures/{measure.pk}/")
            .status_code,
            404,
        )
        # The committee sets measures out but does not report a unit's progress.
        with self.assertRaises(PermissionDenied):
            self.update(measure, 10, MeasureState.UNDERWAY, by=self.p.committee)
        self.update(measure, 10, MeasureState.UNDERWAY, by=self.p.clerk_a)
        measure.refresh_from_db()
        self.assertEqual(measure.progress, 10)

    def test_above_100_or_going_back_without_a_reason_changes_nothing(self) -> None:
        measure = factories.measure(self.p)
        self.update(measure, 60, MeasureState.UNDERWAY)
        clerk = self.client_for(self.p.clerk_a)
        base = {"on": str(timezone.localdate()), "milestone": "调整", "state": "underway"}
        response = clerk.post(f"/staff/service/measures/{measure.pk}/", {**base, "progress": "120"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("progress", response.context["form"].errors)
        response = clerk.post(f"/staff/service/measures/{measure.pk}/", {**base, "progress": "40"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("reason", response.context["form"].errors)
        response = clerk.post(
            f"/staff/service/measures/{measure.pk}/", {**base, "progress": "100", "state": "done"}
        )
        self.assertEqual(response.status_code, 302)
        response = clerk.post(
            f"/staff/service/measures/{measure.pk}/",
            {**base, "progress": "100", "state": "planned", "reason": ""},
        )
        self.assertEqual(response.status_code, 400)
        measure.refresh_from_db()
        self.assertEqual((measure.progress, measure.state), (100, MeasureState.DONE))
        self.assertEqual(measure.updates.count(), 2)
        response = clerk.post(
            f"/staff/service/measures/{measure.pk}/",
            {**base, "progress": "80", "reason": "系统升级,周末窗口暂停两周"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertContains(Client().get(f"/commitments/{measure.pk}/"), "系统升级")

    def test_the_committee_sets_out_measures_and_their_parts(self) -> None:
        zfw = self.client_for(self.p.committee)
        response = zfw.post(
            "/staff/service/measures/new/",
            {
                "number": "3",
                "title": "法律援助当日受理",
                "unit": self.p.justice.pk,
                "weight": "1",
                "launched_on": str(self.start),
                "description": "符合条件的当日受理。",
            },
        )
        self.assertEqual(response.status_code, 302)
        measure = Measure.objects.get()
        self.assertEqual(
            registry.indicators["service.measures"].compute(
                self.p.root, self.start, timezone.localdate()
            ),
            1,
        )
        self.assertEqual(
            self.client_for(self.p.leader_a).get("/staff/service/measures/new/").status_code, 403
        )
        part = factories.measure(self.p, parent=measure)
        with self.assertRaises(ValidationError):
            factories.measure(self.p, parent=part, title="孙措施")


class MeasureHistoryTests(PersonaTestCase):
    def test_a_step_dated_before_the_last_or_planned_at_100_is_refused(self) -> None:
        measure = factories.measure(self.p)
        today = timezone.localdate()
        services.measure_update(
            measure=measure,
            by=self.p.clerk_a,
            on=today,
            progress=50,
            state="underway",
            milestone="过半",
        )
        cases = {
            "on": {"on": today - dt.timedelta(days=1), "progress": 60, "state": "underway"},
            "state": {"on": today, "progress": 100, "state": "planned", "reason": "x"},
        }
        for field, values in cases.items():
            with self.subTest(field), self.assertRaises(ValidationError) as caught:
                services.measure_update(
                    measure=measure,
                    by=self.p.clerk_a,
                    milestone="m",
                    **values,  # type: ignore[arg-type]
                )
            self.assertIn(field, caught.exception.message_dict)
        measure.refresh_from_db()
        self.assertEqual((measure.progress, measure.updates.count()), (50, 1))

    def test_the_committee_reports_on_its_own_measures_only(self) -> None:
        own = factories.measure(self.p, unit=self.p.root, title="政法为民热线")
        services.measure_update(
            measure=own,
            by=self.p.committee,
            on=timezone.localdate(),
            progress=100,
            state="done",
            milestone="开通",
        )
        station = factories.measure(self.p, number=2)
        with self.assertRaises(PermissionDenied):
            services.measure_update(
                measure=station,
                by=self.p.committee,
                on=timezone.localdate(),
                progress=10,
                state="underway",
                milestone="x",
            )

    def test_a_parents_page_shows_its_parts_steps(self) -> None:
        whole = factories.measure(self.p, unit=self.p.bureau, title="户籍便民")
        part = factories.measure(self.p, title="周末窗口", parent=whole)
        services.measure_update(
            measure=part,
            by=self.p.clerk_a,
            on=timezone.localdate(),
            progress=30,
            state="underway",
            milestone="周六上午开放",
        )
        page = Client().get(f"/commitments/{whole.pk}/")
        self.assertContains(page, "周六上午开放")
        self.assertContains(page, "周末窗口")
