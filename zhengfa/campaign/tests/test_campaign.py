from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse

from zhengfa.campaign.models import Campaign
from zhengfa.campaign.services import campaign_create
from zhengfa.org.testing import PersonaTestCase

D = dt.date


class CampaignTests(PersonaTestCase):
    county: Campaign
    local: Campaign

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.county = campaign_create(
            name="县教育整顿",
            unit=cls.p.root,
            phases=[
                ("study", "学习教育", D(2021, 2, 27), D(2021, 3, 31)),
                ("rectify", "查纠整改", D(2021, 4, 1), D(2021, 6, 15)),
                ("consolidate", "总结提升", D(2021, 6, 16), D(2021, 6, 30)),
            ],
        )
        cls.local = campaign_create(
            name="甲所专项",
            unit=cls.p.unit_a,
            phases=[
                ("study", "学习", D(2021, 3, 1), D(2021, 3, 10)),
            ],
        )

    def test_current_phase_comes_from_dates(self) -> None:
        current = self.county.current_phase(D(2021, 4, 15))
        assert current is not None
        self.assertEqual(current.name, "查纠整改")
        self.assertIsNone(self.county.current_phase(D(2021, 7, 1)))

    def test_phases_must_follow_one_another(self) -> None:
        with self.assertRaises(ValidationError):
            campaign_create(
                name="x",
                unit=self.p.root,
                phases=[
                    ("study", "a", D(2021, 3, 1), D(2021, 3, 31)),
                    ("rectify", "b", D(2021, 3, 15), D(2021, 4, 30)),
                ],
            )
        with self.assertRaises(ValidationError):
            campaign_create(
                name="x", unit=self.p.root, phases=[("study", "a", D(2021, 3, 2), D(2021, 3, 1))]
            )
        with self.assertRaises(ValidationError):
            campaign_create(name="x", unit=self.p.root, phases=[])
        self.assertEqual(Campaign.objects.filter(name="x").count(), 0)

    def test_county_campaign_is_seen_below_local_one_only_in_its_unit(self) -> None:
        url = reverse("campaign:campaign_list")
        page_b = self.assertStatus(self.p.officer_b, "get", url, 200)
        self.assertContains(page_b, "县教育整顿")
        self.assertNotContains(page_b, "甲所专项")
        page_a = self.assertStatus(self.p.officer_a, "get", url, 200)
        self.assertContains(page_a, "甲所专项")
        self.assertStatus(self.p.officer_a, "post", url, 405)

    def test_detail(self) -> None:
        url = reverse("campaign:campaign_detail", args=[self.county.pk])
        page = self.assertStatus(self.p.officer_b, "get", url, 200)
        self.assertContains(page, "查纠整改")
        self.assertStatus(self.p.officer_b, "post", url, 405)
        self.assertStatus(
            self.p.officer_b, "get", reverse("campaign:campaign_detail", args=[self.local.pk]), 404
        )
        # The system administrator holds no campaign work.
        self.assertStatus(self.p.sysadmin, "get", url, 404)
