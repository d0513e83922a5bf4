from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from zhengfa.campaign.models import Suggestion, SuggestionState, Task, TaskState
from zhengfa.campaign.services import suggestion_submit
from zhengfa.campaign.tests.factories import county_campaign, task_for_unit_a
from zhengfa.core.models import Attachment, Notification, TimelineEvent
from zhengfa.core.testing import post_public_form
from zhengfa.org.testing import PersonaTestCase


class TaskViewTests(PersonaTestCase):
    def setUp(self) -> None:
        self.campaign = county_campaign(self.p)

    def test_assign_down_the_tree(self) -> None:
        url = reverse("campaign:task_create")
        self.assertStatus(self.p.committee, "get", url, 200)
        self.assertStatus(self.p.committee, "put", url, 405)
        self.assertStatus(self.p.officer_a, "get", url, 403)
        due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
        data = {
            "campaign": self.campaign.pk,
            "title": "组织专题学习",
            "description": "",
            "units": [self.p.unit_a.pk, self.p.unit_b.pk],
            "due_on": due,
        }
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client_for(self.p.committee).post(url, data)
        self.assertRedirects(response, reverse("campaign:task_list"), fetch_redirect_response=False)
        tasks = Task.objects.order_by("unit__code")
        self.assertEqual(
            [(t.unit, t.state, t.issued_by) for t in tasks],
            [
                (self.p.unit_a, TaskState.ASSIGNED, self.p.root),
                (self.p.unit_b, TaskState.ASSIGNED, self.p.root),
            ],
        )
        self.assertEqual(tasks[0].owner, self.p.leader_a)
        self.assertTrue(
            Notification.objects.filter(
                user=self.p.leader_a, title__contains="组织专题学习"
            ).exists()
        )

    def test_a_unit_and_every_unit_below_it_on_the_tree(self) -> None:
        url = reverse("campaign:task_create")
        page = self.assertStatus(self.p.committee, "get", url, 200).content.decode()
        # The units are a tree of check boxes, the bureau's stations folded under it.
        self.assertIn('type="checkbox" name="units"', page)
        self.assertRegex(page, r"<details open><summary><label[^>]*><input[^>]*>\s*测试县公安局")
        due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
        data = {
            "campaign": self.campaign.pk,
            "title": "排查矛盾纠纷",
            "units": [self.p.unit_a.pk, self.p.root.children.get(code="GAJ").pk],
            "with_subunits": "on",
            "due_on": due,
        }
        response = self.client_for(self.p.committee).post(url, data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            sorted(Task.objects.values_list("unit__code", flat=True)),
            ["GAJ", "PCS-A", "PCS-B"],  # each unit once, the justice bureau's tree not at all
        )

    def test_bad_input_saves_nothing(self) -> None:
        url = reverse("campaign:task_create")
        past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        response = self.client_for(self.p.committee).post(
            url, {"campaign": self.campaign.pk, "title": "", "units": [], "due_on": past}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "完成时限不能早于今天", status_code=400)
        self.assertContains(response, "errorlist", status_code=400)
        # An inactive unit is no choice on the tree, nor to the service.
        from zhengfa.campaign.services import task_assign
        from zhengfa.org.models import Unit

        Unit.objects.filter(pk=self.p.unit_b.pk).update(is_active=False)
        self.p.unit_b.refresh_from_db()
        page = self.client_for(self.p.committee).get(url)
        self.assertNotContains(page, "乙镇派出所")
        with self.assertRaises(ValidationError):
            task_assign(
                campaign=self.campaign,
                title="x",
                description="",
                units=[self.p.unit_b],
                due_at=timezone.now() + dt.timedelta(days=3),
                by=self.p.committee,
            )
        # A leader may only assign below his unit: his own unit is not a choice.
        own = self.client_for(self.p.leader_a).get(url)
        self.assertEqual(own.status_code, 403)
        self.assertEqual(Task.objects.count(), 0)

    def test_list_and_detail_scope(self) -> None:
        task = task_for_unit_a(self.p, self.campaign)
        late = task_for_unit_a(self.p, self.campaign)
        Task.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
        lst = reverse("campaign:task_list")
        page = self.assertStatus(self.p.leader_a, "get", lst, 200)
        self.assertContains(page, "开展自查自纠")
        self.assertContains(page, "已逾期")
        self.assertStatus(self.p.leader_a, "post", lst, 405)
        overdue = self.assertStatus(self.p.committee, "get", lst, 200, {"due": "overdue"})
        self.assertContains(overdue, f'href="/staff/tasks/{late.pk}/"')
        self.assertNotContains(overdue, f'href="/staff/tasks/{task.pk}/"')
        other = self.assertStatus(self.p.officer_b, "get", lst, 200)
        self.assertNotContains(other, "开展自查自纠")
        detail = reverse("campaign:task_detail", args=[task.pk])
        self.assertStatus(self.p.leader_a, "get", detail, 200)
        self.assertStatus(self.p.leader_a, "post", detail, 405)
        self.assertStatus(self.p.officer_b, "get", detail, 404)
        self.assertStatus(self.p.sysadmin, "get", detail, 404)

    def test_report_with_evidence_then_accept(self) -> None:
        task = task_for_unit_a(self.p, self.campaign)
        report = reverse("campaign:task_transition", args=[task.pk, "report"])
        self.assertStatus(self.p.leader_a, "get", report, 405)
        self.assertStatus(self.p.officer_b, "post", report, 404, {"comment": "x"})
        self.assertStatus(
            self.p.officer_a, "post", report, 403, {"comment": "x"}
        )  # sees, may not act
        bad = self.client_for(self.p.leader_a).post(
            report, {"comment": "", "attachments": [SimpleUploadedFile("a.jpg", b"<?php echo 1;")]}
        )
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, "类型不能上传", status_code=400)
        self.assertEqual(Task.objects.get(pk=task.pk).state, TaskState.ASSIGNED)
        self.assertFalse(Attachment.objects.exists())
        ok = self.client_for(self.p.leader_a).post(
            report,
            {
                "comment": "已组织全所民警自查",
                "attachments": [SimpleUploadedFile("记录.pdf", b"%PDF-1.4 x")],
            },
        )
        self.assertRedirects(ok, reverse("campaign:task_detail", args=[task.pk]))
        event = TimelineEvent.objects.get(transition="report")
        self.assertEqual([a.original_name for a in event.attachments.all()], ["记录.pdf"])
        page = self.assertStatus(
            self.p.committee, "get", reverse("campaign:task_detail", args=[task.pk]), 200
        )
        self.assertContains(page, "已组织全所民警自查")
        self.assertContains(page, "记录.pdf")
        self.assertContains(page, "验收办结")
        accept = reverse("campaign:task_transition", args=[task.pk, "accept"])
        self.assertStatus(self.p.leader_a, "post", accept, 403)
        self.assertStatus(self.p.committee, "post", accept, 302)
        self.assertEqual(Task.objects.get(pk=task.pk).state, TaskState.DONE)
        again = self.assertStatus(self.p.committee, "post", accept, 400)
        self.assertContains(again, "不能进行此操作", status_code=400)


