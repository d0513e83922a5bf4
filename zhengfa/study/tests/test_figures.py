"""The article's figures, computed by the selectors from the demo county's records."""

from __future__ import annotations

import datetime as dt
import re

from django.core.cache import cache

from zhengfa.org.models import Unit
from zhengfa.org.testing import DemoCountyTestCase, PersonaTestCase
from zhengfa.study import selectors
from zhengfa.study.models import Activity

START, END = dt.date(2021, 2, 27), dt.date(2021, 4, 15)


def article_figures(unit: Unit, start: dt.date, end: dt.date) -> dict[str, int | float]:
    """The study module's named indicators, as the registry gives them to reports."""
    from zhengfa.core.registry import registry

    found = {
        name.removeprefix("study."): indicator.compute(unit, start, end)
        for name, indicator in registry.indicators.items()
        if name.startswith("study.")
    }
    return {name: value for name, value in found.items() if value is not None}


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
        # Nothing of the demo's 2021 lies after 2021-04-15 (this week's study, built for the
        # demo accounts, is dated from the day it is built); a later window counts nothing.
        self.assertFalse(
            Activity.objects.filter(starts_at__date__gt=END, starts_at__year=2021).exists()
        )
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


class UnitRowsTests(DemoCountyTestCase):
    def test_a_station_counts_its_officers_wherever_they_studied(self) -> None:
        from zhengfa.study.models import Attendance

        bureau = Unit.objects.get(code="GAJ")
        station = Unit.objects.get(code="GAJ-S01")
        rows = {r.unit.code: r for r in selectors.figures_by_unit(bureau, START, END)}
        present = Attendance.objects.filter(
            status=Attendance.Status.PRESENT,
            officer__unit=station,
            activity__starts_at__date__gte=START,
            activity__starts_at__date__lte=END,
            activity__cancelled=False,
        ).count()
        self.assertGreater(present, 0)
        self.assertEqual(rows["GAJ-S01"].attended, present)
        # It organised none of them: that column says so, and it is a different question.
        self.assertEqual(rows["GAJ-S01"].sessions, 0)
        # The bureau's row holds its stations' officers too.
        self.assertGreaterEqual(
            rows["GAJ"].attended, sum(r.attended for code, r in rows.items() if code != "GAJ")
        )

    def test_the_unit_figures_are_kept_a_few_minutes_and_the_rows_are_not(self) -> None:
        from zhengfa.org.models import Officer, User
        from zhengfa.org.testing import signed_in_client
        from zhengfa.study.models import Attendance

        client = signed_in_client(User.objects.get(username="zfw"))
        url = "/staff/study/records/?start=2021-02-27&end=2021-04-15"
        first = client.get(url)
        self.assertContains(first, "数据截至")
        totals = first.context["per_unit"][0].person_times
        officer = first.context["officers"][0][0]
        attended = first.context["officers"][0][1].attended
        # One more sign-in: the officer's row shows it at once, the kept figures later.
        missed = (
            selectors.activities_in(Unit.objects.get(code="ZFW"), START, END)
            .exclude(attendances__officer=officer)
            .first()
        )
        assert missed is not None
        Attendance.objects.create(
            activity=missed,
            officer=Officer.objects.get(pk=officer.pk),
            status=Attendance.Status.PRESENT,
        )
        again = client.get(url)
        self.assertEqual(again.context["officers"][0][1].attended, attended + 1)
        self.assertEqual(again.context["per_unit"][0].person_times, totals)
        cache.clear()
        self.assertEqual(client.get(url).context["per_unit"][0].person_times, totals + 1)

    def test_the_records_page_opens_on_the_campaign_with_its_dates_shown(self) -> None:
        from zhengfa.org.models import User
        from zhengfa.org.testing import signed_in_client

        client = signed_in_client(User.objects.get(username="zfw"))
        page = client.get("/staff/study/records/")
        self.assertContains(page, 'name="start" value="2021-02-27"')
        self.assertContains(page, 'name="end" value="2021-06-30"')
        self.assertNotContains(page, "<td>0</td><td>0</td><td>0</td>")
        export = client.get("/staff/study/records/export.xlsx")
        self.assertIn(
            "filename*=utf-8''%E5%AD%A6%E4%B9%A0%E5%8F%B0%E8%B4%A6", export["Content-Disposition"]
        )
        # The named figure opens exactly the activities it counts.
        records = client.get(
            "/staff/study/records/?start=2021-02-27&end=2021-04-15"
        ).content.decode()
        link = re.search(r'<a href="([^"]*category=lecture_meeting[^"]*)">(\d+)</a>', records)
        assert link is not None
        listed = client.get(link.group(1).replace("&amp;", "&"))
        self.assertEqual(listed.context["page"].paginator.count, int(link.group(2)))
        self.assertEqual(int(link.group(2)), 24)
        # A figure opens the activities behind it.
        listed = client.get(
            "/staff/study/activities/?unit="
            f"{Unit.objects.get(code='ZFW').pk}&start=2021-02-27&end=2021-04-15"
        )
        self.assertEqual(
            listed.context["page"].paginator.count,
            selectors.activities_in(Unit.objects.get(code="ZFW"), START, END).count(),
        )


class ParticipationTests(PersonaTestCase):
    def test_overlapping_audiences_named_officers_and_walk_ins_are_counted_once(self) -> None:
        from django.utils import timezone

        from zhengfa.org.models import Officer
        from zhengfa.study import services
        from zhengfa.study.models import ActivityType

        start = timezone.now() - dt.timedelta(days=1)
        activity = services.activity_save(
            by=self.p.committee,
            title="交叉听众的讲座",
            type=ActivityType.objects.get(code="lecture"),
            unit=self.p.root,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            # The bureau with its stations, one station again alone, and an officer named
            # both inside the audience (station A) and outside it (the justice bureau).
            audience_units=[(self.p.bureau, True), (self.p.unit_a, False)],
            audience_officers=[
                self.p.officer_a_profile,
                Officer.objects.get(user=self.p.supervision),
            ],
            held=True,
            allow_walk_ins=True,
            notify_audience=False,
        )
        audience = selectors.audience_of(activity)
        outsider = Officer.objects.exclude(pk__in=audience).get(user=self.p.committee)
        services.sign_in_by_hand(
            activity=activity,
            officers=[self.p.officer_a_profile, self.p.officer_b_profile, outsider],
            by=self.p.committee,
        )
        self.assertEqual(
            selectors.participation([activity.pk]),
            # Everyone in the audience once; the walk-in signed in but is not of it.
            {activity.pk: (audience.count(), 2)},
        )
        self.assertEqual(
            audience.count(),
            Officer.objects.filter(unit__path__startswith=self.p.bureau.path).count() + 1,
        )
        # Someone who signed in and has since left is no longer of the audience, nor present.
        from zhengfa.org.models import OfficerStatus
        from zhengfa.study.models import Attendance

        Officer.objects.filter(pk=self.p.officer_b_profile.pk).update(status=OfficerStatus.LEFT)
        audience = selectors.audience_of(activity)
        came = Attendance.objects.filter(
            activity=activity, officer__in=audience, status=Attendance.Status.PRESENT
        ).count()
        self.assertEqual(
            selectors.participation([activity.pk]), {activity.pk: (audience.count(), came)}
        )
        self.assertEqual(came, 1)
