"""The stage brief of the demo county states every figure of the 2021 article, computed
from the records: change a record and the figure changes."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse

from zhengfa.campaign.models import DataValue
from zhengfa.org.models import Unit, User
from zhengfa.org.testing import DemoCountyTestCase, signed_in_client
from zhengfa.reports.brief import build, docx_bytes
from zhengfa.service.models import VolunteerActivity

START, END = dt.date(2021, 2, 27), dt.date(2021, 4, 15)
# What the article says, as the brief says it.
ARTICLE = [
    "专题讲座、政法队伍教育整顿推进会等24场次",
    "参加政治轮训、各类培训累计5300余人次",
    "1527册",
    "开展革命传统教育1场次",
    "县委书记专题讲党课1场次",
    "开展志愿服务27场次",
    "推出惠民便民措施12条",
    "侦办黄赌毒等刑事案件871起",
    "打掉犯罪团伙4个",
    "举办廉政教育报告讲座1场次",
    "4月7日,举办政法队伍教育整顿新闻发布会",
]


class StageBriefTests(DemoCountyTestCase):
    def setUp(self) -> None:
        self.county = Unit.objects.get(code="ZFW")

    def text(self, start: dt.date = START, end: dt.date = END) -> str:
        return build(self.county, start, end).text

    def test_the_brief_states_every_figure_of_the_article(self) -> None:
        text = self.text()
        for phrase in ARTICLE:
            with self.subTest(phrase):
                self.assertIn(phrase, text)
        self.assertTrue(text.startswith("中共康保县委政法委员会政法队伍教育整顿阶段成效简报"))
        for pillar in ("政治过硬", "业务过硬", "责任过硬", "纪律过硬", "作风过硬"):
            self.assertIn(pillar, text)

    def test_figures_are_computed_from_the_records(self) -> None:
        VolunteerActivity.objects.filter(held_on__range=(START, END)).order_by(
            "pk"
        ).first().delete()  # type: ignore[union-attr]
        value = DataValue.objects.filter(
            element__code="criminal_cases", report__period_start=dt.date(2021, 3, 1)
        ).order_by("pk")[0]
        DataValue.objects.filter(pk=value.pk).update(value=value.value + Decimal(1))
        text = self.text()
        self.assertIn("开展志愿服务26场次", text)
        self.assertIn("侦办黄赌毒等刑事案件872起", text)

    def test_no_data_is_said_not_printed_as_zero(self) -> None:
        text = self.text(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
        self.assertIn("开展志愿服务(本期暂无数据)", text)
        self.assertIn("侦办黄赌毒等刑事案件(本期暂无数据)", text)
        self.assertIn("(本期未举办新闻发布会)", text)
        self.assertNotRegex(text, r"(?<![\d.])0(场次|起|个|条|册|人次)")

    def test_the_docx_opens_and_says_the_same(self) -> None:
        from docx import Document

        brief = build(self.county, START, END)
        doc = Document(io.BytesIO(docx_bytes(brief)))
        text = "\n".join(p.text for p in doc.paragraphs)
        for phrase in ARTICLE:
            with self.subTest(phrase):
                self.assertIn(phrase, text)
        bold = {run.text for p in doc.paragraphs for run in p.runs if run.bold}
        self.assertIn("871起", bold)

    def test_the_command_prints_or_writes_it(self) -> None:
        out = io.StringIO()
        call_command(
            "stage_brief",
            "--unit",
            "ZFW",
            "--from",
            "2021-02-27",
            "--to",
            "2021-04-15",
            stdout=out,
        )
        self.assertIn("开展志愿服务27场次", out.getvalue())
        with self.assertRaisesMessage(Exception, "结束日期早于开始日期"):
            call_command("stage_brief", "--from", "2021-04-15", "--to", "2021-02-27")

    def test_the_page_links_each_figure_to_its_records_and_downloads(self) -> None:
        client = signed_in_client(User.objects.get(username="zfw"))
        query = f"?unit={self.county.pk}&start=2021-02-27&end=2021-04-15"
        page = client.get(reverse("reports:brief") + query)
        self.assertEqual(page.status_code, 200)
        drill = reverse("reports:drill", args=["service.volunteer_activities"])
        self.assertContains(page, f'href="{drill}?unit={self.county.pk}&amp;start=2021-02-27')
        self.assertContains(page, ">27场次</a>")
        download = client.get(reverse("reports:brief_docx") + query)
        self.assertEqual(download.status_code, 200)
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertTrue(download.content.startswith(b"PK"))
        # A range that ends before it starts: said at the form, nothing else.
        bad = client.get(
            reverse("reports:brief") + f"?unit={self.county.pk}&start=2021-04-15&end=2021-02-27"
        )
        self.assertContains(bad, "结束日期早于开始日期", status_code=400)
        bad = client.get(
            reverse("reports:brief_docx")
            + f"?unit={self.county.pk}&start=2021-04-15&end=2021-02-27"
        )
        self.assertEqual(bad.status_code, 400)


# Figures that sum a quantity of their records rather than count them.
SUMS = {"study.booklets"}


class DrillDownTests(DemoCountyTestCase):
    def test_every_counted_figure_lists_exactly_its_records(self) -> None:
        from zhengfa.reports.figures import indicators

        county = Unit.objects.get(code="ZFW")
        checked = 0
        for name, indicator in indicators().items():
            if indicator.rows is None:
                continue
            rows = indicator.rows(county, START, END)
            value = indicator.compute(county, START, END)
            with self.subTest(name):
                if name in SUMS or name.startswith("reported."):
                    field = "value" if name.startswith("reported.") else "copies"
                    total = sum(getattr(r, field) for r in rows)
                    self.assertEqual(total, value or 0)
                else:
                    self.assertEqual(rows.count(), value or 0)
                    self.assertEqual(len(set(rows.values_list("pk", flat=True))), rows.count())
            checked += 1
        self.assertGreater(checked, 25)
