"""The article's figures, computed by the selectors from the demo county's records."""

from __future__ import annotations

import datetime as dt

from zhengfa.org.models import Unit
from zhengfa.org.testing import DemoCountyTestCase
from zhengfa.study import selectors
from zhengfa.study.models import Activity

START, END = dt.date(2021, 2, 27), dt.date(2021, 4, 15)


def article_figures(unit: Unit, start: dt.date, end: dt.date) -> dict[str, int | float]:
    """The study module's named indicators, as the registry gives them to reports."""
    from zhengfa.core.registry import registry

    return {
        name.removeprefix("study."): indicator.compute(unit, start, end)
        for name, indicator in registry.indicators.items()
        if name.startswith("study.")
    }


class ArticleFiguresTests(DemoCountyTestCase):
    root: Unit

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = Unit.objects.get(code="ZFW")

    def test_the_figures_of_the_article(self) -> None:
        figures = article_figures(self.root, START, END)
        self.assertEqual(figures["lectures_and_meetings"], 24)
        self.assertGreaterEqual(figures["training_person_times"], 5300)  # "5300余人次"
        self.assertLess(figures["training_person_times"], 5400)
        self.assertEqual(figures["revolutionary_education"], 1)
        self.assertEqual(figures["party_lectures_by_secretary"], 1)
        self.assertEqual(figures["booklets"], 1527)
        self.assertEqual(figures["integrity_lectures"], 1)

    def test_sessions_by_type(self) -> None:
        by_type = selectors.sessions_by_type(self.root, START, END)
        self.assertEqual(by_type["lecture"] + by_type["meeting"], 24)
        self.assertEqual(by_type["party_lecture"], 1)

    def test_evidence_on_most_but_not_all(self) -> None:
        share = selectors.evidence_completeness(self.root, START, END)
        self.assertGreater(share, 0.6)
        self.assertLess(share, 1.0)
        self.assertGreater(selectors.participation_rate(self.root, START, END), 0.8)

    def test_a_unit_sees_its_own_figures(self) -> None:
        police = Unit.objects.get(code="GAJ")
        figures = article_figures(police, START, END)
        self.assertLess(figures["training_person_times"], 5300)
        self.assertEqual(figures["party_lectures_by_secretary"], 0)  # given at the county
        self.assertGreater(selectors.booklets_distributed(police, START, END), 0)

    def test_only_to_the_cut_off(self) -> None:
        # Nothing of the demo lies after 2021-04-15; a later window counts nothing.
        self.assertFalse(Activity.objects.filter(starts_at__date__gt=END).exists())
        self.assertEqual(
            article_figures(self.root, dt.date(2021, 4, 16), dt.date(2021, 12, 31))[
                "lectures_and_meetings"
            ],
            0,
        )

    def test_set_based_participation_equals_counting_person_by_person(self) -> None:
        from zhengfa.study.models import Attendance

        expected = present = 0
        ended = selectors.activities_in(self.root, START, END).filter(required=True)
        for activity in ended:
            audience = selectors.audience_of(activity)
            expected += audience.count()
            present += Attendance.objects.filter(
                activity=activity, officer__in=audience, status=Attendance.Status.PRESENT
            ).count()
        self.assertGreater(expected, 1000)
        self.assertAlmostEqual(
            selectors.participation_rate(self.root, START, END), present / expected
        )
        rows = {r.unit.code: r for r in selectors.figures_by_unit(self.root, START, END)}
        county = rows["ZFW"]
        self.assertEqual(county.sessions, selectors.activities_in(self.root, START, END).count())
        self.assertEqual(county.person_times, selectors.person_times(self.root, START, END))
        self.assertEqual((county.expected, county.present), (expected, present))
        self.assertAlmostEqual(
            county.evidence, selectors.evidence_completeness(self.root, START, END)
        )
        police = rows["GAJ"]
        self.assertEqual(police.person_times, selectors.person_times(police.unit, START, END))
        self.assertLess(police.sessions, county.sessions)
