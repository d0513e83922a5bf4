"""Every staff view of the service module: success, wrong method, out of scope (404),
read-only (403)."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.utils import timezone

from zhengfa.core.attachments import attachments_of
from zhengfa.core.testing import ViewCase, png_upload
from zhengfa.org.models import Area
from zhengfa.org.testing import MatrixTestCase, PersonaTestCase
from zhengfa.service import services
from zhengfa.service.models import Appointment, HomeVisit, Measure, Offer, VolunteerActivity

from . import factories
from .factories import villages


class ServiceMatrix(MatrixTestCase):
    east: Area
    offer: Offer
    appointment: Appointment
    requested: HomeVisit
    scheduled: HomeVisit
    activity: VolunteerActivity
    measure: Measure

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        p = cls.p
        cls.east, _west = villages(p)
        services.post_assign(village=cls.east, officer=p.officer_a_profile, by=p.leader_a)
        cls.offer = factories.offer(p)
        day = factories.next_working_day()
        cls.appointment, _code = services.book(
            offer=cls.offer, starts_at=factories.at(day, 9), name="李四", phone="13900002222"
        )
        cls.requested = factories.visit(p, cls.east)
        cls.scheduled = factories.visit(p, cls.east)
        services.visit_schedule(visit=cls.scheduled, by=p.officer_a, when=factories.at(day, 15))
        cls.activity = factories.activity(p)
        cls.measure = factories.measure(p)

    def setUp(self) -> None:
        super().setUp()
        # Files go to each test's own folder: stored here, not with the test data.
        services.activity_save(
            activity=self.activity,
            officers=[self.p.officer_a_profile],
            by=self.p.leader_a,
            photos=[png_upload()],
        )

    def photo(self) -> int:
        return attachments_of(self.activity).get().pk

    cases = [
        ViewCase(
            "service:coverage",
            ok=["leader_a", "committee"],
            no_scope="each sees the villages of his units",
            read_only=["mediator"],
        ),
        ViewCase(
            "service:assign",
            ok=["leader_a", "clerk_a"],
            args=lambda t: [t.east.pk],
            allowed=["post"],
            out_of_scope=["leader_b", "officer_b", "mediator"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:group_edit",
            ok=["officer_a", "leader_a"],
            args=lambda t: [t.east.pk],
            allowed=["post"],
            out_of_scope=["leader_b", "officer_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:post_edit",
            ok=["officer_a", "leader_a"],
            args=lambda t: [t.east.pk],
            allowed=["post"],
            out_of_scope=["leader_b", "officer_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:appointment_list",
            ok=["leader_a", "clerk_a", "committee"],
            no_scope="each sees the appointments of his units",
            read_only=["mediator"],
        ),
        ViewCase(
            "service:appointment_detail",
            ok=["leader_a", "committee"],
            args=lambda t: [t.appointment.pk],
            out_of_scope=["leader_b", "officer_b"],
        ),
        ViewCase(
            "service:appointment_transition",
            ok=["leader_a", "clerk_a"],
            args=lambda t: [t.appointment.pk, "confirm"],
            method="post",
            out_of_scope=["leader_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:offer_list",
            ok=["leader_a", "committee"],
            no_scope="each sees the services of his units",
            read_only=["mediator"],
        ),
        ViewCase(
            "service:offer_new",
            ok=["leader_a", "clerk_a"],
            allowed=["post"],
            no_scope="a new service belongs to one of the person's units",
            read_only=["committee"],
        ),
        ViewCase(
            "service:offer_detail",
            ok=["leader_a"],
            args=lambda t: [t.offer.pk],
            method="post",
            allowed=["get"],
            data=lambda t: {
                "day": "",
                "opens": "14:00",
                "closes": "16:00",
                "slot_minutes": "30",
                "capacity": "2",
            },
            out_of_scope=["leader_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:offer_edit",
            ok=["leader_a"],
            args=lambda t: [t.offer.pk],
            allowed=["post"],
            out_of_scope=["leader_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:opening_delete",
            ok=["leader_a"],
            args=lambda t: [t.offer.openings.get().pk],
            method="post",
            out_of_scope=["leader_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:calendar",
            ok=["committee"],
            method="post",
            allowed=["get"],
            data=lambda t: {"day": "2027-01-01", "working": "", "name": "元旦"},
            no_scope="one calendar for the whole site",
            read_only=["leader_a"],
        ),
        ViewCase(
            "service:visit_list",
            ok=["officer_a", "leader_a", "committee"],
            no_scope="each sees his own visits, or his units'",
            read_only=["mediator"],
        ),
        ViewCase(
            "service:visit_new",
            ok=["officer_a", "leader_a"],
            allowed=["post"],
            no_scope="the villages offered are the person's",
            read_only=["committee"],
        ),
        ViewCase(
            "service:visit_detail",
            ok=["officer_a", "leader_a", "committee"],
            args=lambda t: [t.requested.pk],
            out_of_scope=["leader_b", "officer_b"],
        ),
        ViewCase(
            "service:visit_schedule",
            ok=["officer_a", "leader_a"],
            args=lambda t: [t.requested.pk],
            method="post",
            data=lambda t: {
                "when": (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT10:00"),
                "officer": t.p.officer_a_profile.pk,
            },
            out_of_scope=["leader_b", "officer_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:visit_done",
            ok=["officer_a", "leader_a"],
            args=lambda t: [t.scheduled.pk],
            method="post",
            data=lambda t: {
                "visited_on": str(timezone.localdate()),
                "record": "上门为张大爷采集了身份证照片。",
            },
            out_of_scope=["leader_b", "officer_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:visit_transition",
            ok=["officer_a", "leader_a"],
            args=lambda t: [t.requested.pk, "decline"],
            method="post",
            data=lambda t: {"comment": "已由家属代办。"},
            out_of_scope=["leader_b", "officer_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:activity_list",
            ok=["leader_a", "committee"],
            no_scope="each sees the volunteer services of his units",
            read_only=["mediator"],
        ),
        ViewCase(
            "service:activity_new",
            ok=["leader_a", "clerk_a"],
            allowed=["post"],
            no_scope="a new service belongs to one of the person's units",
            read_only=["committee"],
        ),
        ViewCase(
            "service:activity_detail",
            ok=["leader_a", "committee"],
            args=lambda t: [t.activity.pk],
            out_of_scope=["leader_b", "officer_b"],
        ),
        ViewCase(
            "service:activity_edit",
            ok=["leader_a"],
            args=lambda t: [t.activity.pk],
            allowed=["post"],
            out_of_scope=["leader_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:activity_photo",
            ok=["leader_a", "committee"],
            args=lambda t: [t.activity.pk, t.photo()],
            out_of_scope=["leader_b"],
        ),
        ViewCase(
            "service:measure_list",
            ok=["leader_a", "committee"],
            no_scope="each sees the measures of his units",
            read_only=["mediator"],
        ),
        ViewCase(
            "service:measure_new",
            ok=["committee"],
            allowed=["post"],
            no_scope="the committee sets out the county's measures",
            read_only=["leader_a"],
        ),
        ViewCase(
            "service:measure_detail",
            ok=["clerk_a", "leader_a"],
            args=lambda t: [t.measure.pk],
            method="post",
            allowed=["get"],
            data=lambda t: {
                "on": str(timezone.localdate()),
                "progress": "40",
                "state": "underway",
                "milestone": "周末窗口已开放。",
            },
            out_of_scope=["leader_b"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:measure_edit",
            ok=["committee"],
            args=lambda t: [t.measure.pk],
            allowed=["post"],
            out_of_scope=["leader_b"],
            read_only=["leader_a"],
        ),
        ViewCase(
            "service:figures",
            ok=["leader_a", "committee"],
            no_scope="each sees the figures of his units",
            read_only=["mediator"],
        ),
    ]


class ServiceFormsBadInputTests(PersonaTestCase):
    """The staff forms not covered elsewhere: a message at the field and nothing saved."""

    def setUp(self) -> None:
        cache.clear()
        self.east, _west = villages(self.p)
        services.post_assign(
            village=self.east, officer=self.p.officer_a_profile, by=self.p.leader_a
        )
        self.offer = factories.offer(self.p)

    def test_offer_form(self) -> None:
        leader = self.client_for(self.p.leader_a)
        base = {
            "unit": self.p.unit_a.pk,
            "kind": "legal",
            "name": "法律咨询",
            "min_notice_hours": "2",
            "horizon_days": "14",
            "active": "on",
        }
        for field, value in {
            "horizon_days": "0",
            "min_notice_hours": "-1",
            "name": "",
            "unit": self.p.unit_b.pk,
            "horizon_days ": "x" * 5,
        }.items():
            with self.subTest(field):
                response = leader.post("/staff/service/offers/new/", {**base, field: value})
                self.assertEqual(response.status_code, 400)
        self.assertEqual(Offer.objects.count(), 1)

    def test_schedule_and_visited_forms(self) -> None:
        visit = factories.visit(self.p, self.east)
        officer = self.client_for(self.p.officer_a)
        for when in ("", "2020-01-01T10:00", "x", "9999-12-31T10:00"):
            with self.subTest(when=when):
                response = officer.post(
                    f"/staff/service/visits/{visit.pk}/arrange/",
                    {"when": when, "officer": self.p.officer_a_profile.pk},
                )
                self.assertEqual(response.status_code, 400)
        response = officer.post(
            f"/staff/service/visits/{visit.pk}/visited/",
            {"visited_on": str(timezone.localdate()), "record": "x"},
        )
        self.assertEqual(response.status_code, 400)  # not arranged yet
        visit.refresh_from_db()
        self.assertEqual(visit.state, "requested")
