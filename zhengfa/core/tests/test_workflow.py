"""The workflow helper, through its first user: tasks assigned down the unit tree."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from zhengfa.campaign.models import Task, TaskState
from zhengfa.campaign.tests.factories import county_campaign, task_for_unit_a
from zhengfa.core.deadlines import notify_deadlines
from zhengfa.core.models import Notification, TimelineEvent
from zhengfa.core.testing import PersonaTestCase, build_personas
from zhengfa.core.workflow import (
    ConcurrentChange,
    TransitionNotAllowed,
    allowed_transitions,
    timeline_for,
    transition,
)


class TransitionTests(PersonaTestCase):
    def setUp(self) -> None:
        self.campaign = county_campaign(self.p)
        self.task = task_for_unit_a(self.p, self.campaign)

    def snapshot(self) -> tuple[Any, ...]:
        t = Task.objects.get(pk=self.task.pk)
        return (t.state, t.version, t.due_at, TimelineEvent.objects.count())

    def test_a_legal_transition_moves_and_writes_the_timeline(self) -> None:
        event = transition(
            record=self.task, name="report", by=self.p.leader_a, comment="已完成自查"
        )
        self.task.refresh_from_db()
        self.assertEqual((self.task.state, self.task.version), (TaskState.REPORTED, 1))
        self.assertEqual(
            (event.actor, event.from_state, event.to_state, event.comment),
            (self.p.leader_a, "assigned", "reported", "已完成自查"),
        )
        self.assertEqual([e.to_label for e in timeline_for(self.task)], ["已报送,待验收"])

    def test_an_illegal_transition_is_refused_clearly_and_changes_nothing(self) -> None:
        before = self.snapshot()
        with self.assertRaises(TransitionNotAllowed) as info:
            transition(record=self.task, name="accept", by=self.p.committee)
        self.assertIn("已下发", info.exception.messages[0])
        with self.assertRaises(TransitionNotAllowed):
            transition(record=self.task, name="no-such-step", by=self.p.committee)
        self.assertEqual(self.snapshot(), before)

    def test_a_missing_reason_is_refused_at_the_field(self) -> None:
        before = self.snapshot()
        with self.assertRaises(ValidationError) as info:
            transition(record=self.task, name="report", by=self.p.leader_a, comment="  ")
        self.assertIn("comment", info.exception.message_dict)
        self.assertEqual(self.snapshot(), before)

    def test_a_role_without_permission_is_refused(self) -> None:
        before = self.snapshot()
        for user in (self.p.officer_a, self.p.officer_b, self.p.supervision, self.p.sysadmin):
            with self.assertRaises(PermissionDenied):
                transition(record=self.task, name="report", by=user, comment="x")
        # The reporting unit may not accept its own report: that is the issuer's.
        transition(record=self.task, name="report", by=self.p.leader_a, comment="报告")
        self.task.refresh_from_db()
        with self.assertRaises(PermissionDenied):
            transition(record=self.task, name="accept", by=self.p.leader_a)
        self.assertEqual(
            [t.name for t in allowed_transitions(self.task, self.p.committee)],
            ["accept", "return", "cancel"],
        )
        self.assertEqual(allowed_transitions(self.task, self.p.leader_a), [])
        self.assertEqual(Task.objects.get(pk=self.task.pk).state, TaskState.REPORTED)
        self.assertNotEqual(self.snapshot(), before)

    def test_a_stale_copy_loses_and_nothing_is_lost(self) -> None:
        first = Task.objects.get(pk=self.task.pk)
        second = Task.objects.get(pk=self.task.pk)
        transition(record=first, name="report", by=self.p.leader_a, comment="第一份")
        with self.assertRaises(ConcurrentChange) as info:
            transition(record=second, name="report", by=self.p.leader_a, comment="第二份")
        self.assertIn("已被他人修改", info.exception.messages[0])
        self.assertEqual(list(TimelineEvent.objects.values_list("comment", flat=True)), ["第一份"])

    def test_deadlines_are_data_and_overdue_is_computed(self) -> None:
        self.assertEqual(Task.objects.overdue().count(), 0)
        self.assertEqual(Task.objects.due_within(30).count(), 1)
        later = timezone.now() + dt.timedelta(days=11)
        self.assertEqual(list(Task.objects.overdue(later)), [self.task])
        self.assertFalse(self.task.is_overdue)
        transition(record=self.task, name="report", by=self.p.leader_a, comment="报告")
        transition(
            record=Task.objects.get(pk=self.task.pk),
            name="return",
            by=self.p.committee,
            comment="请补充材料",
        )
        returned = Task.objects.get(pk=self.task.pk)
        # A return gives the unit 7 days (the module's default) from now.
        self.assertAlmostEqual(
            (returned.due_at - timezone.now()).total_seconds(), 7 * 86400, delta=60
        )
        with override_settings(ZHENGFA_DEADLINES={"campaign.task": {"returned": 2}}):
            transition(record=returned, name="report", by=self.p.leader_a, comment="已补充")
            transition(
                record=Task.objects.get(pk=self.task.pk),
                name="return",
                by=self.p.committee,
                comment="仍不完整",
            )
        again = Task.objects.get(pk=self.task.pk)
        self.assertAlmostEqual((again.due_at - timezone.now()).total_seconds(), 2 * 86400, delta=60)
        transition(record=again, name="report", by=self.p.leader_a, comment="完成")
        transition(record=Task.objects.get(pk=self.task.pk), name="accept", by=self.p.committee)
        done = Task.objects.get(pk=self.task.pk)
        self.assertIsNone(done.due_at)
        self.assertEqual(Task.objects.open().count(), 0)


class DeadlineJobTests(PersonaTestCase):
    def test_running_the_job_twice_notifies_once(self) -> None:
        campaign = county_campaign(self.p)
        soon = task_for_unit_a(self.p, campaign, days=2)
        late = task_for_unit_a(self.p, campaign, days=5)
        Task.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
        task_for_unit_a(self.p, campaign, days=30)  # not due yet
        Notification.objects.all().delete()
        self.assertEqual(notify_deadlines(), "2 new notices")
        self.assertEqual(notify_deadlines(), "0 new notices")
        titles = sorted(
            Notification.objects.filter(user=self.p.leader_a).values_list("title", flat=True)
        )
        self.assertEqual(len(titles), 2)
        self.assertTrue(any(t.startswith("已逾期") for t in titles))
        self.assertTrue(any(t.startswith("即将到期") for t in titles))
        # A new due date is a new matter: one more notice.
        Task.objects.filter(pk=soon.pk).update(due_at=timezone.now() + dt.timedelta(days=1))
        self.assertEqual(notify_deadlines(), "1 new notices")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_exactly_one_wins() -> None:
    p = build_personas(prefix="c-")
    task = task_for_unit_a(p, county_campaign(p))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(comment: str) -> None:
        mine = Task.objects.get(pk=task.pk)
        barrier.wait(timeout=10)
        try:
            transition(record=mine, name="report", by=p.leader_a, comment=comment)
            outcomes.append("won")
        except ConcurrentChange:
            outcomes.append("lost")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["lost", "won"]
    final = Task.objects.get(pk=task.pk)
    assert (final.state, final.version) == (TaskState.REPORTED, 1)
    assert TimelineEvent.objects.filter(object_id=task.pk, transition="report").count() == 1
