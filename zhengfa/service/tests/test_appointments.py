"""Appointments: booking on a phone, the code that cancels, holidays, capacity, notice and
horizon, the staff's steps and the text messages."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from zhengfa.core import followup
from zhengfa.core.models import SmsMessage
from zhengfa.core.testing import public_form_fields
from zhengfa.org.testing import PersonaTestCase
from zhengfa.service import services
from zhengfa.service.calendar import is_working_day
from zhengfa.service.models import Appointment, AppointmentState, Opening, Slot

from . import factories
from .factories import at

PHONE = "Mozilla/5.0 (Linux; Android 7.0) MicroMessenger/8.0.1"


def shown_code(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    found = re.search(r'id="followup-code"[^>]*>([0-9A-Z-]+)<', page)
    assert found is not None, "no code shown"
    return found.group(1)


class BookingTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.offer = factories.offer(self.p)
        self.day = factories.next_working_day()
        self.citizen = Client(HTTP_USER_AGENT=PHONE)

    def book_page(self) -> str:
        return f"/appointments/{self.offer.pk}/?day={self.day}"

    def fields(self, **extra: object) -> dict[str, object]:
        return {
            **public_form_fields(self.citizen, self.book_page()),
            "day": str(self.day),
            "slot": f"{self.day}T09:30",
            "name": "王大妈",
            "phone": "139 0000 5555",
            "note": "给孙子办证",
            **extra,
        }

    def test_a_citizen_books_and_cancels_with_his_code(self) -> None:
        self.assertContains(self.citizen.get("/appointments/"), "身份证办理")
        page = self.citizen.get(self.book_page())
        self.assertContains(page, "09:30–10:00")
        self.assertContains(page, "带户口本")
        response = self.citizen.post(self.book_page(), self.fields())
        self.assertRedirects(response, "/appointments/done/", fetch_redirect_response=False)
        code = shown_code(self.citizen, "/appointments/done/")
        appointment = Appointment.objects.get()
        self.assertEqual(followup.find(code), appointment)
        self.assertEqual(
            (appointment.name, appointment.phone, appointment.state, appointment.holiday),
            ("王大妈", "13900005555", AppointmentState.BOOKED, False),
        )
        self.assertEqual(appointment.slot.starts_at, at(self.day, 9, 30))
        self.assertEqual(appointment.slot.booked, 1)
        texted = SmsMessage.objects.get(purpose="followup-code")
        self.assertIn("身份证办理", texted.text)
        self.assertNotIn(code, texted.text)
        # The page shows one place fewer.
        self.assertContains(self.citizen.get(self.book_page()), "剩2个")
        # He opens it with his code and cancels.
        response = self.citizen.post("/query/", {"code": code})
        self.assertRedirects(response, "/query/record/")
        record = self.citizen.get("/query/record/")
        self.assertContains(record, "取消预约")
        self.assertContains(record, "甲镇派出所户籍窗口")
        response = self.citizen.post("/query/record/step/cancel/")
        self.assertRedirects(response, "/query/record/")
        appointment.refresh_from_db()
        self.assertEqual(appointment.state, AppointmentState.CANCELLED)
        self.assertEqual(Slot.objects.get().booked, 0)
        record = self.citizen.get("/query/record/")
        self.assertContains(record, "已取消")
        self.assertNotContains(record, "query/record/step/cancel")
        # Twice is refused, and nothing changes.
        response = self.citizen.post("/query/record/step/cancel/")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Slot.objects.get().booked, 0)

    def test_a_wrong_code_opens_nothing_and_cancels_nothing(self) -> None:
        appointment, _code = services.book(
            offer=self.offer, starts_at=at(self.day, 9), name="甲", phone="13900001111"
        )
        response = self.citizen.post("/query/", {"code": "ABCD-EFGH-JKMN"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "没有与此查询码对应")
        response = self.citizen.post("/query/record/step/cancel/")
        self.assertRedirects(response, "/query/", fetch_redirect_response=False)
        appointment.refresh_from_db()
        self.assertEqual(appointment.state, AppointmentState.BOOKED)

    def test_bad_input_is_refused_and_nothing_is_booked(self) -> None:
        bad = {
            "phone": "12345",
            "name": "",
            "slot": f"{self.day}T07:00",  # not a time of the list
        }
        for field, value in bad.items():
            with self.subTest(field):
                response = self.citizen.post(self.book_page(), self.fields(**{field: value}))
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.context["form"].errors)
        self.assertFalse(Appointment.objects.exists())
        self.assertFalse(Slot.objects.exists())

    def test_past_beyond_the_horizon_and_too_soon_are_refused(self) -> None:
        now = timezone.now()
        cases = {
            "past": at(timezone.localdate() - dt.timedelta(days=1), 9),
            "beyond": at(factories.next_working_day(self.offer.horizon_days + 1), 9),
            "notice": now + dt.timedelta(minutes=30),
        }
        for label, when in cases.items():
            with self.subTest(label):
                self.assertNotEqual(services.bookable(self.offer, when, now), "")
                with self.assertRaises(ValidationError):
                    services.book(offer=self.offer, starts_at=when, name="甲", phone="13900001111")
        self.assertFalse(Appointment.objects.exists())

    def test_a_full_slot_is_refused(self) -> None:
        self.offer.openings.update(capacity=1)
        services.book(offer=self.offer, starts_at=at(self.day, 9), name="甲", phone="13900001111")
        with self.assertRaisesMessage(ValidationError, "约满"):
            services.book(
                offer=self.offer, starts_at=at(self.day, 9), name="乙", phone="13900002222"
            )
        self.assertEqual(Appointment.objects.count(), 1)
        self.assertEqual(Slot.objects.get().booked, 1)
        # The page no longer offers the full time, and a form naming it is refused.
        page = self.citizen.get(self.book_page())
        self.assertNotContains(page, f'value="{self.day}T09:00"')
        response = self.citizen.post(self.book_page(), self.fields(slot=f"{self.day}T09:00"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Appointment.objects.count(), 1)

    def test_staff_confirm_serve_and_call_off_and_the_citizen_is_texted(self) -> None:
        appointment, _code = services.book(
            offer=self.offer, starts_at=at(self.day, 9), name="甲", phone="13900001111"
        )
        clerk = self.client_for(self.p.clerk_a)
        response = clerk.post(f"/staff/service/appointments/{appointment.pk}/confirm/")
        self.assertEqual(response.status_code, 302)
        confirmed = SmsMessage.objects.get(purpose="appointment-confirmed")
        self.assertEqual(confirmed.to, "13900001111")
        self.assertIn(str(self.day), confirmed.text)
        # Served only once the time has come.
        appointment.refresh_from_db()
        with self.assertRaises(PermissionDenied):
            services.appointment_transition(record=appointment, name="done", by=self.p.clerk_a)
        later = at(self.day, 9, 10)
        with mock.patch("django.utils.timezone.now", return_value=later):
            services.appointment_transition(record=appointment, name="done", by=self.p.clerk_a)
        self.assertEqual(appointment.state, AppointmentState.DONE)
        # Staff do not "cancel" as the citizen does: they call off, with the reason, which the
        # citizen reads and is texted.
        other, _ = services.book(
            offer=self.offer, starts_at=at(self.day, 10), name="乙", phone="13900002222"
        )
        page = clerk.get(f"/staff/service/appointments/{other.pk}/")
        self.assertContains(page, f"/staff/service/appointments/{other.pk}/call_off/")
        self.assertNotContains(page, f"/staff/service/appointments/{other.pk}/cancel/")
        response = clerk.post(f"/staff/service/appointments/{other.pk}/cancel/")
        self.assertEqual(response.status_code, 403)
        response = clerk.post(f"/staff/service/appointments/{other.pk}/call_off/", {"comment": ""})
        self.assertEqual(response.status_code, 400)
        other.refresh_from_db()
        self.assertEqual(other.state, AppointmentState.BOOKED)
        clerk.post(
            f"/staff/service/appointments/{other.pk}/call_off/", {"comment": "当天停电,请改约"}
        )
        other.refresh_from_db()
        self.assertEqual(other.state, AppointmentState.CANCELLED)
        self.assertEqual(other.slot.booked, 0)
        self.assertIn("停电", SmsMessage.objects.get(purpose="appointment-called-off").text)

    def test_the_day_before_everyone_booked_is_reminded_once(self) -> None:
        services.book(offer=self.offer, starts_at=at(self.day, 9), name="甲", phone="13900001111")
        services.book(offer=self.offer, starts_at=at(self.day, 10), name="乙", phone="13900002222")
        self.assertEqual(services.remind_tomorrow(self.day - dt.timedelta(days=2)), 0)
        self.assertEqual(services.remind_tomorrow(self.day - dt.timedelta(days=1)), 2)
        self.assertEqual(services.remind_tomorrow(self.day - dt.timedelta(days=1)), 0)
        self.assertEqual(SmsMessage.objects.filter(purpose="appointment-reminder").count(), 2)

    def test_a_unit_of_another_station_cannot_see_or_act(self) -> None:
        appointment, _code = services.book(
            offer=self.offer, starts_at=at(self.day, 9), name="甲", phone="13900001111"
        )
        other = self.client_for(self.p.leader_b)
        self.assertEqual(
            other.get(f"/staff/service/appointments/{appointment.pk}/").status_code, 404
        )
        self.assertNotContains(other.get("/staff/service/appointments/"), "13900001111")
        with self.assertRaises(PermissionDenied):
            services.appointment_transition(record=appointment, name="confirm", by=self.p.leader_b)


class HolidayTests(PersonaTestCase):
    """Spring Festival 2021: 11–17 February were holidays, Sunday 7 February a working day."""

    def setUp(self) -> None:
        cache.clear()
        self.offer = factories.offer(self.p)
        self.now = at(dt.date(2021, 2, 8), 10)
        self.patch = mock.patch("django.utils.timezone.now", return_value=self.now)
        self.patch.start()
        self.addCleanup(self.patch.stop)

    def test_no_holiday_slots_unless_opened_and_then_they_can_be_booked(self) -> None:
        holiday = dt.date(2021, 2, 12)
        self.assertEqual(services.slots_on(self.offer, holiday), [])
        self.assertNotIn(holiday, [d["day"] for d in services.days_open(self.offer)])
        with self.assertRaises(ValidationError):
            services.book(
                offer=self.offer, starts_at=at(holiday, 9), name="甲", phone="13900001111"
            )
        page = Client().get(f"/appointments/{self.offer.pk}/?day={holiday}")
        self.assertContains(page, 'id="no-slots"')
        # The adjusted working Sunday before has the weekly hours; Saturday 20th too.
        self.assertTrue(services.slots_on(self.offer, dt.date(2021, 2, 20)))
        # The unit opens the holiday (节假日预约).
        leader = self.client_for(self.p.leader_a)
        response = leader.post(
            f"/staff/service/offers/{self.offer.pk}/",
            {
                "day": str(holiday),
                "opens": "09:00",
                "closes": "12:00",
                "slot_minutes": "60",
                "capacity": "10",
            },
        )
        self.assertEqual(response.status_code, 302)
        days = services.days_open(self.offer)
        self.assertIn(holiday, [d["day"] for d in days])
        self.assertEqual(next(d for d in days if d["day"] == holiday)["holiday_name"], "春节")
        page = Client().get(f"/appointments/{self.offer.pk}/?day={holiday}")
        self.assertContains(page, "春节")
        appointment, _code = services.book(
            offer=self.offer, starts_at=at(holiday, 9), name="甲", phone="13900001111"
        )
        self.assertTrue(appointment.holiday)
        self.assertTrue(appointment.slot.holiday)

    def test_holiday_hours_on_a_working_day_or_a_past_day_are_refused(self) -> None:
        for day in (dt.date(2021, 2, 9), dt.date(2021, 2, 6)):
            with self.subTest(day=day), self.assertRaises(ValidationError):
                services.opening_add(
                    offer=self.offer,
                    by=self.p.leader_a,
                    opening=Opening(day=day, opens=dt.time(9), closes=dt.time(12), capacity=3),
                )
        self.assertEqual(self.offer.openings.count(), 1)


class HoursAndCalendarTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.offer = factories.offer(self.p)
        self.day = factories.next_working_day()

    def opening(self, **values: object) -> Opening:
        fields = {"opens": dt.time(9), "closes": dt.time(10), "capacity": 3, **values}
        return services.opening_add(offer=self.offer, by=self.p.leader_a, opening=Opening(**fields))

    def test_a_unit_closes_a_working_day_unless_bookings_are_held(self) -> None:
        self.opening(day=self.day, closed=True)
        self.assertEqual(services.slots_on(self.offer, self.day), [])
        self.assertNotIn(self.day, [d["day"] for d in services.days_open(self.offer)])
        other = factories.next_working_day(after=(self.day - timezone.localdate()).days + 1)
        services.book(offer=self.offer, starts_at=at(other, 9), name="甲", phone="13900001111")
        with self.assertRaisesMessage(ValidationError, "请先逐个取消"):
            self.opening(day=other, closed=True)

    def test_overlapping_hours_are_refused(self) -> None:
        with self.assertRaises(ValidationError):
            self.opening(opens=dt.time(10, 30), closes=dt.time(12))
        self.opening(opens=dt.time(14), closes=dt.time(15))
        self.assertEqual(self.offer.openings.count(), 2)

    def test_hours_holding_bookings_cannot_be_removed(self) -> None:
        services.book(offer=self.offer, starts_at=at(self.day, 9), name="甲", phone="13900001111")
        weekly = self.offer.openings.get()
        leader = self.client_for(self.p.leader_a)
        response = leader.post(f"/staff/service/openings/{weekly.pk}/delete/", follow=True)
        self.assertContains(response, "请先逐个取消")
        self.assertTrue(Opening.objects.filter(pk=weekly.pk).exists())

    def test_the_county_enters_holidays_the_package_does_not_know(self) -> None:
        self.assertTrue(is_working_day(dt.date(2027, 1, 1)))  # a Friday, unknown year
        zfw = self.client_for(self.p.committee)
        response = zfw.post(
            "/staff/service/calendar/", {"day": "2027-01-01", "working": "", "name": "元旦"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(is_working_day(dt.date(2027, 1, 1)))
        self.assertEqual(services.slots_on(self.offer, dt.date(2027, 1, 1)), [])
        response = zfw.post("/staff/service/calendar/", {"day": "2027-01-02", "name": ""})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            self.client_for(self.p.leader_a)
            .post("/staff/service/calendar/", {"day": "2027-01-03", "name": "x"})
            .status_code,
            403,
        )

    def test_days_far_away_answer_a_page_not_an_error(self) -> None:
        for day in ("9999-12-31", "0001-01-01", "2021-02-30", "x"):
            with self.subTest(day=day):
                page = Client().get(f"/appointments/{self.offer.pk}/?day={day}")
                self.assertEqual(page.status_code, 200)
                leader = self.client_for(self.p.leader_a)
                self.assertEqual(
                    leader.get(f"/staff/service/appointments/?day={day}").status_code, 200
                )

    def test_an_open_booking_is_not_called_closed_on_the_query_page(self) -> None:
        citizen = Client()
        _appointment, code = services.book(
            offer=self.offer, starts_at=at(self.day, 9), name="甲", phone="13900001111"
        )
        citizen.post("/query/", {"code": code})
        page = citizen.get("/query/record/")
        self.assertNotContains(page, "已办结")
        self.assertContains(page, "取消预约")
