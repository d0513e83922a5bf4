from __future__ import annotations

from django.urls import reverse

from zhengfa.org.models import Officer, Unit
from zhengfa.org.testing import PersonaTestCase


class UnitAdminTests(PersonaTestCase):
    def test_add_a_unit(self) -> None:
        url = reverse("org:unit_create")
        self.assertStatus(self.p.sysadmin, "get", url, 200)
        self.assertStatus(self.p.sysadmin, "put", url, 405)
        for user in (self.p.committee, self.p.leader_a, self.p.officer_a):
            self.assertStatus(user, "get", url, 404)
        data = {
            "name": "丙镇派出所",
            "code": "PCS-C",
            "kind": "police_station",
            "parent": self.p.bureau.pk,
            "phone": "",
            "is_active": "on",
        }
        self.assertStatus(self.p.sysadmin, "post", url, 302, data)
        unit = Unit.objects.get(code="PCS-C")
        self.assertEqual((unit.parent, unit.depth), (self.p.bureau, 2))
        self.assertTrue(unit.path.startswith(self.p.bureau.path))
        clash = self.assertStatus(self.p.sysadmin, "post", url, 400, {**data, "name": "重复"})
        self.assertContains(clash, "已有单位使用此编码", status_code=400)
        self.assertEqual(Unit.objects.filter(name="重复").count(), 0)

    def test_edit_and_move_a_subtree(self) -> None:
        edit = reverse("org:unit_edit", args=[self.p.bureau.pk])
        self.assertStatus(self.p.sysadmin, "get", edit, 200)
        self.assertStatus(
            self.p.committee, "get", edit, 403
        )  # sees the unit, may not administer it
        self.assertStatus(self.p.leader_a, "get", edit, 404)
        # A new branch under the root, then the bureau moves under it with its stations.
        branch = Unit.objects.create(name="分支", code="BR", kind="other", parent=self.p.root)
        branch.path = branch.compute_path()
        branch.depth = 1
        branch.save()
        self.assertStatus(
            self.p.sysadmin,
            "post",
            edit,
            302,
            {
                "name": "测试县公安局",
                "kind": "police",
                "parent": branch.pk,
                "phone": "0313-1234567",
                "is_active": "on",
            },
        )
        station = Unit.objects.get(code="PCS-A")
        self.assertTrue(station.path.startswith(branch.path))
        self.assertEqual(station.depth, 3)
        # Scope follows the move: the committee still sees the station's officers.
        self.assertTrue(Officer.objects.visible_to(self.p.committee).filter(unit=station).exists())
        # Below itself is refused.
        self.assertStatus(
            self.p.sysadmin,
            "post",
            reverse("org:unit_edit", args=[branch.pk]),
            400,
            {
                "name": "分支",
                "kind": "other",
                "parent": self.p.unit_a.pk,
                "phone": "",
                "is_active": "on",
            },
        )
        self.assertEqual(Unit.objects.get(pk=branch.pk).parent, self.p.root)
