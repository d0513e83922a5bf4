"""The demo county's service to the people, as ``seed_demo`` builds it."""

from __future__ import annotations

import datetime as dt

from zhengfa.core.registry import registry
from zhengfa.org.models import Area, AreaLevel, Unit
from zhengfa.org.testing import DemoCountyTestCase
from zhengfa.service.models import (
    Appointment,
    HomeVisit,
    HomeVisitState,
    Measure,
    VillageGroup,
    VillagePost,
)

START, END = dt.date(2021, 2, 27), dt.date(2021, 4, 15)


class ServiceDemoTests(DemoCountyTestCase):
    def figure(self, name: str, start: dt.date = START, end: dt.date = END) -> float:
        value = registry.indicators[name].compute(Unit.objects.get(code="ZFW"), start, end)
        assert value is not None, name  # the modules' counts are never "no data"
        return value

    def test_every_village_has_an_officer_and_most_a_group(self) -> None:
        villages = Area.objects.filter(level=AreaLevel.VILLAGE).count()
        self.assertEqual(VillagePost.objects.filter(ends_on__isnull=True).count(), villages)
        self.assertGreater(VillageGroup.objects.count(), villages * 0.7)

    def test_the_article_figures_of_service(self) -> None:
        self.assertEqual(self.figure("service.volunteer_activities"), 27)
        self.assertEqual(self.figure("service.measures"), 12)
        self.assertGreater(self.figure("service.volunteer_participations"), 27 * 4 - 1)

    def test_holiday_appointments_over_the_spring_festival(self) -> None:
        festival = (dt.date(2021, 2, 11), dt.date(2021, 2, 17))
        holiday = self.figure("service.holiday_appointments", *festival)
        self.assertGreater(holiday, 20)
        self.assertEqual(holiday, self.figure("service.appointments", *festival))
        self.assertTrue(Appointment.objects.filter(holiday=False).exists())

    def test_home_visits_and_measures_at_various_stages(self) -> None:
        self.assertGreater(HomeVisit.objects.filter(state=HomeVisitState.DONE).count(), 20)
        self.assertTrue(HomeVisit.objects.filter(state=HomeVisitState.DECLINED).exists())
        states = set(Measure.objects.filter(parent__isnull=True).values_list("state", flat=True))
        self.assertGreaterEqual(len(states), 3)
        whole = Measure.objects.filter(parts__isnull=False).distinct().get()
        self.assertEqual(whole.parts.count(), 3)
