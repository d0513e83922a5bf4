"""``seed_demo --counties N``: a province of synthetic counties around the demo county."""

from __future__ import annotations

import io

from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import TestCase

from zhengfa.campaign.models import Suggestion, Task
from zhengfa.core.site import identity
from zhengfa.core.testing import post_public_form
from zhengfa.mediation.models import Case
from zhengfa.org import demo
from zhengfa.org.models import Area, AreaLevel, Officer, Unit, User
from zhengfa.org.testing import DemoCountyTestCase
from zhengfa.study.models import Activity, Attendance


def _county_fingerprint(prefix: str) -> list[tuple[str, ...]]:
    return sorted(
        Officer.objects.filter(staff_number__startswith=prefix).values_list(
            "staff_number", "user__name", "unit__code", "unit__name", "position"
        )
    )


class ProvinceTests(TestCase):
    output: str

    @classmethod
    def setUpTestData(cls) -> None:
        out = io.StringIO()
        call_command("seed_demo", "--counties", "3", stdout=out)
        cls.output = out.getvalue()

    def test_the_tree_of_a_province(self) -> None:
        root = Unit.objects.get(parent=None)
        self.assertEqual(root.code, demo.PROVINCE_UNIT[0])
        kangbao = Unit.objects.get(code="ZFW")
        assert kangbao.parent is not None
        self.assertEqual(kangbao.parent.code, demo.CITY_UNIT[0])
        names = demo.county_names(3)
        self.assertEqual([code for code, _name, _city in names], ["X002", "X003"])
        for code, name, _city in names:
            committee = Unit.objects.get(code=f"{code}-ZFW")
            assert committee.parent is not None
            self.assertEqual(committee.parent.code, "XC01-ZFW")
            self.assertEqual(committee.name, f"中共{name}委政法委员会")
            villages = Area.objects.filter(code__startswith=f"{code}-", level=AreaLevel.VILLAGE)
            self.assertEqual(villages.count(), demo.VILLAGE_COUNT)
            # Kangbao's structure: the same units and the same number of officers.
            self.assertEqual(
                Unit.objects.filter(code__startswith=f"{code}-").count(),
                Unit.objects.filter(path__startswith=kangbao.path).count(),
            )
            self.assertEqual(
                Officer.objects.filter(unit__code__startswith=f"{code}-").count(),
                Officer.objects.filter(unit__path__startswith=kangbao.path)
                .exclude(staff_number__startswith="DEMO-")
                .count(),
            )
        # Ids given ahead: the next unit created the ordinary way does not collide.
        self.assertTrue(Unit.objects.create(name="新单位", code="NEW", kind="other").pk)

    def test_each_county_has_a_year_of_every_module(self) -> None:
        for code, _name, _city in demo.county_names(3):
            committee = Unit.objects.get(code=f"{code}-ZFW")
            within = {"unit__path__startswith": committee.path}
            activities = Activity.objects.filter(**within)
            self.assertGreater(activities.count(), 100)
            months = {a.starts_at.month for a in activities}
            self.assertEqual(months, set(range(2, 13)))
            self.assertGreater(Attendance.objects.filter(activity__in=activities).count(), 10_000)
            self.assertEqual(Task.objects.filter(**within).count(), 24)
            self.assertEqual(Suggestion.objects.filter(**within).count(), 48)
            cases = Case.objects.filter(organisation__path__startswith=committee.path)
            self.assertEqual(cases.count(), 240)
            self.assertEqual(
                set(cases.values_list("channel", flat=True)),
                {"people", "lawyer", "judicial", "admin"},
            )

    def test_committees_see_their_subtree(self) -> None:
        kangbao = Officer.objects.filter(unit__path__startswith=Unit.objects.get(code="ZFW").path)
        seen = {
            username: Officer.objects.visible_to(User.objects.get(username=username))
            for username in ("zfw", "zfw_city", "zfw_province")
        }
        self.assertEqual(seen["zfw"].count(), kangbao.count())
        self.assertFalse(seen["zfw_city"].filter(pk__in=kangbao).exists())
        self.assertEqual(
            seen["zfw_city"].count(),
            # The two synthetic counties and the city committee's demo account.
            Officer.objects.filter(staff_number__startswith="X").count() + 1,
        )
        self.assertEqual(seen["zfw_province"].count(), Officer.objects.count())

    def test_the_site_is_the_province(self) -> None:
        self.assertEqual(identity().owner, demo.PROVINCE_UNIT[1])
        self.assertIn("zfw_province", self.output)

    def test_idempotent(self) -> None:
        before = _county_fingerprint("X003-")
        out = io.StringIO()
        call_command("seed_demo", "--counties", "3", stdout=out)
        self.assertIn("officers +0", out.getvalue())
        self.assertNotIn("counties +", out.getvalue())
        self.assertEqual(before, _county_fingerprint("X003-"))

    def test_a_county_is_the_same_whatever_the_province(self) -> None:
        # The fourth county, built twice and rolled back: the same people in the same units;
        # and the names of the first counties do not change with N.
        self.assertEqual(demo.county_names(5)[:2], demo.county_names(3))
        code, name, city = demo.county_names(4)[-1]
        cities = demo.province_frame(4)
        prints = []
        for _ in range(2):
            with transaction.atomic():
                demo.build_county(4, code, name, cities[city])
                prints.append(_county_fingerprint(f"{code}-"))
                transaction.set_rollback(True)
        self.assertEqual(prints[0], prints[1])
        self.assertEqual(len(prints[0]), 600)


