from __future__ import annotations

import datetime as dt
import io
from unittest import mock

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhengfa.org import services as org_services
from zhengfa.org.models import Officer
from zhengfa.org.testing import PersonaTestCase
from zhengfa.study import exports, selectors, services
from zhengfa.study.models import (
    Distribution,
    Material,
    OnlineStudy,
    Reflection,
    ReflectionComment,
    Topic,
)
from zhengfa.study.tests.factories import activity_for_unit_a


class MaterialTests(PersonaTestCase):
    def setUp(self) -> None:
        self.material = services.material_create(
            by=self.p.committee,
            unit=self.p.root,
            title="学习资料汇编",
            online_text="<p>要点</p><script>alert(1)</script>",
        )

    def test_online_text_is_sanitised(self) -> None:
        self.assertNotIn("<script>", Material.objects.get().online_text)

    def test_distribute_confirm_and_count(self) -> None:
        url = reverse("study:material_distribute", args=[self.material.pk])
        self.assertStatus(self.p.committee, "get", url, 405)
        self.assertStatus(
            self.p.leader_a,
            "post",
            url,
            403,
            {"unit": self.p.unit_a.pk, "copies": 5, "distributed_on": "2021-03-01"},
        )
        future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
        bad = self.assertStatus(
            self.p.committee,
            "post",
            url,
            400,
            {"unit": self.p.unit_a.pk, "copies": 0, "distributed_on": future},
        )
        self.assertContains(bad, "日期不能晚于今天", status_code=400)
        self.assertFalse(Distribution.objects.exists())
        today = timezone.localdate().isoformat()
        self.assertStatus(
            self.p.committee,
            "post",
            url,
            302,
            {"unit": self.p.unit_a.pk, "copies": 40, "distributed_on": today},
        )
        self.assertStatus(
            self.p.committee,
            "post",
            url,
            302,
            {"unit": self.p.unit_b.pk, "copies": 35, "distributed_on": today},
        )
        d = Distribution.objects.get(unit=self.p.unit_a)
        confirm = reverse("study:distribution_confirm", args=[d.pk])
        self.assertStatus(self.p.officer_b, "post", confirm, 404, {"received_by": "x"})
        self.assertStatus(self.p.officer_a, "post", confirm, 403, {"received_by": "x"})
        self.assertStatus(self.p.leader_a, "post", confirm, 302, {"received_by": "甲所内勤"})
        self.assertIsNotNone(Distribution.objects.get(pk=d.pk).confirmed_at)
        listing = self.assertStatus(self.p.leader_a, "get", reverse("study:distribution_list"), 200)
        self.assertContains(listing, "甲所内勤")
        today_d = timezone.localdate()
        self.assertEqual(selectors.booklets_distributed(self.p.root, today_d, today_d), 75)
        self.assertEqual(selectors.booklets_distributed(self.p.unit_a, today_d, today_d), 40)

    def test_online_study(self) -> None:
        url = reverse("study:material_studied", args=[self.material.pk])
        page = self.assertStatus(
            self.p.officer_a, "get", reverse("study:material_detail", args=[self.material.pk]), 200
        )
        self.assertContains(page, "要点")
        self.assertNotContains(page, "<script>alert")
        self.assertStatus(self.p.officer_a, "post", url, 302, {"note": "学了要点"})
        self.assertEqual(OnlineStudy.objects.get().officer, self.p.officer_a_profile)
        self.assertStatus(self.p.officer_a, "get", url, 405)
        record = selectors.officer_record(
            self.p.officer_a_profile, timezone.localdate(), timezone.localdate()
        )
        self.assertEqual(record.online, 1)


class TalkTests(PersonaTestCase):
    def setUp(self) -> None:
        self.topic = services.topic_create(
            by=self.p.committee,
            unit=self.p.root,
            title="对照五个过硬查不足",
            prompt="",
            due_on=timezone.localdate() + dt.timedelta(days=7),
        )

    def test_reflect_comment_and_completion(self) -> None:
        url = reverse("study:reflection_submit", args=[self.topic.pk])
        short = self.assertStatus(
            self.p.officer_a, "post", url, 400, {"shortcomings": "少", "plans": "少"}
        )
        self.assertContains(short, "errorlist", status_code=400)
        self.assertFalse(Reflection.objects.exists())
        self.assertStatus(
            self.p.officer_a,
            "post",
            url,
            302,
            {"shortcomings": "理论学习不够系统深入。", "plans": "每周集中学习两次以上并写心得。"},
        )
        reflection = Reflection.objects.get()
        detail = reverse("study:reflection_detail", args=[reflection.pk])
        self.assertStatus(self.p.officer_b, "get", detail, 404)
        self.assertStatus(self.p.officer_a, "post", detail, 403, {"text": "自评"})
        self.assertStatus(self.p.leader_a, "post", detail, 400, {"text": ""})
        with self.captureOnCommitCallbacks(execute=True):
            self.assertStatus(self.p.leader_a, "post", detail, 302, {"text": "认识深刻,抓好落实。"})
        self.assertEqual(ReflectionComment.objects.get().author, self.p.leader_a)
        rows = {
            r["unit"].code: (r["officers"], r["done"])
            for r in selectors.reflection_completion(self.topic)
        }
        self.assertEqual(rows["PCS-A"], (3, 1))
        self.assertEqual(rows["PCS-B"], (2, 0))
        page = self.assertStatus(
            self.p.committee, "get", reverse("study:topic_detail", args=[self.topic.pk]), 200
        )
        self.assertContains(page, "各单位完成情况")
        self.assertStatus(
            self.p.committee, "post", reverse("study:topic_detail", args=[self.topic.pk]), 405
        )

    def test_topic_form(self) -> None:
        url = reverse("study:topic_create")
        self.assertStatus(self.p.officer_a, "get", url, 403)
        past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
        self.assertContains(
            self.assertStatus(
                self.p.leader_a,
                "post",
                url,
                400,
                {"title": "x", "unit": self.p.unit_a.pk, "due_on": past},
            ),
            "截止日期已过",
            status_code=400,
        )
        self.assertEqual(Topic.objects.count(), 1)


