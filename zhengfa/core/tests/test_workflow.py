"""The workflow slice (start, transition, the buttons and their view, deadlines), on the
test app's cases."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from zhengfa.core.deadlines import notify_deadlines
from zhengfa.core.models import Notification, TimelineEvent
from zhengfa.core.tests.testapp.models import Case, CaseState
from zhengfa.core.tests.testapp.services import case_open
from zhengfa.core.workflow import (
    ConcurrentChange,
    TransitionNotAllowed,
    allowed_transitions,
    timeline_for,
    transition,
)
from zhengfa.org.testing import PersonaTestCase, build_personas


def open_case(p: Any, **fields: Any) -> Case:
    return case_open(unit=p.unit_a, title="窗口无人", by=p.leader_a, **fields)[0]


class StartTests(PersonaTestCase):
    def test_start_sets_state_due_date_and_the_first_event(self) -> None:
        case = open_case(self.p, owner=self.p.leader_a)
        self.assertEqual((case.state, case.version), (CaseState.OPEN, 0))
        assert case.due_at is not None
        self.assertAlmostEqual((case.due_at - timezone.now()).total_seconds(), 10 * 86400, delta=60)
        [event] = timeline_for(case)
        self.assertEqual(
            (event.transition, event.from_state, event.to_state), ("start", "", "open")
        )
        self.assertEqual(
            (event.actor, event.public, event.start_label), (self.p.leader_a, False, "Opened")
        )

    def test_a_citizens_record_starts_with_a_public_event_and_keeps_a_chosen_due_date(
        self,
    ) -> None:
        due = timezone.now() + dt.timedelta(days=3)
        case = Case(unit=self.p.unit_a, title="群众来信", due_at=due)
        from zhengfa.core.workflow import start

        event = start(record=case, by=None, public=True)
        self.assertEqual(case.due_at, due)
        self.assertTrue(event.by_citizen and event.public and event.actor is None)


class TransitionTests(PersonaTestCase):
    def setUp(self) -> None:
        self.case = open_case(self.p)

    def snapshot(self) -> tuple[Any, ...]:
        c = Case.objects.get(pk=self.case.pk)
        return (c.state, c.version, c.due_at, TimelineEvent.objects.count())

    def test_a_legal_transition_moves_and_writes_the_timeline(self) -> None:
        event = transition(record=self.case, name="answer", by=self.p.leader_a, comment="已答复")
        self.case.refresh_from_db()
        self.assertEqual((self.case.state, self.case.version), (CaseState.ANSWERED, 1))
        self.assertEqual(
            (event.actor, event.from_state, event.to_state, event.comment, event.public),
            (self.p.leader_a, "open", "answered", "已答复", True),
        )
        self.assertEqual(
            [(e.transition, e.to_label) for e in timeline_for(self.case)],
            [("start", "Open"), ("answer", "Answered")],
        )

    def test_an_illegal_transition_is_refused_clearly_and_changes_nothing(self) -> None:
        before = self.snapshot()
        with self.assertRaises(TransitionNotAllowed) as info:
            transition(record=self.case, name="reopen", by=self.p.leader_a)
        self.assertIn("Open", info.exception.messages[0])
        with self.assertRaises(TransitionNotAllowed):
            transition(record=self.case, name="no-such-step", by=self.p.leader_a)
        self.assertEqual(self.snapshot(), before)

    def test_a_missing_reason_is_refused_at_the_field(self) -> None:
        before = self.snapshot()
        with self.assertRaises(ValidationError) as info:
            transition(record=self.case, name="answer", by=self.p.leader_a, comment="  ")
        self.assertIn("comment", info.exception.message_dict)
        self.assertEqual(self.snapshot(), before)

    def test_scope_and_guard_decide_who_may(self) -> None:
        before = self.snapshot()
        for user in (self.p.officer_a, self.p.officer_b, self.p.supervision, self.p.sysadmin):
            with self.assertRaises(PermissionDenied):
                transition(record=self.case, name="answer", by=user, comment="x")
        # The unit's own leader may not close: the guard gives that to the unit above.
        with self.assertRaises(PermissionDenied):
            transition(record=self.case, name="close", by=self.p.leader_a)
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(
            [t.name for t in allowed_transitions(self.case, self.p.leader_a)], ["answer"]
        )
        self.assertEqual(
            [t.name for t in allowed_transitions(self.case, self.p.committee)], ["close"]
        )
        self.assertEqual(allowed_transitions(self.case, self.p.officer_b), [])
        transition(record=self.case, name="close", by=self.p.committee)
        self.assertEqual(Case.objects.get(pk=self.case.pk).state, CaseState.CLOSED)

    def test_a_stale_copy_loses_and_nothing_is_lost(self) -> None:
        first = Case.objects.get(pk=self.case.pk)
        second = Case.objects.get(pk=self.case.pk)
        transition(record=first, name="answer", by=self.p.leader_a, comment="第一份")
        with self.assertRaises(ConcurrentChange) as info:
            transition(record=second, name="answer", by=self.p.leader_a, comment="第二份")
        self.assertIn("已被他人修改", info.exception.messages[0])
        self.assertEqual(
            list(
                TimelineEvent.objects.exclude(transition="start").values_list("comment", flat=True)
            ),
            ["第一份"],
        )

    def test_deadlines_are_data_and_overdue_is_computed(self) -> None:
        self.assertEqual(Case.objects.overdue().count(), 0)
        self.assertEqual(Case.objects.due_within(30).count(), 1)
        later = timezone.now() + dt.timedelta(days=11)
        self.assertEqual(list(Case.objects.overdue(later)), [self.case])
        self.assertFalse(self.case.is_overdue)
        transition(record=self.case, name="answer", by=self.p.leader_a, comment="答复")
        answered = Case.objects.get(pk=self.case.pk)
        # Entering "answered" gives 5 days (the module's default) from now.
        self.assertAlmostEqual(
            (answered.due_at - timezone.now()).total_seconds(), 5 * 86400, delta=60
        )
        with override_settings(ZHENGFA_DEADLINES={"testapp.case": {"open": 2}}):
            transition(record=answered, name="reopen", by=self.p.leader_a)
        reopened = Case.objects.get(pk=self.case.pk)
        self.assertAlmostEqual(
            (reopened.due_at - timezone.now()).total_seconds(), 2 * 86400, delta=60
        )
        transition(record=reopened, name="close", by=self.p.committee)
        closed = Case.objects.get(pk=self.case.pk)
        self.assertIsNone(closed.due_at)
        self.assertEqual(Case.objects.open().count(), 0)


@override_settings(ROOT_URLCONF="zhengfa.core.tests.testapp.urls")
class TransitionViewTests(PersonaTestCase):
    def setUp(self) -> None:
        self.case = open_case(self.p)
        self.detail = reverse("testapp:case_detail", args=[self.case.pk])

    def url(self, name: str) -> str:
        return reverse("testapp:case_transition", args=[self.case.pk, name])

    def test_the_page_shows_the_buttons_the_person_may_press(self) -> None:
        page = self.assertStatus(self.p.leader_a, "get", self.detail, 200)
        self.assertContains(page, f'formaction="{self.url("answer")}"')
        self.assertNotContains(page, self.url("close"))
        self.assertContains(page, 'name="attachments"')  # the workflow takes files
        self.assertNotContains(
            self.assertStatus(self.p.committee, "get", self.detail, 200), self.url("answer")
        )

    def test_a_press_applies_the_service_and_goes_back_to_the_record(self) -> None:
        response = self.assertStatus(
            self.p.leader_a, "post", self.url("answer"), 302, {"comment": "已安排值班"}
        )
        self.assertEqual(response["Location"], self.detail)
        self.assertEqual(Case.objects.get(pk=self.case.pk).state, CaseState.ANSWERED)
        # The page it lands on says so, to a screen reader too.
        page = self.client_for(self.p.leader_a)
        page.post(self.url("reopen"))
        landed = page.post(self.url("answer"), {"comment": "再次答复"}, follow=True)
        self.assertContains(landed, '<ul class="messages" role="status"><li class="msg-success">')

    def test_refusals_answer_at_the_form_404_or_403_and_change_nothing(self) -> None:
        missing = self.assertStatus(
            self.p.leader_a, "post", self.url("answer"), 400, {"comment": ""}
        )
        self.assertContains(missing, "请填写理由", status_code=400)
        wrong = self.assertStatus(self.p.leader_a, "post", self.url("reopen"), 400)
        self.assertContains(wrong, "不能进行此操作", status_code=400)
        self.assertStatus(self.p.officer_b, "post", self.url("answer"), 404, {"comment": "x"})
        self.assertStatus(self.p.leader_a, "post", self.url("close"), 403)
        self.assertStatus(self.p.leader_a, "get", self.url("answer"), 405)
        self.assertEqual(Case.objects.get(pk=self.case.pk).version, 0)


@override_settings(ROOT_URLCONF="zhengfa.core.tests.testapp.urls")
class DeadlineJobTests(PersonaTestCase):
    def test_running_the_job_twice_notifies_once(self) -> None:
        soon = open_case(self.p, owner=self.p.leader_a)
        late = open_case(self.p, owner=self.p.leader_a)
        Case.objects.filter(pk=soon.pk).update(due_at=timezone.now() + dt.timedelta(days=2))
        Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
        open_case(self.p, owner=self.p.leader_a)  # due in ten days: not yet
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
        Case.objects.filter(pk=soon.pk).update(due_at=timezone.now() + dt.timedelta(days=1))
        self.assertEqual(notify_deadlines(), "1 new notices")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_exactly_one_wins() -> None:
    p = build_personas(prefix="c-")
    case = open_case(p)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(comment: str) -> None:
        mine = Case.objects.get(pk=case.pk)
        barrier.wait(timeout=10)
        try:
            transition(record=mine, name="answer", by=p.leader_a, comment=comment)
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
    final = Case.objects.get(pk=case.pk)
    assert (final.state, final.version) == (CaseState.ANSWERED, 1)
    assert TimelineEvent.objects.filter(object_id=case.pk, transition="answer").count() == 1
