"""Figures units report per period: entry, approval by the unit above, aggregation up the
tree, completeness and timeliness, and bad input that changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from zhengfa.campaign import selectors
from zhengfa.campaign.models import DataElement, DataReport, DataReportState, DataValue
from zhengfa.campaign.services import data_save, data_transition
from zhengfa.core.registry import registry
from zhengfa.org.models import Unit, User
from zhengfa.org.testing import PersonaTestCase

MARCH, APRIL = dt.date(2021, 3, 1), dt.date(2021, 4, 1)


class ReportedFiguresTests(PersonaTestCase):
    def setUp(self) -> None:
        self.cases = DataElement.objects.create(
            code="criminal_cases",
            name="侦办刑事案件",
            measure="起",
            unit_kinds=["police_station"],
        )
        self.gangs = DataElement.objects.create(
            code="gangs", name="打掉犯罪团伙", measure="个", unit_kinds=["police"]
        )

    def enter(
        self, unit: Unit, start: dt.date, n: int, by: User, submit: bool = True
    ) -> DataReport:
        return data_save(
            unit=unit,
            period_type="month",
            period_start=start,
            values={self.cases: Decimal(n)},
            by=by,
            submit=submit,
        )

    def approve(self, report: DataReport) -> None:
        data_transition(record=report, name="approve", by=self.p.committee)

    def total(
        self, unit: Unit, start: dt.date = MARCH, end: dt.date = dt.date(2021, 4, 30)
    ) -> float | None:
        indicator = registry.all_indicators()["reported.criminal_cases"]
        return indicator.compute(unit, start, end)

    def test_values_add_up_the_tree_once_approved(self) -> None:
        a_march = self.enter(self.p.unit_a, MARCH, 10, self.p.leader_a)
        b_march = self.enter(self.p.unit_b, MARCH, 7, self.p.leader_b)
        a_april = self.enter(self.p.unit_a, APRIL, 5, self.p.clerk_a)
        # Nothing approved: no data, not zero.
        self.assertIsNone(self.total(self.p.root))
        for report in (a_march, b_march, a_april):
            self.approve(report)
        self.assertEqual(self.total(self.p.root), 22)
        self.assertEqual(self.total(self.p.bureau), 22)
        self.assertEqual(self.total(self.p.unit_a), 15)
        self.assertEqual(self.total(self.p.unit_b), 7)
        self.assertIsNone(self.total(self.p.justice))
        # A range within April counts April's whole report, not March's.
        self.assertEqual(self.total(self.p.root, APRIL, dt.date(2021, 4, 15)), 5)
        # The drill-down lists exactly the values summed.
        rows = registry.all_indicators()["reported.criminal_cases"].rows
        assert rows is not None
        listed = rows(self.p.bureau, MARCH, dt.date(2021, 4, 30))
        self.assertEqual(sum(v.value for v in listed), 22)
        self.assertEqual(listed.count(), 3)

    def test_submit_approve_return(self) -> None:
        report = self.enter(self.p.unit_a, MARCH, 10, self.p.leader_a)
        self.assertEqual(report.state, DataReportState.SUBMITTED)
        self.assertIsNotNone(report.submitted_at)
        # The unit's own leader does not approve its figures; a sibling cannot either.
        for who in (self.p.leader_a, self.p.leader_b):
            with self.subTest(who=who.username), self.assertRaises(PermissionDenied):
                data_transition(record=report, name="approve", by=who)
        with self.assertRaises(ValidationError):  # a return needs a reason
            data_transition(record=report, name="return", by=self.p.committee)
        data_transition(record=report, name="return", by=self.p.committee, comment="数字有误")
        report.refresh_from_db()
        self.assertEqual(report.state, DataReportState.RETURNED)
        first = report.submitted_at
        report = self.enter(self.p.unit_a, MARCH, 11, self.p.leader_a)
        self.assertEqual((report.state, report.submitted_at), (DataReportState.SUBMITTED, first))
        self.approve(report)
        self.assertEqual(self.total(self.p.root), 11)

    def test_bad_input_changes_nothing(self) -> None:
        report = self.enter(self.p.unit_a, MARCH, 10, self.p.leader_a)
        self.approve(report)
        next_month = (timezone.localdate().replace(day=28) + dt.timedelta(days=5)).replace(day=1)
        cases = [
            ("negative", APRIL, -1),
            ("a period to come", next_month, 3),
            ("a second submission of an approved period", MARCH, 12),
            ("not the first day of a period", dt.date(2021, 4, 2), 3),
        ]
        for what, start, n in cases:
            with self.subTest(what), self.assertRaises(ValidationError):
                self.enter(self.p.unit_a, start, n, self.p.leader_a)
        with self.assertRaises(PermissionDenied):  # another unit's figures
            self.enter(self.p.unit_a, APRIL, 3, self.p.leader_b)
        self.assertEqual(DataReport.objects.count(), 1)
        self.assertEqual(list(DataValue.objects.values_list("value", flat=True)), [10])

    def test_bad_input_on_the_page(self) -> None:
        url = reverse("campaign:data_entry", args=[self.p.unit_a.pk, "month", "2021-03-01"])
        client = self.client_for(self.p.leader_a)
        for value, message in (("-3", "不能为负数"), ("十", "输入一个数字"), ("", "请填写")):
            with self.subTest(value=value):
                response = client.post(url, {"criminal_cases": value, "submit": ""})
                self.assertContains(response, message, status_code=400)
        self.assertFalse(DataReport.objects.exists())
        response = client.post(url, {"criminal_cases": "9", "submit": ""})
        self.assertRedirects(response, url, fetch_redirect_response=False)
        self.approve(DataReport.objects.get())
        response = client.post(url, {"criminal_cases": "12", "submit": ""})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "已审核", status_code=400)
        self.assertEqual(list(DataValue.objects.values_list("value", flat=True)), [9])
        # A future period or a day that begins none is not a page.
        for start in ("2099-01-01", "2021-03-02", "nonsense"):
            bad = reverse("campaign:data_entry", args=[self.p.unit_a.pk, "month", start])
            self.assertEqual(client.get(bad).status_code, 404, start)

    def test_completeness_and_timeliness(self) -> None:
        on_time = self.enter(self.p.unit_a, MARCH, 10, self.p.leader_a)
        DataReport.objects.filter(pk=on_time.pk).update(
            submitted_at=dt.datetime(2021, 4, 5, 10, tzinfo=dt.UTC)
        )
        late = self.enter(self.p.unit_b, MARCH, 4, self.p.leader_b)
        DataReport.objects.filter(pk=late.pk).update(
            submitted_at=dt.datetime(2021, 4, 20, 10, tzinfo=dt.UTC)
        )
        status = selectors.period_status([self.p.root.path], "month", MARCH)
        # Two stations report cases, the bureau reports gangs: three expected.
        self.assertEqual((status.expected, status.submitted, status.on_time), (3, 2, 1))
        page = self.assertStatus(
            self.p.committee,
            "get",
            reverse("campaign:data_home") + "?period_type=month&day=2021-03-15",
            200,
        )
        self.assertContains(page, "2/3")
        self.assertContains(page, "1/3")

    def test_the_workbench_says_what_waits(self) -> None:
        from zhengfa.core.workbench import todos_for

        report = self.enter(self.p.unit_a, MARCH, 10, self.p.leader_a)
        labels = {t.label: t.count for t in todos_for(self.p.committee)}
        self.assertEqual(labels.get("待我审核的填报数据"), 1)
        self.assertNotIn("待我审核的填报数据", {t.label for t in todos_for(self.p.leader_a)})
        data_transition(record=report, name="return", by=self.p.committee, comment="数字有误")
        labels = {t.label: t.count for t in todos_for(self.p.leader_a)}
        self.assertEqual(labels.get("退回本单位修改的填报数据"), 1)
        page = self.assertStatus(self.p.leader_a, "get", reverse("campaign:data_home"), 200)
        self.assertContains(page, report.get_absolute_url())

    def test_the_person_who_submitted_does_not_approve(self) -> None:
        report = self.enter(self.p.unit_a, MARCH, 10, self.p.committee)
        with self.assertRaises(PermissionDenied):
            data_transition(record=report, name="approve", by=self.p.committee)
        report.refresh_from_db()
        self.assertEqual(report.state, DataReportState.SUBMITTED)


class DataElementTests(PersonaTestCase):
    url = reverse_lazy("campaign:data_element_new")

    def test_the_committee_defines_a_figure(self) -> None:
        data = {
            "code": "gangs_broken",
            "name": "打掉犯罪团伙",
            "measure": "个",
            "period_type": "month",
            "unit_kinds": ["police", "police_station"],
            "order": "1",
            "is_active": "on",
        }
        response = self.client_for(self.p.committee).post(self.url, data)
        self.assertRedirects(
            response, reverse("campaign:data_elements"), fetch_redirect_response=False
        )
        element = DataElement.objects.get()
        self.assertEqual(element.unit_kinds, ["police", "police_station"])
        self.assertIn("reported.gangs_broken", registry.all_indicators())
        # Once reported, its code stays: dashboards and briefs name it.
        report = data_save(
            unit=self.p.bureau,
            period_type="month",
            period_start=MARCH,
            values={element: Decimal(2)},
            by=self.p.committee,
        )
        self.assertTrue(report.values.exists())
        edit = reverse("campaign:data_element_edit", args=[element.pk])
        self.client_for(self.p.committee).post(edit, {**data, "code": "renamed", "name": "团伙"})
        element.refresh_from_db()
        self.assertEqual((element.code, element.name), ("gangs_broken", "团伙"))

    def test_bad_definitions_save_nothing(self) -> None:
        DataElement.objects.create(code="taken", name="已有", measure="起", unit_kinds=["police"])
        cases: list[tuple[dict[str, Any], str]] = [
            ({"code": "taken"}, "已存在"),
            ({"code": "有 空格"}, "code"),
            ({"unit_kinds": []}, "unit_kinds"),
            ({"unit_kinds": ["no_such_kind"]}, "unit_kinds"),
            ({"name": ""}, "name"),
        ]
        base: dict[str, Any] = {
            "code": "new_one",
            "name": "新数据",
            "measure": "起",
            "period_type": "month",
            "unit_kinds": ["police"],
            "order": "0",
        }
        for change, where in cases:
            with self.subTest(change=change):
                response = self.client_for(self.p.committee).post(self.url, {**base, **change})
                self.assertEqual(response.status_code, 400)
                if where == "已存在":
                    self.assertContains(response, where, status_code=400)
                else:
                    self.assertContains(response, f'id="id_{where}_error"', status_code=400)
        self.assertEqual(DataElement.objects.count(), 1)