class RecordsTests(PersonaTestCase):
    def test_records_page_and_export(self) -> None:
        activity = activity_for_unit_a(self.p, starts_in_minutes=-180, held=True)
        services.sign_in_by_hand(
            activity=activity, officers=[self.p.officer_a_profile], by=self.p.leader_a
        )
        url = reverse("study:records")
        page = self.assertStatus(self.p.leader_a, "get", url, 200)
        self.assertContains(page, "甲镇派出所")
        self.assertStatus(self.p.leader_a, "post", url, 405)
        self.assertStatus(self.p.officer_a, "get", url, 404)
        bad = self.assertStatus(
            self.p.leader_a, "get", url, 200, {"start": "2021-05-01", "end": "2021-04-01"}
        )
        self.assertContains(bad, "结束日期早于开始日期")
        # Sent in blocks from a file, read in batches of officers (two here: every batch).
        with mock.patch.object(exports, "BATCH", 2):
            export = self.assertStatus(self.p.leader_a, "get", reverse("study:records_export"), 200)
            content = export.getvalue()
        rows = list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
        by_name = {r[0]: r for r in rows[1:]}
        self.assertEqual(by_name["甲民警"][3], 1)  # attended once
        self.assertEqual(by_name["甲民警"][4], 2.0)  # two hours
        self.assertNotIn("乙民警", by_name)
        self.assertEqual(
            len(rows) - 1,
            Officer.objects.filter(unit__path__startswith=self.p.unit_a.path).count(),
        )
        person = reverse("study:officer_record", args=[self.p.officer_a_profile.pk])
        self.assertContains(
            self.assertStatus(self.p.leader_a, "get", person, 200), "党史学习专题讲座"
        )
        self.assertStatus(self.p.officer_b, "get", person, 404)

    def test_queries_do_not_grow_with_officers_and_activities(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from zhengfa.org import services as org_services

        client = self.client_for(self.p.committee)
        pages = [reverse("study:records"), reverse("study:records_export")]

        def counts() -> list[int]:
            out = []
            for url in pages:
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(client.get(url).status_code, 200)
                out.append(len(queries))
            return out

        def grow(n: int) -> None:
            officers = [
                org_services.officer_create(
                    unit=self.p.unit_b, name=f"新警{n}{i}", staff_number=f"N{n}{i:02d}"
                )
                for i in range(6)
            ]
            activity = activity_for_unit_a(self.p, starts_in_minutes=-300 - n, held=True)
            services.sign_in_by_hand(
                activity=activity, officers=[self.p.officer_a_profile], by=self.p.leader_a
            )
            services.note_save(activity=activity, user=self.p.officer_a, text="笔记")
            self.assertTrue(officers)

        grow(1)
        counts()  # the first page of a run also fills the cache (the site's name)
        before = counts()
        grow(2)
        grow(3)
        counts()  # new officers have new roles: what each person holds is read once again
        self.assertEqual(counts(), before)


class ReflectionPrivacyTests(PersonaTestCase):
    def test_colleagues_do_not_read_each_others_self_examination(self) -> None:
        topic = services.topic_create(
            by=self.p.committee,
            unit=self.p.root,
            title="查不足",
            prompt="",
            due_on=timezone.localdate() + dt.timedelta(days=3),
        )
        reflection = services.reflection_submit(
            topic=topic,
            user=self.p.officer_a,
            shortcomings="学习不深入,联系群众少。",
            plans="每周学习两次,走访群众十户。",
        )
        colleague = org_services.officer_create(
            unit=self.p.unit_a, name="甲所同事", staff_number="A077"
        )
        url = reverse("study:reflection_detail", args=[reflection.pk])
        self.assertStatus(colleague.user, "get", url, 404)
        self.assertStatus(self.p.officer_a, "get", url, 200)
        self.assertStatus(self.p.leader_a, "get", url, 200)
        page = self.assertStatus(
            colleague.user, "get", reverse("study:topic_detail", args=[topic.pk]), 200
        )
        self.assertNotContains(page, "甲民警")
        self.assertEqual(Reflection.objects.visible_to(colleague.user).count(), 0)


class OddDatesTests(PersonaTestCase):
    def test_dates_far_out_answer_plainly(self) -> None:
        for params in ({"end": "9999-12-31"}, {"start": "0001-01-01"}):
            page = self.assertStatus(self.p.committee, "get", reverse("study:records"), 200, params)
            self.assertContains(page, "1950年至2100年")
        person = reverse("study:officer_record", args=[self.p.officer_a_profile.pk])
        self.assertStatus(self.p.leader_a, "get", person, 200, {"start": "0001-01-01"})