class SuggestionViewTests(PersonaTestCase):
    def setUp(self) -> None:
        self.suggestion, _ = suggestion_submit(
            topic="conduct", content="值班民警态度生硬", phone=""
        )

    def test_staff_handle_and_answer(self) -> None:
        lst = reverse("campaign:suggestion_list")
        self.assertContains(
            self.assertStatus(self.p.committee, "get", lst, 200), "值班民警态度生硬"
        )
        self.assertStatus(self.p.committee, "post", lst, 405)
        self.assertNotContains(
            self.assertStatus(self.p.leader_a, "get", lst, 200), "值班民警态度生硬"
        )
        detail = reverse("campaign:suggestion_detail", args=[self.suggestion.pk])
        self.assertStatus(self.p.leader_a, "get", detail, 404)
        self.assertStatus(self.p.supervision, "get", detail, 200)
        answer = reverse("campaign:suggestion_transition", args=[self.suggestion.pk, "answer"])
        self.assertStatus(self.p.supervision, "post", answer, 403, {"comment": "x"})
        empty = self.assertStatus(self.p.committee, "post", answer, 400, {"comment": ""})
        self.assertContains(empty, "请填写答复内容", status_code=400)
        self.assertStatus(self.p.committee, "post", answer, 302, {"comment": "已约谈当事民警"})
        done = Suggestion.objects.get(pk=self.suggestion.pk)
        self.assertEqual((done.state, done.handler), (SuggestionState.ANSWERED, self.p.committee))
        self.assertTrue(TimelineEvent.objects.get(transition="answer").public)

    def test_the_opinion_channel_stands_without_a_campaign(self) -> None:
        Suggestion.objects.all().delete()
        Task.objects.all().delete()
        from zhengfa.campaign.models import Campaign

        Campaign.objects.all().delete()
        form = self.client.get("/opinion/")
        self.assertEqual(form.status_code, 200)
        self.assertNotContains(form, "教育整顿")
        sent = post_public_form(
            self.client,
            "/opinion/",
            {"topic": "service", "unit": "unknown", "content": "窗口服务很好"},
        )
        self.assertEqual(sent.status_code, 302)
        opinion = Suggestion.objects.get()
        self.assertEqual((opinion.campaign, opinion.unit), (None, self.p.root))
