"""The dashboard: figures by the five 过硬, each opening exactly the records it counts, for
the person's own units only; and the view matrix of the reports pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from zhengfa.org.models import Officer, Unit, User
from zhengfa.org.testing import PersonaTestCase
from zhengfa.service.models import VolunteerActivity
from zhengfa.service.services import activity_save


def _activities(unit: Unit, profile: Officer, by: User, n: int) -> list[VolunteerActivity]:
    made = []
    for i in range(n):
        made.append(
            activity_save(
                activity=VolunteerActivity(
                    title=f"普法宣传{unit.code}{i}",
                    unit=unit,
                    held_on=timezone.localdate() - dt.timedelta(days=i + 1),
                    place="村委会",
                    hours=Decimal(2),
                ),
                officers=[profile],
                by=by,
            )
        )
    return made


class DashboardTests(PersonaTestCase):
    def setUp(self) -> None:
        self.a = _activities(self.p.unit_a, self.p.officer_a_profile, self.p.leader_a, 3)
        self.b = _activities(self.p.unit_b, self.p.officer_b_profile, self.p.leader_b, 2)
        today = timezone.localdate()
        self.query = f"start={today - dt.timedelta(days=30)}&end={today}"

    def drill(self, user: User, unit: Unit) -> Any:
        url = reverse("reports:drill", args=["service.volunteer_activities"])
        return self.client_for(user).get(f"{url}?unit={unit.pk}&{self.query}")

    def test_the_figure_opens_exactly_the_records_it_counts(self) -> None:
        page = self.assertStatus(
            self.p.committee, "get", f"{reverse('reports:dashboard')}?{self.query}", 200
        ).content.decode()
        for pillar in ("政治过硬", "业务过硬", "责任过硬", "纪律过硬", "作风过硬"):
            self.assertIn(pillar, page)
        link = re.search(
            r'href="([^"]+)" class="figure-value" '
            r'data-figure="service.volunteer_activities">(\d+)<',
            page,
        )
        assert link is not None
        self.assertEqual(link.group(2), "5")
        listed = self.client_for(self.p.committee).get(link.group(1).replace("&amp;", "&"))
        self.assertEqual(listed.status_code, 200)
        titles = re.findall(r"普法宣传[\w-]+", listed.content.decode())
        self.assertEqual(sorted(titles), sorted(a.title for a in self.a + self.b))
        # A station's leader: his own station's three, never the other's.
        own = self.drill(self.p.leader_a, self.p.unit_a).content.decode()
        self.assertEqual(
            sorted(re.findall(r"普法宣传[\w-]+", own)), sorted(a.title for a in self.a)
        )

    def test_a_leader_cannot_drill_into_a_siblings_records(self) -> None:
        self.assertEqual(self.drill(self.p.leader_a, self.p.unit_b).status_code, 404)
        self.assertEqual(self.drill(self.p.leader_a, self.p.root).status_code, 404)
        url = f"{reverse('reports:dashboard')}?unit={self.p.unit_b.pk}&{self.query}"
        self.assertStatus(self.p.leader_a, "get", url, 404)
        self.assertStatus(
            self.p.leader_a, "get", f"{reverse('reports:brief')}?unit={self.p.unit_b.pk}", 404
        )
        self.assertStatus(self.p.leader_a, "get", f"{reverse('reports:dashboard')}?unit=x", 404)

    def test_an_unknown_figure_is_not_found(self) -> None:
        url = reverse("reports:drill", args=["no.such_figure"])
        self.assertStatus(self.p.committee, "get", url, 404)
        # A rate has no list of records behind it.
        url = reverse("reports:drill", args=["mediation.success_rate"])
        self.assertStatus(self.p.committee, "get", url, 404)

    def test_bad_dates_are_said_at_the_form(self) -> None:
        url = f"{reverse('reports:dashboard')}?start=2021-04-15&end=2021-02-27"
        response = self.client_for(self.p.committee).get(url)
        self.assertContains(response, "结束日期早于开始日期", status_code=400)
        future = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
        response = self.client_for(self.p.committee).get(
            f"{reverse('reports:brief')}?start={future}"
        )
        self.assertContains(response, "统计期间尚未开始", status_code=400)
