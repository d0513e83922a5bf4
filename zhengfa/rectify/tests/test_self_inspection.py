"""Self-inspection rounds and forms, the inquiry register, the problem categories."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from zhengfa.org.testing import PersonaTestCase
from zhengfa.rectify import selectors
from zhengfa.rectify.models import (
    Declaration,
    Inquiry,
    LedgerItem,
    ProblemCategory,
    Round,
)

from .factories import category, county_round, declare, inquiry_by_a


def _form_data(**declared: str) -> dict[str, str]:
    data = {}
    for c in ProblemCategory.objects.filter(is_active=True):
        text = declared.get(c.code, "")
        data[f"has_{c.pk}"] = "1" if text else "0"
        data[f"text_{c.pk}"] = text
    return data


class RoundTests(PersonaTestCase):
    def test_the_committee_opens_a_round_and_a_past_deadline_is_refused(self) -> None:
        from zhengfa.campaign.tests.factories import county_campaign

        campaign = county_campaign(self.p)
        client = self.client_for(self.p.committee)
        data = {
            "campaign": campaign.pk,
            "unit": self.p.root.pk,
            "title": "自查自纠",
            "deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "units": [self.p.bureau.pk],
        }
        refused = client.post(reverse("rectify:round_create"), data)
        self.assertContains(refused, "时限不能早于今天", status_code=400)
        self.assertFalse(Round.objects.exists())
        data["deadline"] = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
        done = client.post(reverse("rectify:round_create"), data)
        opened = Round.objects.get()
        self.assertRedirects(done, opened.get_absolute_url())
        # The bureau's officers are covered; the justice bureau's are not.
        self.assertTrue(selectors.rounds_for(self.p.officer_a_profile).exists())
        mine = reverse("rectify:declaration_mine", args=[opened.pk])
        self.assertEqual(self.client_for(self.p.officer_a).get(mine).status_code, 200)
        self.assertEqual(self.client_for(self.p.mediator).get(mine).status_code, 404)


class DeclarationTests(PersonaTestCase):
    def setUp(self) -> None:
        self.round = county_round(self.p)
        self.url = reverse("rectify:declaration_mine", args=[self.round.pk])
        self.client = self.client_for(self.p.officer_a)

    def test_save_then_submit_with_one_problem(self) -> None:
        saved = self.client.post(self.url, {**_form_data(business="入股商店"), "save": ""})
        self.assertRedirects(saved, self.url)
        draft = Declaration.objects.get()
        self.assertFalse(draft.is_submitted)
        self.assertFalse(LedgerItem.objects.exists())  # nothing on the ledger before submitting
        page = self.client.get(self.url)
        self.assertContains(page, "入股商店")
        done = self.client.post(self.url, {**_form_data(business="入股商店"), "submit": ""})
        draft.refresh_from_db()
        self.assertRedirects(done, draft.get_absolute_url())
        self.assertTrue(draft.is_submitted)
        item = LedgerItem.objects.get()
        self.assertEqual((item.category.code, item.problem), ("business", "入股商店"))
        self.assertEqual(item.source, "self")

    def test_a_problem_chosen_without_words_is_asked_for(self) -> None:
        data = _form_data()
        data[f"has_{category().pk}"] = "1"
        response = self.client.post(self.url, {**data, "submit": ""})
        self.assertContains(response, "请描述问题", status_code=400)
        self.assertFalse(Declaration.objects.exists())

    def test_a_second_submission_is_refused_and_an_amendment_is_a_new_version(self) -> None:
        first = declare(self.p, self.round)
        again = self.client.post(self.url, {**_form_data(other="迟到"), "submit": ""})
        self.assertContains(again, "已经提交", status_code=400)
        self.assertEqual(Declaration.objects.count(), 1)
        amend = reverse("rectify:declaration_amend", args=[self.round.pk])
        self.assertRedirects(self.client.post(amend), self.url)
        self.client.post(
            self.url,
            {**_form_data(business="以亲属名义入股一家商店。", other="迟到"), "submit": ""},
        )
        versions = list(Declaration.objects.order_by("version"))
        self.assertEqual([v.version for v in versions], [1, 2])
        self.assertTrue(all(v.is_submitted for v in versions))
        first.refresh_from_db()
        self.assertEqual(first.items.exclude(description="").count(), 1)  # kept as it was
        # Only the newly declared problem is added to the ledger.
        self.assertEqual(
            sorted(LedgerItem.objects.values_list("category__code", flat=True)),
            ["business", "other"],
        )

    def test_completion_by_unit_counts_without_contents(self) -> None:
        declare(self.p, self.round)
        rows = {r.unit.code: r for r in selectors.completion(self.round, self.p.leader_a)}
        self.assertEqual(list(rows), ["PCS-A"])
        self.assertEqual((rows["PCS-A"].expected, rows["PCS-A"].submitted), (3, 1))
        everywhere = selectors.completion(self.round, self.p.committee)
        self.assertEqual(sum(r.submitted for r in everywhere), 1)
        self.assertGreater(sum(r.expected for r in everywhere), 3)
        self.assertEqual(selectors.completion(self.round, self.p.officer_a), [])


class InquiryTests(PersonaTestCase):
    def test_record_and_who_reads_it(self) -> None:
        client = self.client_for(self.p.officer_a)
        bad = client.post(
            reverse("rectify:inquiry_create"),
            {
                "asker_kind": "leader",
                "asker": "某局副局长",
                "case_number": "(2021)冀0723刑初1号",
                "case_organ": "县法院",
                "asked_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
                "manner": "phone",
                "content": "问案情",
                "handling": "拒绝",
            },
        )
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(Inquiry.objects.exists())
        record = inquiry_by_a(self.p)
        url = reverse("rectify:inquiry_detail", args=[record.pk])
        for who, status in [
            (self.p.officer_a, 200),
            (self.p.supervision, 200),
            (self.p.committee, 200),
            (self.p.officer_b, 404),
            (self.p.leader_a, 404),
        ]:
            self.assertStatus(who, "get", url, status)
        page = self.client_for(self.p.committee).get(reverse("rectify:inquiry_list"))
        self.assertContains(page, self.p.unit_a.name)
        # Counted by the units one level below the committee: the station counts in its bureau.
        self.assertEqual(
            selectors.inquiries_by_branch(Inquiry.objects.all(), self.p.committee),
            [(self.p.bureau.name, [0, 0, 1, 0, 0], 1)],
        )
        self.assertEqual(selectors.inquiries_by_branch(Inquiry.objects.all(), self.p.officer_a), [])
        today = timezone.localdate()
        self.assertEqual(selectors.inquiries_by_kind(self.p.root, today, today), {"relative": 1})


class CategoryTests(PersonaTestCase):
    def test_seeded_with_the_six_and_kept_by_the_committee(self) -> None:
        self.assertEqual(ProblemCategory.objects.count(), 7)
        client = self.client_for(self.p.committee)
        done = client.post(
            reverse("rectify:category_create"),
            {
                "code": "former_lawyers",
                "name": "离任后违规从事律师职业",
                "order": 70,
                "is_active": "on",
            },
        )
        self.assertRedirects(done, reverse("rectify:category_list"))
        merged = category("family_business")
        client.post(
            reverse("rectify:category_edit", args=[merged.pk]),
            {"name": merged.name, "order": merged.order},  # unticked: retired
        )
        merged.refresh_from_db()
        self.assertFalse(merged.is_active)
        self.assertEqual(ProblemCategory.objects.filter(is_active=True).count(), 7)
        twice = client.post(
            reverse("rectify:category_create"),
            {"code": "former_lawyers", "name": "重复", "order": 1},
        )
        self.assertEqual(twice.status_code, 400)
        self.assertStatus(self.p.leader_a, "post", reverse("rectify:category_create"), 403)
