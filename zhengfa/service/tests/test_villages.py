"""One village one officer: assignment with history, the public page, the village group."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from zhengfa.core.attachments import attachments_of
from zhengfa.core.models import Notification
from zhengfa.core.testing import png_upload
from zhengfa.org import services as org
from zhengfa.org.testing import PersonaTestCase
from zhengfa.service import selectors, services
from zhengfa.service.models import VillageGroup, VillagePost

from .factories import villages


class AssignmentTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.east, self.west = villages(self.p)

    def test_reassigning_keeps_the_history_and_the_public_page_follows(self) -> None:
        leader = self.client_for(self.p.leader_a)
        start = timezone.localdate() - dt.timedelta(days=30)
        response = leader.post(
            f"/staff/service/villages/{self.east.pk}/assign/",
            {
                "officer": self.p.officer_a_profile.pk,
                "starts_on": str(start),
                "office_hours": "每周二上午在村委会",
            },
        )
        self.assertEqual(response.status_code, 302)
        page = Client().get(f"/village-officer/{self.east.pk}/")
        self.assertContains(page, self.p.officer_a.display_name)
        self.assertContains(page, "每周二上午在村委会")
        other = org.officer_create(
            unit=self.p.unit_a, name="甲辅警", staff_number="A009", username="aux_a"
        )
        services.post_assign(village=self.east, officer=other, by=self.p.leader_a)
        posts = list(VillagePost.objects.filter(village=self.east).order_by("starts_on"))
        self.assertEqual([p.officer for p in posts], [self.p.officer_a_profile, other])
        self.assertEqual(posts[0].ends_on, timezone.localdate() - dt.timedelta(days=1))
        cache.clear()
        self.assertContains(Client().get(f"/village-officer/{self.east.pk}/"), "甲辅警")

    def test_bad_assignments_change_nothing(self) -> None:
        services.post_assign(
            village=self.east, officer=self.p.officer_a_profile, by=self.p.leader_a
        )
        leader = self.client_for(self.p.leader_a)
        url = f"/staff/service/villages/{self.east.pk}/assign/"
        today = str(timezone.localdate())
        for data in (
            # The same officer again; another station's officer; before the present start.
            {"officer": self.p.officer_a_profile.pk, "starts_on": today},
            {"officer": self.p.officer_b_profile.pk, "starts_on": today},
            {"officer": self.p.leader_a.officer.pk, "starts_on": "2020-01-01"},
            {"officer": "", "starts_on": today},
        ):
            with self.subTest(data=data):
                self.assertEqual(leader.post(url, data).status_code, 400)
        with self.assertRaises(PermissionDenied):
            services.post_assign(
                village=self.east, officer=self.p.officer_b_profile, by=self.p.leader_a
            )
        # The other station's leader may assign his officer, but the station does not serve
        # the village.
        with self.assertRaises(ValidationError):
            services.post_assign(
                village=self.east, officer=self.p.officer_b_profile, by=self.p.leader_b
            )
        self.assertEqual(VillagePost.objects.count(), 1)

    def test_another_station_and_plain_officers_cannot_assign(self) -> None:
        url = f"/staff/service/villages/{self.east.pk}/assign/"
        self.assertEqual(self.client_for(self.p.leader_b).get(url).status_code, 404)
        self.assertEqual(self.client_for(self.p.officer_a).get(url).status_code, 404)
        self.assertEqual(self.client_for(self.p.committee).get(url).status_code, 403)

    def test_coverage_lists_villages_without_an_officer_and_busy_officers(self) -> None:
        services.post_assign(
            village=self.east, officer=self.p.officer_a_profile, by=self.p.leader_a
        )
        page = self.client_for(self.p.committee).get("/staff/service/villages/?show=uncovered")
        self.assertContains(page, "西村")
        self.assertNotContains(page, "东村</a>")
        self.assertContains(page, "1个村目前没有村警")
        today = timezone.localdate()
        self.assertEqual(selectors.covered(self.p.root, today, today), 1)
        # Seven more villages for the same officer: he is listed as carrying many.
        from zhengfa.org.models import Area

        for i in range(7):
            extra = Area.objects.create(
                code=f"T01-V1{i:02d}", name=f"新{i}村", level="village", parent=self.east.parent
            )
            self.p.unit_a.areas.add(extra)
            services.post_assign(
                village=extra, officer=self.p.officer_a_profile, by=self.p.leader_a
            )
        page = self.client_for(self.p.committee).get("/staff/service/villages/")
        self.assertContains(page, "负责超过6个村的村警")


class GroupTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.east, _west = villages(self.p)
        services.post_assign(
            village=self.east, officer=self.p.officer_a_profile, by=self.p.leader_a
        )

    def test_the_officer_keeps_the_group_and_an_expired_code_is_hidden(self) -> None:
        officer = self.client_for(self.p.officer_a)
        url = f"/staff/service/villages/{self.east.pk}/group/"
        week = timezone.localdate() + dt.timedelta(days=7)
        # A code without its date, or a date that has passed: refused.
        for data in (
            {"name": "东村警民群", "members": "120", "code_image": png_upload()},
            {
                "name": "东村警民群",
                "members": "120",
                "code_image": png_upload(),
                "code_expires_on": "2021-01-01",
            },
        ):
            self.assertEqual(officer.post(url, data).status_code, 400)
        self.assertFalse(VillageGroup.objects.exists())
        response = officer.post(
            url,
            {
                "name": "东村警民群",
                "members": "120",
                "code_image": png_upload(),
                "code_expires_on": str(week),
            },
        )
        self.assertEqual(response.status_code, 302)
        public = Client()
        page = public.get(f"/village-officer/{self.east.pk}/")
        self.assertContains(page, "东村警民群")
        self.assertContains(page, "120")
        self.assertContains(page, f"/village-officer/{self.east.pk}/group-code/")
        self.assertEqual(
            public.get(f"/village-officer/{self.east.pk}/group-code/").status_code, 200
        )
        VillageGroup.objects.update(code_expires_on=timezone.localdate() - dt.timedelta(days=1))
        cache.clear()
        page = public.get(f"/village-officer/{self.east.pk}/")
        self.assertNotContains(page, "group-code/")
        self.assertContains(page, "入群二维码正在更新")
        self.assertEqual(
            public.get(f"/village-officer/{self.east.pk}/group-code/").status_code, 404
        )
        # Another station's officer has no say over it.
        other = self.client_for(self.p.officer_b)
        self.assertEqual(other.get(url).status_code, 404)

    def test_the_printable_card_carries_a_qr_code_to_the_village_page(self) -> None:
        card = Client().get(f"/village-officer/{self.east.pk}/card/")
        self.assertContains(card, "<svg")
        self.assertContains(card, self.p.officer_a.display_name)


class OfficerPhotoAndReminderTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.east, self.west = villages(self.p)

    def test_the_officers_photo_shows_on_the_village_page(self) -> None:
        leader = self.client_for(self.p.leader_a)
        response = leader.post(
            f"/staff/service/villages/{self.east.pk}/assign/",
            {
                "officer": self.p.officer_a_profile.pk,
                "starts_on": str(timezone.localdate()),
                "photo": png_upload(),
            },
        )
        self.assertEqual(response.status_code, 302)
        page = Client().get(f"/village-officer/{self.east.pk}/")
        self.assertContains(page, f"/village-officer/{self.east.pk}/photo/")
        photo = Client().get(f"/village-officer/{self.east.pk}/photo/")
        self.assertEqual(photo["Content-Type"], "image/png")
        # The officer changes his hours and photo later, without a new assignment.
        officer = self.client_for(self.p.officer_a)
        response = officer.post(
            f"/staff/service/villages/{self.east.pk}/officer/",
            {"office_hours": "每周三上午", "duties": "", "photo": png_upload(color="blue")},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(VillagePost.objects.get(village=self.east).office_hours, "每周三上午")
        self.assertEqual(attachments_of(VillagePost.objects.get(village=self.east)).count(), 2)
        # A village without one shows none, and its address answers 404.
        self.assertEqual(Client().get(f"/village-officer/{self.west.pk}/photo/").status_code, 404)

    def test_the_officer_is_told_once_when_the_join_code_expires(self) -> None:
        services.post_assign(
            village=self.east, officer=self.p.officer_a_profile, by=self.p.leader_a
        )
        services.group_save(
            village=self.east,
            by=self.p.officer_a,
            name="东村警民群",
            members=120,
            code_image=png_upload(),
            code_expires_on=timezone.localdate() + dt.timedelta(days=5),
        )
        self.assertEqual(services.remind_group_codes(), 0)
        later = timezone.localdate() + dt.timedelta(days=4)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(services.remind_group_codes(later), 1)
        with self.captureOnCommitCallbacks(execute=True):
            services.remind_group_codes(later + dt.timedelta(days=3))
        notices = Notification.objects.filter(user=self.p.officer_a, key__startswith="group-code:")
        self.assertEqual(notices.count(), 1)
        self.assertIn("东村警民群", notices.get().title)
