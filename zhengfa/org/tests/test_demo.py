from __future__ import annotations

import io

from django.core.management import call_command

from zhengfa.campaign.models import Campaign
from zhengfa.org import demo
from zhengfa.org.access import Role
from zhengfa.org.models import Area, AreaLevel, Officer, RoleAssignment, Unit, UnitKind, User
from zhengfa.org.testing import DemoCountyTestCase


class DemoCountyTests(DemoCountyTestCase):
    first_output: str
    snapshot: dict[str, list[tuple[str, ...]]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        out = io.StringIO()
        call_command("seed_demo", "--if-empty", stdout=out)
        cls.first_output = out.getvalue()
        cls.snapshot = {
            "officers": sorted(Officer.objects.values_list("staff_number", "user__name")),
            "units": sorted(Unit.objects.values_list("code", "name", "path")),
        }

    def test_the_county_and_its_townships(self) -> None:
        county = Area.objects.get(code="130723")
        assert county.parent is not None
        self.assertEqual((county.name, county.parent.name), ("康保县", "张家口市"))
        townships = set(
            Area.objects.filter(level=AreaLevel.TOWNSHIP).values_list("name", flat=True)
        )
        self.assertEqual(townships, set(demo.TOWNS + demo.TOWNSHIPS))
        self.assertEqual(len(townships), 15)
        self.assertEqual(Area.objects.filter(level=AreaLevel.VILLAGE).count(), 327)

    def test_units(self) -> None:
        count = lambda kind: Unit.objects.filter(kind=kind).count()  # noqa: E731
        self.assertEqual(count(UnitKind.COMMITTEE), 1)
        self.assertEqual(count(UnitKind.POLICE_STATION), 15)
        self.assertEqual(count(UnitKind.JUSTICE_OFFICE), 15)
        self.assertEqual(count(UnitKind.TRIBUNAL), 3)
        self.assertEqual(count(UnitKind.MEDIATION_COMMITTEE), 327)
        for kind in (
            UnitKind.COURT,
            UnitKind.PROCURATORATE,
            UnitKind.POLICE,
            UnitKind.JUSTICE,
            UnitKind.ADMIN_DISPUTE_CENTRE,
            UnitKind.LAWYER_STUDIO,
            UnitKind.LITIGATION_MEDIATION,
        ):
            self.assertEqual(count(kind), 1, kind)
        # Each police station covers its township and the township's villages.
        station = Unit.objects.get(code="GAJ-S01")
        self.assertEqual(station.name, "康保镇派出所")
        self.assertEqual(
            station.areas.filter(level=AreaLevel.VILLAGE).count(),
            Area.objects.filter(parent__name="康保镇").count(),
        )
        root = Unit.objects.get(parent=None)
        self.assertTrue(all(u.path.startswith(root.path) for u in Unit.objects.all()))

    def test_built_with_the_audit_log_off(self) -> None:
        # A demo is nobody's change: building it writes no audit entries.
        from auditlog.models import LogEntry

        self.assertTrue(Officer.objects.exists())
        self.assertFalse(LogEntry.objects.exists())

    def test_about_six_hundred_synthetic_officers(self) -> None:
        self.assertTrue(580 <= Officer.objects.count() <= 620, Officer.objects.count())
        self.assertTrue(Officer.objects.filter(is_auxiliary=True).count() > 50)

    def test_demo_accounts_one_per_role(self) -> None:
        expected = {
            "sysadmin": Role.SYSADMIN,
            "zfw": Role.COMMITTEE,
            "fy_leader": Role.LEADER,
            "gaj_leader": Role.LEADER,
            "pcs_a": Role.OFFICER,
            "pcs_b": Role.OFFICER,
            "jiancha": Role.SUPERVISION,
            "tiaojie": Role.MEDIATOR,
        }
        for username, role in expected.items():
            user = User.objects.get(username=username)
            self.assertTrue(RoleAssignment.objects.filter(user=user, role=role).exists(), username)
            self.assertTrue(user.check_password("Kangbao#2021"), username)
            self.assertIn(username, self.first_output)
        a = Officer.objects.get(user__username="pcs_a").unit
        b = Officer.objects.get(user__username="pcs_b").unit
        self.assertNotEqual(a, b)
        self.assertEqual({a.kind, b.kind}, {UnitKind.POLICE_STATION})

    def test_campaign_with_three_phases(self) -> None:
        campaign = Campaign.objects.get()
        self.assertEqual(
            [p.name for p in campaign.phases.all()], ["学习教育", "查纠整改", "总结提升"]
        )
        self.assertEqual(
            (campaign.starts_on.isoformat(), campaign.ends_on.isoformat()),
            ("2021-02-27", "2021-06-30"),
        )

    def test_a_year_of_mediation_in_the_four_channels(self) -> None:
        from django.db.models import Count

        from zhengfa.mediation.models import Case, Confirmation, Referral

        by_channel = dict(Case.objects.values_list("channel").annotate(n=Count("pk")))
        self.assertEqual(set(by_channel), {"people", "lawyer", "judicial", "admin"})
        # People's mediation carries most of the county's disputes.
        self.assertGreater(by_channel["people"], sum(by_channel.values()) / 2)
        # The court's 委派 and 委托 reach its platforms, and villages pass cases to the court.
        flow = set(Referral.objects.values_list("from_organisation__code", "to_organisation__code"))
        self.assertIn(("FY", "FY-LSTJ"), flow)
        self.assertIn(("FY", "FY-SSTJ"), flow)
        self.assertTrue(any(to == "FY-SSTJ" and fr.startswith("SFJ-S") for fr, to in flow))
        self.assertTrue(Confirmation.objects.filter(state="confirmed").exists())
        # The demo mediator finds open work of his committee.
        tiaojie = User.objects.get(username="tiaojie")
        self.assertTrue(Case.objects.visible_to(tiaojie).open().exists())

    def test_idempotent_and_deterministic(self) -> None:
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        self.assertIn("officers +0", out.getvalue())
        self.assertIn("campaigns +0", out.getvalue())
        self.assertIn("mediation cases +0", out.getvalue())
        self.assertEqual(
            self.snapshot["officers"],
            sorted(Officer.objects.values_list("staff_number", "user__name")),
        )
        self.assertEqual(
            self.snapshot["units"], sorted(Unit.objects.values_list("code", "name", "path"))
        )
        skipped = io.StringIO()
        call_command("seed_demo", "--if-empty", stdout=skipped)
        self.assertIn("not loaded", skipped.getvalue())

    def test_same_people_on_a_fresh_build(self) -> None:
        # Deleting a few officers and rebuilding recreates exactly them.
        victims = list(
            Officer.objects.filter(staff_number__startswith="JC").order_by("staff_number")[:3]
        )
        names = [(o.staff_number, o.user.name, o.id_number) for o in victims]
        from zhengfa.campaign.models import GroupMember
        from zhengfa.rectify.models import Declaration, Inquiry, LedgerItem
        from zhengfa.study.models import Attendance, Note, OnlineStudy, Reflection

        LedgerItem.objects.filter(declaration__officer__in=victims).delete()
        for model in (Attendance, Note, OnlineStudy, Reflection, Declaration, Inquiry, GroupMember):
            model.objects.filter(officer__in=victims).delete()
        for o in victims:
            user = o.user
            o.delete()
            user.delete()
        demo.build("Kangbao#2021")
        again = [
            (o.staff_number, o.user.name, o.id_number)
            for o in Officer.objects.filter(staff_number__in=[n[0] for n in names]).order_by(
                "staff_number"
            )
        ]
        self.assertEqual(again, names)
