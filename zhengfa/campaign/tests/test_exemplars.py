"""Advanced models (弘扬英模精神): entered by a unit's staff with a photo, shown in public."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from zhengfa.campaign import services
from zhengfa.campaign.models import Exemplar
from zhengfa.core.testing import png_upload
from zhengfa.org.testing import PersonaTestCase


class ExemplarTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()

    def test_entered_with_a_photo_and_shown_in_public(self) -> None:
        leader = self.client_for(self.p.leader_a)
        response = leader.post(
            "/staff/exemplars/new/",
            {
                "kind": "person",
                "name": "甲所老民警",
                "unit": self.p.unit_a.pk,
                "local": "on",
                "honour": "全县政法系统先进个人",
                "awarded_on": "2021-03-26",
                "deeds": "扎根基层二十年。",
                "published": "on",
                "photo": png_upload(),
            },
        )
        self.assertEqual(response.status_code, 302)
        exemplar = Exemplar.objects.get()
        page = Client().get("/models/")
        self.assertContains(page, "甲所老民警")
        self.assertContains(page, "扎根基层二十年")
        self.assertContains(page, f"/models/{exemplar.pk}/photo/")
        self.assertEqual(Client().get(f"/models/{exemplar.pk}/photo/")["Content-Type"], "image/png")
        # Withdrawn from the public page: gone there, photo too.
        exemplar.published = False
        services.exemplar_save(exemplar=exemplar, by=self.p.leader_a)
        cache.clear()
        self.assertNotContains(Client().get("/models/"), "甲所老民警")
        self.assertEqual(Client().get(f"/models/{exemplar.pk}/photo/").status_code, 404)

    def test_bad_input_and_scope(self) -> None:
        future = timezone.localdate() + dt.timedelta(days=3)
        with self.assertRaises(ValidationError):
            services.exemplar_save(
                exemplar=Exemplar(
                    name="x", unit=self.p.unit_a, honour="h", deeds="d", awarded_on=future
                ),
                by=self.p.leader_a,
            )
        with self.assertRaises(PermissionDenied):
            services.exemplar_save(
                exemplar=Exemplar(name="x", unit=self.p.unit_a, honour="h", deeds="d"),
                by=self.p.leader_b,
            )
        response = self.client_for(self.p.leader_a).post(
            "/staff/exemplars/new/", {"kind": "person", "name": "", "unit": self.p.unit_a.pk}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Exemplar.objects.exists())
