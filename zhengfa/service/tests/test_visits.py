"""Home visits: asked for on the portal or by an officer, assigned to the village's officer,
arranged, made with a record and a photo, or declined with a reason the requester reads."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from zhengfa.core import followup
from zhengfa.core.attachments import attachments_of
from zhengfa.core.models import Notification, SmsMessage
from zhengfa.core.testing import png_upload, public_form_fields, raw_database_text
from zhengfa.org.testing import PersonaTestCase
from zhengfa.service import services
from zhengfa.service.models import HomeVisit, HomeVisitState

from . import factories
from .factories import villages
from .test_appointments import PHONE, shown_code


class HomeVisitTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.east, self.west = villages(self.p)
        services.post_assign(
            village=self.east, officer=self.p.officer_a_profile, by=self.p.leader_a
        )
        self.citizen = Client(HTTP_USER_AGENT=PHONE)

    def fields(self, **extra: object) -> dict[str, object]:
        return {
            **public_form_fields(self.citizen, "/home-visit/"),
            "person": "张大爷",
            "village": self.east.pk,
            "address": "东村3组12号",
            "phone": "139 0000 1111",
            "reason": "disabled",
            "reason_detail": "腿脚不便,坐轮椅",
            "need": "身份证到期,需要换领",
            "preferred": "工作日上午",
            "requester": "张小明(儿子)",
            **extra,
        }

    def test_requested_on_the_portal_arranged_and_made_by_the_village_officer(self) -> None:
        page = self.citizen.get(f"/home-visit/?village={self.east.pk}")
        self.assertContains(page, "东村")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.citizen.post("/home-visit/", self.fields())
        self.assertRedirects(response, "/home-visit/done/", fetch_redirect_response=False)
        code = shown_code(self.citizen, "/home-visit/done/")
        visit = HomeVisit.objects.get()
        self.assertEqual(followup.find(code), visit)
        self.assertEqual((visit.officer, visit.unit), (self.p.officer_a_profile, self.p.unit_a))
        self.assertEqual(visit.address, "东村3组12号")
        # The address and phone are stored encrypted.
        self.assertNotIn("东村3组12号", raw_database_text())
        self.assertTrue(
            Notification.objects.filter(user=self.p.officer_a, key=f"home-visit:{visit.pk}")
        )
        officer = self.client_for(self.p.officer_a)
        self.assertContains(officer.get("/staff/service/visits/"), "张大爷")
        detail = officer.get(f"/staff/service/visits/{visit.pk}/")
        self.assertContains(detail, "东村3组……")
        self.assertNotContains(detail, "东村3组12号")
        when = (timezone.localtime() + dt.timedelta(days=1)).replace(hour=9, minute=30)
        response = officer.post(
            f"/staff/service/visits/{visit.pk}/arrange/",
            {"when": when.strftime("%Y-%m-%dT%H:%M"), "officer": self.p.officer_a_profile.pk},
        )
        self.assertEqual(response.status_code, 302)
        visit.refresh_from_db()
        self.assertEqual(visit.state, HomeVisitState.SCHEDULED)
        self.citizen.post("/query/", {"code": code})
        record = self.citizen.get("/query/record/")
        self.assertContains(record, "已安排上门")
        self.assertContains(record, when.strftime("%Y-%m-%d 09:30"))
        response = officer.post(
            f"/staff/service/visits/{visit.pk}/visited/",
            {
                "visited_on": str(timezone.localdate()),
                "record": "上门采集照片和指纹,新证15天后送达。",
                "photos": [png_upload()],
            },
        )
        self.assertEqual(response.status_code, 302)
        visit.refresh_from_db()
        self.assertEqual(
            (visit.state, visit.visited_on), (HomeVisitState.DONE, timezone.localdate())
        )
        self.assertEqual(attachments_of(visit).count(), 1)
        record = self.citizen.get("/query/record/")
        self.assertContains(record, "已上门")
        # The officer's record and photo are for the unit, not the public page.
        self.assertNotContains(record, "指纹")

    def test_declined_with_a_reason_the_requester_reads(self) -> None:
        visit, code = services.visit_request(
            village=self.east,
            person="李奶奶",
            address="东村1组",
            phone="13900002222",
            need="咨询低保",
            reason="elderly",
        )
        leader = self.client_for(self.p.leader_a)
        response = leader.post(f"/staff/service/visits/{visit.pk}/decline/", {"comment": ""})
        self.assertEqual(response.status_code, 400)
        leader.post(
            f"/staff/service/visits/{visit.pk}/decline/",
            {"comment": "低保由民政所办理,已请村委会上门。"},
        )
        visit.refresh_from_db()
        self.assertEqual(visit.state, HomeVisitState.DECLINED)
        self.citizen.post("/query/", {"code": code})
        self.assertContains(self.citizen.get("/query/record/"), "低保由民政所办理")

    def test_an_officer_asks_on_someones_behalf(self) -> None:
        officer = self.client_for(self.p.officer_a)
        self.assertContains(officer.get("/staff/service/visits/new/"), "东村")
        response = officer.post(
            "/staff/service/visits/new/",
            {
                "person": "王大爷",
                "village": self.east.pk,
                "address": "东村5组",
                "phone": "13900003333",
                "reason": "ill",
                "need": "办理户口迁移咨询",
            },
        )
        self.assertEqual(response.status_code, 302)
        visit = HomeVisit.objects.get()
        self.assertEqual(visit.by, self.p.officer_a)
        self.assertEqual(visit.officer, self.p.officer_a_profile)

    def test_bad_input_saves_nothing(self) -> None:
        for field, value in {
            "address": "",
            "phone": "1234",
            "need": "",
            "village": "999999",
        }.items():
            with self.subTest(field):
                response = self.citizen.post("/home-visit/", self.fields(**{field: value}))
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.context["form"].errors)
        self.assertFalse(HomeVisit.objects.exists())

    def test_another_unit_sees_nothing_and_cannot_act(self) -> None:
        visit = factories.visit(self.p, self.east)
        other = self.client_for(self.p.officer_b)
        self.assertEqual(other.get(f"/staff/service/visits/{visit.pk}/").status_code, 404)
        self.assertNotContains(
            self.client_for(self.p.leader_b).get("/staff/service/visits/"), "张大爷"
        )
        with self.assertRaises(PermissionDenied):
            services.visit_schedule(
                visit=visit, by=self.p.leader_b, when=timezone.now() + dt.timedelta(days=1)
            )

    def test_a_village_without_an_officer_goes_to_the_station_to_assign(self) -> None:
        visit = factories.visit(self.p, self.west)
        self.assertIsNone(visit.officer)
        self.assertEqual(visit.unit, self.p.unit_a)
        leader = self.client_for(self.p.leader_a)
        when = timezone.localtime() + dt.timedelta(days=2)
        leader.post(
            f"/staff/service/visits/{visit.pk}/arrange/",
            {"when": when.strftime("%Y-%m-%dT%H:%M"), "officer": self.p.officer_a_profile.pk},
        )
        visit.refresh_from_db()
        self.assertEqual(visit.officer, self.p.officer_a_profile)
        self.assertEqual(visit.state, HomeVisitState.SCHEDULED)


class VisitNoticeTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.east, self.west = villages(self.p)

    def test_without_an_officer_the_station_hears_and_the_requester_is_texted(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            visit = factories.visit(self.p, self.west)
        told = set(
            Notification.objects.filter(key=f"home-visit:{visit.pk}").values_list("user", flat=True)
        )
        self.assertEqual(told, {self.p.leader_a.pk, self.p.clerk_a.pk})
        when = timezone.localtime() + dt.timedelta(days=2)
        with self.captureOnCommitCallbacks(execute=True):
            services.visit_schedule(
                visit=visit, by=self.p.leader_a, when=when, officer=self.p.officer_a_profile
            )
        self.assertTrue(Notification.objects.filter(user=self.p.officer_a).exists())
        texted = SmsMessage.objects.get(purpose="home-visit-arranged")
        self.assertEqual(texted.to, "13900001111")
        self.assertIn(when.strftime("%Y-%m-%d"), texted.text)
        visit.refresh_from_db()
        assert visit.due_at is not None
        self.assertEqual(
            timezone.localtime(visit.due_at).date(), when.date() + dt.timedelta(days=1)
        )
        services.visit_transition(
            record=visit, name="decline", by=self.p.leader_a, comment="家属已代办。"
        )
        self.assertIn("家属已代办", SmsMessage.objects.get(purpose="home-visit-declined").text)
