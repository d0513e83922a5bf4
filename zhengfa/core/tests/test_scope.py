from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from zhengfa.core.scope import can, collapse_paths, get_scoped_or_404
from zhengfa.core.testing import PersonaTestCase
from zhengfa.org import services
from zhengfa.org.access import Role
from zhengfa.org.models import Officer, Unit


class VisibleToTests(PersonaTestCase):
    def names(self, user: Any, action: str = "view") -> set[str]:
        return set(Officer.objects.visible_to(user, action).values_list("staff_number", flat=True))

    def test_committee_sees_the_whole_county_but_changes_nothing(self) -> None:
        self.assertEqual(self.names(self.p.committee), {"Z001", "A001", "A002", "B002", "Z002"})
        self.assertEqual(self.names(self.p.committee, "change"), set())

    def test_leader_sees_and_changes_his_subtree_only(self) -> None:
        self.assertEqual(self.names(self.p.leader_a), {"A001", "A002"})
        self.assertEqual(self.names(self.p.leader_a, "change"), {"A001", "A002"})

    def test_officer_sees_only_himself(self) -> None:
        self.assertEqual(self.names(self.p.officer_a), {"A002"})
        self.assertEqual(self.names(self.p.officer_a, "change"), set())

    def test_anonymous_and_inactive_see_nothing(self) -> None:
        self.assertEqual(self.names(AnonymousUser()), set())
        self.p.leader_a.is_active = False
        self.assertEqual(self.names(self.p.leader_a), set())

    def test_roles_combine(self) -> None:
        services.role_assign(user=self.p.officer_a, role=Role.CLERK, unit=self.p.unit_b)
        self.assertEqual(self.names(self.p.officer_a), {"A002", "B002"})
        self.assertEqual(self.names(self.p.officer_a, "change"), {"B002"})

    def test_units_are_scoped_by_path(self) -> None:
        visible = set(Unit.objects.visible_to(self.p.leader_a).values_list("code", flat=True))
        self.assertEqual(visible, {"PCS-A"})
        self.assertEqual(Unit.objects.visible_to(self.p.committee).count(), 4)

    def test_sibling_with_common_prefix_is_not_inside(self) -> None:
        # Paths are fixed-width, so unit 1 is never taken for a parent of unit 10.
        self.assertTrue(all(len(p) % 7 == 0 for p in Unit.objects.values_list("path", flat=True)))

    def test_get_scoped_or_404(self) -> None:
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        pk = self.p.officer_b_profile.pk
        with self.assertRaises(Http404):
            get_scoped_or_404(Officer, self.p.officer_a, pk=pk)
        with self.assertRaises(PermissionDenied):
            get_scoped_or_404(Officer, self.p.committee, "change", pk=pk)
        self.assertEqual(get_scoped_or_404(Officer, self.p.committee, pk=pk).pk, pk)

    def test_supervision_domain_is_not_granted_by_org_roles(self) -> None:
        self.assertFalse(can(self.p.committee, "org", "change"))
        self.assertTrue(can(self.p.committee, "audit", "view"))
        self.assertFalse(can(self.p.leader_a, "audit", "view"))
        self.assertFalse(can(self.p.sysadmin, "work", "view"))


def test_collapse_paths() -> None:
    assert collapse_paths(["000001.000002.", "000001.", "000003."]) == ["000001.", "000003."]
    assert collapse_paths(["000001.", "000010."]) == ["000001.", "000010."]