class ProvinceOverCountyTests(DemoCountyTestCase):
    def test_a_county_alone_is_not_turned_into_a_province(self) -> None:
        with self.assertRaisesMessage(CommandError, "empty database"):
            call_command("seed_demo", "--counties", "3", stdout=io.StringIO())
        self.assertFalse(Unit.objects.filter(code__startswith="X").exists())


class ProvincePortalTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", "--counties", "3", stdout=io.StringIO())

    def test_a_citizen_first_says_which_county(self) -> None:
        (code, name, _city), _other = demo.county_names(3)
        committee = Unit.objects.get(code=f"{code}-ZFW")
        picker = self.client.get("/opinion/")
        self.assertContains(picker, '<select name="county"')
        for county in ("康保县", name):
            self.assertContains(picker, f">{county}</option>")
        # Not a county: the form with "I don't know" alone, never a server error.
        for odd in ("²", "abc", "999999"):
            other = self.client.get("/opinion/", {"county": odd})
            self.assertEqual(other.status_code, 200)
            self.assertNotContains(other, "康保县公安局")
        form = self.client.get("/opinion/", {"county": committee.pk})
        self.assertContains(form, f"{name}公安局")
        self.assertNotContains(form, "康保县公安局")
        self.assertContains(form, f'name="county" value="{committee.pk}"')

    def test_i_dont_know_goes_to_the_county_chosen_or_to_the_province(self) -> None:
        (code, _name, _city), _other = demo.county_names(3)
        committee = Unit.objects.get(code=f"{code}-ZFW")
        text = "希望多到村里开展普法宣传,老人不会上网。"
        for county, expected in (
            (str(committee.pk), committee),
            ("", Unit.objects.get(parent=None)),
        ):
            answer = post_public_form(
                self.client,
                "/opinion/",
                {"county": county, "topic": "other", "content": text, "unit": "unknown"},
                page=f"/opinion/?county={county}",
            )
            self.assertEqual(answer.status_code, 302)
            self.assertEqual(Suggestion.objects.latest("pk").unit, expected)
        # A unit of another county is not among the choices of this one.
        kangbao_bureau = Unit.objects.get(code="GAJ")
        refused = post_public_form(
            self.client,
            "/opinion/",
            {"county": committee.pk, "topic": "other", "content": text, "unit": kangbao_bureau.pk},
            page=f"/opinion/?county={committee.pk}",
        )
        self.assertEqual(refused.status_code, 400)
