"""The work plan: a task to many units at once, shared out further down, and the matrix."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhengfa.campaign.models import PlanItem, Task, TaskState
from zhengfa.campaign.services import task_assign, task_split, task_transition
from zhengfa.campaign.tests.factories import county_campaign
from zhengfa.core.workflow import timeline_for
from zhengfa.org import services as org_services
from zhengfa.org.access import Role
from zhengfa.org.testing import PersonaTestCase


class WorkPlanTests(PersonaTestCase):
    def setUp(self) -> None:
        self.campaign = county_campaign(self.p)
        self.bureau_leader = org_services.officer_create(
            unit=self.p.bureau, name="局长", staff_number="G001", username="gaj_lead"
        ).user
        org_services.role_assign(user=self.bureau_leader, role=Role.LEADER, unit=self.p.bureau)
        self.due = timezone.now() + dt.timedelta(days=20)
        self.bureau_task, self.justice_task = task_assign(
            campaign=self.campaign,
            title="落实百日巩固方案",
            description="",
            units=[self.p.bureau, self.p.justice],
            lead=self.p.bureau,
            due_at=self.due,
            by=self.p.committee,
        )

    def split(self) -> list[Task]:
        return task_split(
            task=self.bureau_task,
            units=[self.p.unit_a, self.p.unit_b],
            due_at=self.due - dt.timedelta(days=3),
            by=self.bureau_leader,
        )

    def test_one_plan_item_one_row_per_unit_and_a_lead(self) -> None:
        item = PlanItem.objects.get()
        self.assertEqual(item.lead, self.p.bureau)
        self.assertEqual(item.issued_by, self.p.root)
        self.assertEqual(set(item.tasks.values_list("unit__code", flat=True)), {"GAJ", "SFJ"})
        with self.assertRaises(ValidationError):
            task_assign(
                campaign=self.campaign,
                title="另一项",
                description="",
                units=[self.p.bureau],
                lead=self.p.justice,
                due_at=self.due,
                by=self.p.committee,
            )
        self.assertEqual(PlanItem.objects.count(), 1)

    def test_the_parent_follows_its_parts(self) -> None:
        part_a, part_b = self.split()
        self.assertEqual(
            (part_a.issued_by, part_a.parent, part_a.item),
            (self.p.bureau, self.bureau_task, self.bureau_task.item),
        )
        # While parts are open, the bureau does not report the task by itself.
        with self.assertRaises(PermissionDenied):
            task_transition(
                record=self.bureau_task, name="report", by=self.bureau_leader, comment="完成"
            )
        for part, leader in ((part_a, self.p.leader_a), (part_b, self.p.leader_b)):
            task_transition(record=part, name="report", by=leader, comment="已完成")
        task_transition(record=part_a, name="accept", by=self.bureau_leader)
        self.bureau_task.refresh_from_db()
        self.assertEqual(self.bureau_task.state, TaskState.ASSIGNED)
        # The station's leader cannot accept his own part: that is the bureau's check.
        with self.assertRaises(PermissionDenied):
            task_transition(record=part_b, name="accept", by=self.p.leader_b)
        task_transition(record=part_b, name="accept", by=self.bureau_leader)
        self.bureau_task.refresh_from_db()
        self.assertEqual(self.bureau_task.state, TaskState.DONE)
        last = timeline_for(self.bureau_task)[-1]
        self.assertEqual((last.transition, last.actor), ("parts_done", self.bureau_leader))

    def test_split_refuses_bad_input_and_saves_nothing(self) -> None:
        cases = [
            # (units, due, by, what)
            ([self.p.mediation_committee], self.due - dt.timedelta(days=1), self.bureau_leader),
            ([self.p.unit_a], self.due + dt.timedelta(days=5), self.bureau_leader),
            ([self.p.unit_a], timezone.now() - dt.timedelta(days=1), self.bureau_leader),
            ([], self.due - dt.timedelta(days=1), self.bureau_leader),
        ]
        for units, due, by in cases:
            with self.subTest(units=units, due=due), self.assertRaises(ValidationError):
                task_split(task=self.bureau_task, units=units, due_at=due, by=by)
        self.split()
        with self.assertRaises(ValidationError):  # the same station twice
            task_split(
                task=self.bureau_task, units=[self.p.unit_a], due_at=self.due, by=self.bureau_leader
            )
        self.assertEqual(self.bureau_task.parts.count(), 2)

    def test_split_on_the_page(self) -> None:
        url = reverse("campaign:task_split", args=[self.bureau_task.pk])
        page = self.assertStatus(
            self.bureau_leader, "get", self.bureau_task.get_absolute_url(), 200
        )
        self.assertContains(page, url)
        # A station's leader sees the task? No: it is the bureau's; the justice bureau's staff
        # and a station officer cannot share it out.
        self.assertStatus(self.p.leader_a, "post", url, 404)
        self.assertStatus(self.bureau_leader, "get", url, 405)
        due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
        response = self.client_for(self.bureau_leader).post(url, {"units": [], "due_on": due})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.bureau_task.parts.exists())
        response = self.client_for(self.bureau_leader).post(
            url, {"units": [self.p.unit_a.pk], "due_on": due}
        )
        self.assertRedirects(
            response, self.bureau_task.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(
            list(self.bureau_task.parts.values_list("unit", flat=True)), [self.p.unit_a.pk]
        )

    def test_matrix_shows_a_parts_state_at_the_parent(self) -> None:
        part_a, _part_b = self.split()
        task_transition(record=part_a, name="report", by=self.p.leader_a, comment="已完成")
        task_transition(record=part_a, name="accept", by=self.bureau_leader)
        Task.objects.filter(pk=self.justice_task.pk).update(
            due_at=timezone.now() - dt.timedelta(days=1)
        )
        url = reverse("campaign:campaign_plan", args=[self.campaign.pk])
        page = self.assertStatus(self.p.committee, "get", url, 200).content.decode()
        self.assertIn("落实百日巩固方案", page)
        # The bureau's cell: one of its two parts accepted; it leads the task.
        self.assertRegex(
            page, r"测试县公安局</th>\s*<td><a[^>]*>已下发</a><br><span[^>]*>分解任务已验收 1/2"
        )
        self.assertIn("牵头", page)
        # The justice bureau's task is late: red.
        self.assertRegex(
            page, rf'href="{self.justice_task.get_absolute_url()}" class="cell tag-late"'
        )
        # A station's leader sees only his own row; the other station's is not there.
        page = self.assertStatus(self.p.leader_a, "get", url, 200).content.decode()
        self.assertIn("甲镇派出所", page)
        self.assertNotIn("乙镇派出所", page)
        self.assertNotIn("测试县司法局", page)

    def test_three_levels_close_together_and_a_cancel_takes_the_parts(self) -> None:
        part_a, part_b = self.split()
        task_transition(record=part_b, name="cancel", by=self.bureau_leader, comment="不再需要")
        # The station shares its part further down: the bureau's task closes when the
        # station's does, which closes when its own part is accepted.
        village = org_services.unit_create(
            name="甲村警务室", code="JWS-A", kind="other", parent=self.p.unit_a
        )
        [deep] = task_split(
            task=part_a,
            units=[village],
            due_at=self.due - dt.timedelta(days=5),
            by=self.p.leader_a,
        )
        task_transition(record=deep, name="report", by=self.bureau_leader, comment="已完成")
        task_transition(record=deep, name="accept", by=self.p.leader_a)
        for task in (part_a, self.bureau_task):
            task.refresh_from_db()
            self.assertEqual(task.state, TaskState.DONE, task)
        # Calling off the justice bureau's task calls off its open parts too.
        justice_office = org_services.unit_create(
            name="甲司法所", code="SFS-A", kind="justice_office", parent=self.p.justice
        )
        [open_part] = task_split(
            task=self.justice_task, units=[justice_office], due_at=self.due, by=self.p.committee
        )
        task_transition(
            record=self.justice_task, name="cancel", by=self.p.committee, comment="方案调整"
        )
        open_part.refresh_from_db()
        self.assertEqual(open_part.state, TaskState.CANCELLED)

    def test_no_one_accepts_his_own_report(self) -> None:
        [part] = task_split(
            task=self.bureau_task, units=[self.p.unit_a], due_at=self.due, by=self.bureau_leader
        )
        # The bureau's leader reports for the station, then may not accept it himself.
        task_transition(record=part, name="report", by=self.bureau_leader, comment="已完成")
        with self.assertRaises(PermissionDenied):
            task_transition(record=part, name="accept", by=self.bureau_leader)
        task_transition(record=part, name="accept", by=self.p.committee)
