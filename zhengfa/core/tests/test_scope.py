from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from zhengfa.core.scope import Grant, can, collapse_paths, get_scoped_or_404, grant_for, may
from zhengfa.org import services
from zhengfa.org.access import Role, _assignments
from zhengfa.org.models import Officer, RoleAssignment, Unit, User
from zhengfa.org.testing import PersonaTestCase


class VisibleToTests(PersonaTestCase):
    def names(self, user: Any, action: str = "view") -> set[str]:
        return set(Officer.objects.visible_to(user, action).values_list("staff_number", flat=True))

    def test_committee_sees_the_whole_county_but_changes_nothing(self) -> None:
        self.assertEqual(
            self.names(self.p.committee), {"Z001", "A001", "A002", "A003", "B001", "B002", "Z002"}
        )
        self.assertEqual(self.names(self.p.committee, "change"), set())

    def test_leader_sees_and_changes_his_subtree_only(self) -> None:
        self.assertEqual(self.names(self.p.leader_a), {"A001", "A002", "A003"})
        self.assertEqual(self.names(self.p.leader_a, "change"), {"A001", "A002", "A003"})

    def test_officer_sees_only_himself(self) -> None:
        self.assertEqual(self.names(self.p.officer_a), {"A002"})
        self.assertEqual(self.names(self.p.officer_a, "change"), set())

    def test_anonymous_and_inactive_see_nothing(self) -> None:
        self.assertEqual(self.names(AnonymousUser()), set())
        self.assertEqual(self.names(None), set())
        self.p.leader_a.is_active = False
        self.assertEqual(self.names(self.p.leader_a), set())

    def test_roles_combine(self) -> None:
        services.role_assign(user=self.p.officer_a, role=Role.CLERK, unit=self.p.unit_b)
        self.assertEqual(self.names(self.p.officer_a), {"A002", "B001", "B002"})
        self.assertEqual(self.names(self.p.officer_a, "change"), {"B001", "B002"})

    def test_a_role_removed_or_moved_counts_on_the_next_request(self) -> None:
        # What each person holds is kept in the cache; every change must reach it.
        def fresh(user: Any) -> Any:
            return User.objects.get(pk=user.pk)  # a new request loads the account anew

        self.assertEqual(self.names(fresh(self.p.leader_a)), {"A001", "A002", "A003"})
        RoleAssignment.objects.filter(user=self.p.leader_a, role=Role.LEADER).delete()
        self.assertEqual(self.names(fresh(self.p.leader_a)), {"A001"})
        # An officer moved to another unit: his officer role follows him (a bulk update).
        before = _assignments(fresh(self.p.officer_a))
        self.assertIn((Role.OFFICER, self.p.unit_a.path), before)
        officer = self.p.officer_a_profile
        officer.unit = self.p.unit_b
        services.officer_update(officer=officer, by=self.p.sysadmin, name=officer.user.name)
        after = _assignments(fresh(self.p.officer_a))
        self.assertIn((Role.OFFICER, self.p.unit_b.path), after)
        self.assertNotIn((Role.OFFICER, self.p.unit_a.path), after)

    def test_units_are_scoped_by_path(self) -> None:
        visible = set(Unit.objects.visible_to(self.p.leader_a).values_list("code", flat=True))
        self.assertEqual(visible, {"PCS-A"})
        self.assertEqual(Unit.objects.visible_to(self.p.committee).count(), 6)

    def test_a_sibling_whose_number_starts_alike_is_not_inside(self) -> None:
        # Unit 90001 and unit 900010: written without fixed width and a separator, the
        # second path would start with the first, and its officers would leak.
        near = Unit.objects.create(
            pk=90001, name="近", code="NEAR", kind="other", parent=self.p.bureau
        )
        far = Unit.objects.create(
            pk=900010, name="远", code="FAR", kind="other", parent=self.p.bureau
        )
        for unit in (near, far):
            unit.path = unit.compute_path()
            unit.save(update_fields=["path"])
        services.officer_create(unit=far, name="远处民警", staff_number="F001")
        boss = services.user_create(username="near_boss", name="近所长")
        services.role_assign(user=boss, role=Role.LEADER, unit=near)
        self.assertEqual(self.names(boss), set())
        self.assertFalse(grant_for(boss, "org", "view").covers(far))
        self.assertEqual(list(Unit.objects.within(near)), [near])

    def test_get_scoped_or_404(self) -> None:
        pk = self.p.officer_b_profile.pk
        with self.assertRaises(Http404):
            get_scoped_or_404(Officer, self.p.officer_a, pk=pk)
        with self.assertRaises(PermissionDenied):
            get_scoped_or_404(Officer, self.p.committee, "change", pk=pk)
        self.assertEqual(get_scoped_or_404(Officer, self.p.committee, pk=pk).pk, pk)
        with self.assertRaises(Http404):
            get_scoped_or_404(Officer, self.p.committee, pk="not-a-number")

    def test_each_domain_grants_only_what_its_module_declares(self) -> None:
        self.assertFalse(can(self.p.committee, "org", "change"))
        self.assertTrue(can(self.p.committee, "audit", "view"))
        self.assertFalse(can(self.p.leader_a, "audit", "view"))
        self.assertFalse(can(self.p.sysadmin, "work", "view"))
        self.assertFalse(can(self.p.committee, "no-such-domain", "view"))


