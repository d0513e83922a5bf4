"""The ledger: the full life of an item, its rules, its confidentiality, its export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from zhengfa.core.attachments import attachments_of
from zhengfa.core.workflow import TransitionNotAllowed, timeline_for
from zhengfa.org.testing import PersonaTestCase
from zhengfa.rectify import selectors, services
from zhengfa.rectify.models import LedgerItem, LedgerState, Source

from .factories import category, county_round, declare, item_at_a


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="PNG")
    return out.getvalue()


class LifeTests(PersonaTestCase):
    def test_from_self_declared_to_closed_with_a_return_on_the_way(self) -> None:
        round_ = county_round(self.p)
        declaration = declare(self.p, round_)
        item = LedgerItem.objects.get(declaration=declaration)
        self.assertEqual(item.source, Source.SELF)
        self.assertEqual(item.state, LedgerState.PENDING)
        self.assertEqual(item.unit, self.p.unit_a)
        self.assertEqual(item.officer, self.p.officer_a_profile)
        # Not started before the 五定 are set.
        with self.assertRaises(ValidationError):
            services.item_transition(record=item, name="start", by=self.p.leader_a)
        services.item_update(
            item=item,
            by=self.p.leader_a,
            problem=item.problem,
            measures="退出股份,书面说明。",
            standard="工商登记变更完成。",
            responsible=self.p.leader_a,
            deadline=timezone.localdate() + dt.timedelta(days=30),
        )
        services.item_transition(record=item, name="start", by=self.p.leader_a)
        photo = SimpleUploadedFile("变更登记.png", png(), content_type="image/png")
        services.item_transition(
            record=item, name="submit", by=self.p.leader_a, comment="已退股", files=[photo]
        )
        services.item_transition(
            record=item, name="return", by=self.p.committee, comment="缺少工商登记材料"
        )
        self.assertEqual(item.state, LedgerState.RECTIFYING)
        services.item_note(item=item, by=self.p.leader_a, comment="已补办登记")
        services.item_transition(record=item, name="submit", by=self.p.leader_a, comment="已补充")
        services.item_transition(record=item, name="close", by=self.p.committee, comment="合格")
        item.refresh_from_db()
        self.assertEqual(item.state, LedgerState.CLOSED)
        self.assertIsNotNone(item.closed_at)
        steps = [(e.transition, e.to_state) for e in timeline_for(item)]
        self.assertEqual(
            steps,
            [
                ("start", "pending"),
                ("five", ""),
                ("start", "rectifying"),
                ("submit", "awaiting"),
                ("return", "rectifying"),
                ("", ""),
                ("submit", "awaiting"),
                ("close", "closed"),
            ],
        )
        self.assertEqual(attachments_of(item).count(), 1)
        # Closed is closed: nothing more is recorded on it.
        with self.assertRaises(TransitionNotAllowed):
            services.item_transition(record=item, name="submit", by=self.p.leader_a, comment="x")
        with self.assertRaises(ValidationError):
            services.item_note(item=item, by=self.p.leader_a, comment="x")

    def test_the_responsible_person_cannot_verify_his_own(self) -> None:
        item = item_at_a(self.p, responsible=self.p.committee)
        services.item_transition(record=item, name="start", by=self.p.committee)
        services.item_transition(record=item, name="submit", by=self.p.committee, comment="好了")
        response = self.client_for(self.p.committee).post(
            reverse("rectify:item_transition", args=[item.pk, "close"]), {"comment": ""}
        )
        self.assertContains(response, "责任人不能验收自己的整改", status_code=400)
        item.refresh_from_db()
        self.assertEqual(item.state, LedgerState.AWAITING)

    def test_a_leader_of_the_same_unit_does_not_verify(self) -> None:
        item = item_at_a(self.p, responsible=self.p.officer_a)
        services.item_transition(record=item, name="start", by=self.p.officer_a)
        services.item_transition(record=item, name="submit", by=self.p.officer_a, comment="好了")
        response = self.client_for(self.p.leader_a).post(
            reverse("rectify:item_transition", args=[item.pk, "close"])
        )
        self.assertEqual(response.status_code, 403)
        # Supervision staff may.
        services.item_transition(record=item, name="close", by=self.p.supervision)
        item.refresh_from_db()
        self.assertEqual(item.state, LedgerState.CLOSED)

    def test_a_step_not_allowed_now_is_a_message_and_changes_nothing(self) -> None:
        item = item_at_a(self.p)
        response = self.client_for(self.p.committee).post(
            reverse("rectify:item_transition", args=[item.pk, "close"])
        )
        self.assertContains(response, "待整改", status_code=400)
        item.refresh_from_db()
        self.assertEqual(item.state, LedgerState.PENDING)

    def test_a_deadline_in_the_past_is_refused_and_nothing_saved(self) -> None:
        client = self.client_for(self.p.leader_a)
        response = client.post(
            reverse("rectify:item_create"),
            {
                "source": "organisation",
                "category": category("other").pk,
                "unit": self.p.unit_a.pk,
                "problem": "问题",
                "measures": "措施",
                "deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
                "responsible": "A001",
                "standard": "标准",
            },
        )
        self.assertContains(response, "时限不能早于今天", status_code=400)
        self.assertFalse(LedgerItem.objects.exists())

    def test_an_unknown_responsible_number_is_refused(self) -> None:
        response = self.client_for(self.p.leader_a).post(
            reverse("rectify:item_create"),
            {
                "source": "organisation",
                "category": category("other").pk,
                "unit": self.p.unit_a.pk,
                "problem": "问题",
                "measures": "措施",
                "deadline": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
                "responsible": "B001",  # leader B: not in leader A's units
                "standard": "标准",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(LedgerItem.objects.exists())

    def test_moving_the_deadline_needs_a_reason_and_is_on_the_timeline(self) -> None:
        item = item_at_a(self.p)
        url = reverse("rectify:item_deadline", args=[item.pk])
        # Leader A answers for it: the deadline that binds him is moved from above.
        self.assertStatus(self.p.leader_a, "get", url, 403)
        client = self.client_for(self.p.committee)
        later = timezone.localdate() + dt.timedelta(days=40)
        refused = client.post(url, {"deadline": later.isoformat(), "reason": ""})
        self.assertEqual(refused.status_code, 400)
        client.post(url, {"deadline": later.isoformat(), "reason": "需等待工商部门办理"})
        item.refresh_from_db()
        self.assertEqual(timezone.localtime(item.due_at).date(), later)
        self.assertIn("需等待工商部门办理", timeline_for(item)[-1].comment)

    def test_overdue_items_are_flagged_and_their_owner_told(self) -> None:
        from zhengfa.core.deadlines import notify_deadlines
        from zhengfa.core.models import Notification

        item = item_at_a(self.p)
        LedgerItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - dt.timedelta(days=2))
        self.assertEqual(list(LedgerItem.objects.overdue()), [item])
        notify_deadlines()
        self.assertTrue(
            Notification.objects.filter(user=self.p.leader_a, key__contains="overdue").exists()
        )


class ConfidentialityTests(PersonaTestCase):
    def test_who_sees_an_item_and_a_declaration(self) -> None:
        round_ = county_round(self.p)
        declaration = declare(self.p, round_)
        item = LedgerItem.objects.get(declaration=declaration)
        detail = reverse("rectify:item_detail", args=[item.pk])
        form = reverse("rectify:declaration_detail", args=[declaration.pk])
        for who, status in [
            (self.p.leader_a, 200),
            (self.p.committee, 200),
            (self.p.supervision, 200),
            (self.p.leader_b, 404),  # a sibling unit's leader
            (self.p.officer_b, 404),
            (self.p.clerk_a, 404),  # completion yes, contents no
        ]:
            self.assertStatus(who, "get", detail, status)
        for who, status in [
            (self.p.officer_a, 200),
            (self.p.leader_a, 200),
            (self.p.supervision, 200),
            (self.p.officer_b, 404),  # another officer's declaration
            (self.p.leader_b, 404),
            (self.p.clerk_a, 404),
        ]:
            self.assertStatus(who, "get", form, status)
        # The clerk follows completion by unit, without contents.
        page = self.client_for(self.p.clerk_a).get(
            reverse("rectify:round_detail", args=[round_.pk])
        )
        self.assertContains(page, self.p.unit_a.name)
        self.assertNotContains(page, "入股")


def _rows(response: Any) -> list[tuple[Any, ...]]:
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


class ExportTests(PersonaTestCase):
    def test_the_export_has_the_ledger_columns_and_values(self) -> None:
        item = item_at_a(self.p)
        services.item_note(item=item, by=self.p.leader_a, comment="已排出值班表")
        response = self.client_for(self.p.committee).get(reverse("rectify:ledger_export"))
        self.assertEqual(response.status_code, 200)
        rows = _rows(response)
        self.assertEqual(
            list(rows[0]),
            [
                "序号",
                "问题来源",
                "问题类别",
                "问题描述",
                "责任单位",
                "责任人",
                "整改措施",
                "整改时限",
                "验收标准",
                "整改进展",
                "状态",
                "销号时间",
            ],
        )
        due = timezone.localtime(item.due_at).strftime("%Y-%m-%d")
        self.assertEqual(
            list(rows[1]),
            [
                1,
                "组织查处",
                "其他纪律作风问题",
                "窗口午间无人值守。",
                self.p.unit_a.name,
                "甲所长",
                "午间轮流值班。",
                due,
                "值班表上墙,回访满意。",
                "已排出值班表",
                "待整改",
                None,
            ],
        )
        # Another unit's leader exports nothing of unit A.
        other = self.client_for(self.p.leader_b).get(reverse("rectify:ledger_export"))
        self.assertEqual(len(_rows(other)), 1)


class FigureTests(PersonaTestCase):
    def test_figures_of_the_ledger_and_the_round(self) -> None:
        round_ = county_round(self.p)
        declare(self.p, round_)
        closed = item_at_a(self.p, responsible=self.p.officer_a)
        services.item_transition(record=closed, name="start", by=self.p.officer_a)
        services.item_transition(record=closed, name="submit", by=self.p.officer_a, comment="好")
        services.item_transition(record=closed, name="close", by=self.p.committee)
        late = item_at_a(self.p)
        LedgerItem.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
        today = timezone.localdate()
        start, end = today - dt.timedelta(days=1), today
        root = self.p.root
        self.assertEqual(selectors.items_count(root, start, end), 3)
        self.assertEqual(selectors.closed_count(root, start, end), 1)
        self.assertEqual(selectors.closure_rate(root, start, end), 33.3)
        self.assertEqual(selectors.overdue_count(root, start, end), 1)
        self.assertEqual(selectors.self_declared_count(root, start, end), 1)
        self.assertEqual(
            selectors.items_by(root, start, end, "source"), {"self": 1, "organisation": 2}
        )
        self.assertEqual(selectors.declarations_submitted(root, start, end), 1)
        self.assertEqual(selectors.items_count(self.p.unit_b, start, end), 0)
        serving = selectors.covered_officers(round_).count()
        self.assertAlmostEqual(selectors.completion_rate(round_, root), 1 / serving)
        due = round_.deadline
        self.assertEqual(selectors.completion_in(root, due, due), round(100 / serving, 1))
        self.assertEqual(selectors.completion_in(self.p.unit_a, due, due), round(100 / 3, 1))
        self.assertIsNone(selectors.completion_in(root, start, end))  # none due then: no data
        self.assertIsNone(selectors.closure_rate(self.p.unit_b, start, end))