class GrantTests(PersonaTestCase):
    def test_covers_and_the_unit_holding_a_grant(self) -> None:
        grant = grant_for(self.p.committee, "work", "assign")
        self.assertTrue(grant.covers(self.p.unit_a))
        self.assertTrue(grant.covers(self.p.root))
        self.assertEqual(grant.holder(self.p.unit_a), self.p.root.path)
        self.assertIsNone(grant.holder(self.p.root))
        leader = grant_for(self.p.leader_a, "work", "assign")
        self.assertFalse(leader.covers(self.p.unit_b))
        self.assertTrue(grant.at_root and not leader.at_root)
        self.assertTrue(Grant([]).empty)

    def test_units_granted_to_a_user_in_any_domain(self) -> None:
        below = Unit.objects.granted_to(self.p.leader_a, "work", "assign", strictly_below=True)
        self.assertEqual(list(below), [])
        self.assertEqual(
            list(Unit.objects.granted_to(self.p.leader_a, "work", "change")), [self.p.unit_a]
        )
        county = Unit.objects.granted_to(self.p.committee, "work", "assign", strictly_below=True)
        self.assertEqual(set(county), set(Unit.objects.exclude(pk=self.p.root.pk)))
        self.assertEqual(set(Unit.objects.granted_to(self.p.officer_a, "work", "change")), set())

    def test_within_a_subtree_and_may_for_one_record(self) -> None:
        self.assertEqual(
            set(Officer.objects.within(self.p.bureau).values_list("staff_number", flat=True)),
            {"A001", "A002", "A003", "B001", "B002"},
        )
        self.assertTrue(may(self.p.leader_a, "change", self.p.officer_a_profile))
        self.assertFalse(may(self.p.leader_a, "change", self.p.officer_b_profile))
        self.assertFalse(may(self.p.committee, "change", self.p.officer_a_profile))


class AccountScopeTests(PersonaTestCase):
    """Accounts lie in every unit they hold a role or a profile in (multi-unit scope)."""

    def test_an_account_is_reached_only_where_all_its_units_are(self) -> None:
        station_admin = services.user_create(username="station_admin", name="所管理员")
        services.role_assign(user=station_admin, role=Role.SYSADMIN, unit=self.p.unit_a)
        reached = set(User.objects.visible_to(station_admin, "admin"))
        self.assertIn(self.p.officer_a, reached)
        self.assertNotIn(self.p.officer_b, reached)
        # The leader of A who also leads the county bureau is beyond a station's admin.
        services.role_assign(user=self.p.leader_a, role=Role.LEADER, unit=self.p.bureau)
        self.assertNotIn(self.p.leader_a, set(User.objects.visible_to(station_admin, "admin")))
        # An account with no unit yet belongs to the top of the tree.
        loose = services.user_create(username="loose", name="未分配")
        self.assertNotIn(loose, set(User.objects.visible_to(station_admin, "admin")))
        self.assertIn(loose, set(User.objects.visible_to(self.p.sysadmin, "admin")))
        self.assertEqual(User.objects.visible_to(self.p.committee, "admin").count(), 0)
        # A subtree of one unit means nothing for records in several: said, not guessed.
        with self.assertRaises(TypeError):
            User.objects.within(self.p.unit_a)
        with self.assertRaises(TypeError):
            User.objects.granted_to(self.p.sysadmin, "org", "admin", strictly_below=True)


def test_collapse_paths() -> None:
    assert collapse_paths(["000001.000002.", "000001.", "000003."]) == ["000001.", "000003."]
    assert collapse_paths(["000001.", "000010."]) == ["000001.", "000010."]
