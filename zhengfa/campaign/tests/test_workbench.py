"""The staff home is a workbench: what needs each person now, counted from the scope door,
each line opening the list behind it; menus offer only pages that open."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from zhengfa.campaign.models import Task
from zhengfa.campaign.selectors import units_overview
from zhengfa.campaign.services import suggestion_submit, task_transition
from zhengfa.campaign.tests.factories import county_campaign, task_for_unit_a
from zhengfa.core.navigation import menu_for
from zhengfa.org.testing import DemoCountyTestCase, PersonaTestCase

PERSONAS = [
    "committee",
    "leader_a",
    "clerk_a",
    "officer_a",
    "leader_b",
    "supervision",
    "mediator",
    "sysadmin",
]


def todo_lines(html: str) -> dict[str, tuple[int, str]]:
    """{label: (count, link)} of the page's 待办事项 list."""
    found = re.findall(
        r'<a href="([^"]+)"><span class="todo-count">(\d+)</span> '
        r'<span class="todo-label">([^<]+)</span>',
        html,
    )
    return {label: (int(n), href.replace("&amp;", "&")) for href, n, label in found}


class WorkbenchTests(PersonaTestCase):
    def setUp(self) -> None:
        campaign = county_campaign(self.p)
        self.fresh = task_for_unit_a(self.p, campaign)
        self.late = task_for_unit_a(self.p, campaign, days=1)
        Task.objects.filter(pk=self.late.pk).update(
            due_at=timezone.now() - dt.timedelta(days=3, hours=1)
        )
        self.reported = task_for_unit_a(self.p, campaign)
        task_transition(record=self.reported, name="report", by=self.p.leader_a, comment="已完成")
        suggestion_submit(topic="conduct", unit=self.p.unit_a, content="甲所窗口态度差。")

    def home(self, who: str) -> dict[str, tuple[int, str]]:
        page = self.assertStatus(getattr(self.p, who), "get", "/staff/", 200)
        return todo_lines(page.content.decode())

    def test_the_station_leader_sees_what_his_unit_must_do(self) -> None:
        lines = self.home("leader_a")
        self.assertEqual(lines["本单位待报送的任务"][0], 2)
        self.assertEqual(lines["待答复的群众意见"][0], 1)
        self.assertNotIn("待我验收的报送", lines)
        page = self.assertStatus(self.p.leader_a, "get", "/staff/", 200)
        self.assertContains(page, "1项已逾期,最久超期3天")
        # Each line opens exactly the records it counted.
        listed = self.assertStatus(self.p.leader_a, "get", lines["本单位待报送的任务"][1], 200)
        self.assertEqual(len(listed.context["page"].object_list), 2)
        answer = self.assertStatus(self.p.leader_a, "get", lines["待答复的群众意见"][1], 200)
        self.assertContains(answer, "甲所窗口态度差")

    def test_the_committee_checks_reports_and_sees_its_units(self) -> None:
        lines = self.home("committee")
        self.assertEqual(lines["待我验收的报送"][0], 1)
        self.assertNotIn("本单位待报送的任务", lines)  # the stations report, not the committee
        check = self.assertStatus(self.p.committee, "get", lines["待我验收的报送"][1], 200)
        self.assertEqual([t.pk for t in check.context["page"].object_list], [self.reported.pk])
        page = self.assertStatus(self.p.committee, "get", "/staff/", 200)
        self.assertContains(page, "所辖单位未办结事项")
        rows = {r.unit.name: r for r in units_overview(self.p.committee)}
        self.assertEqual(
            (rows["测试县公安局"].tasks_open, rows["测试县公安局"].tasks_overdue), (3, 1)
        )
        self.assertEqual(rows["测试县公安局"].opinions_open, 1)
        self.assertEqual(rows["测试县司法局"].tasks_open, 0)

    def test_work_of_a_unit_without_its_own_accounts_reaches_the_unit_above(self) -> None:
        from zhengfa.campaign.selectors import opinions_to_answer, tasks_to_report
        from zhengfa.campaign.services import task_assign

        bureau = self.p.unit_a.parent  # nobody of the bureau has an account in the personas
        assert bureau is not None
        opinion, _code = suggestion_submit(topic="other", unit=bureau, content="给公安局的意见。")
        self.assertIn(opinion, opinions_to_answer(self.p.committee))
        self.assertNotIn(opinion, opinions_to_answer(self.p.leader_a))
        [task] = task_assign(
            campaign=self.fresh.campaign,
            title="局机关自查",
            description="",
            units=[bureau],
            due_at=timezone.now() + dt.timedelta(days=5),
            by=self.p.committee,
        )
        self.assertEqual(task.owner, self.p.committee)  # told, and on someone's list
        self.assertIn(task, tasks_to_report(self.p.committee))
        self.assertNotIn(task, tasks_to_report(self.p.leader_a))

    def test_another_station_and_the_mediator_have_nothing_of_station_a(self) -> None:
        for who in ("leader_b", "mediator", "officer_a"):
            lines = self.home(who)
            self.assertNotIn("本单位待报送的任务", lines, who)
            self.assertNotIn("待答复的群众意见", lines, who)
        page = self.assertStatus(self.p.leader_b, "get", "/staff/", 200)
        self.assertEqual([r.unit for r in units_overview(self.p.leader_b)], [self.p.unit_b])
        self.assertNotContains(page, "甲镇派出所")

    def test_every_menu_link_opens_for_every_persona(self) -> None:
        for who in PERSONAS:
            user = getattr(self.p, who)
            client = self.client_for(user)
            for group in menu_for(user):
                for entry in group["entries"]:
                    with self.subTest(who=who, url=entry["url"]):
                        self.assertEqual(client.get(entry["url"]).status_code, 200)
        labels = {e["label"] for g in menu_for(self.p.mediator) for e in g["entries"]}
        self.assertFalse({"单位", "干警", "我的学习"} & {str(label) for label in labels})
        labels = {str(e["label"]) for g in menu_for(self.p.officer_a) for e in g["entries"]}
        self.assertIn("我的学习", labels)
        self.assertNotIn("单位", labels)

    def test_an_officer_page_links_his_unit_only_when_it_opens(self) -> None:
        from zhengfa.org.models import Officer

        mine = Officer.objects.get(user=self.p.officer_a)
        page = self.assertStatus(self.p.officer_a, "get", f"/staff/org/officers/{mine.pk}/", 200)
        self.assertNotContains(page, f"/staff/org/units/{mine.unit_id}/")
        page = self.assertStatus(self.p.leader_a, "get", f"/staff/org/officers/{mine.pk}/", 200)
        self.assertContains(page, f"/staff/org/units/{mine.unit_id}/")


class DemoAccountsHaveWorkTests(DemoCountyTestCase):
    def test_every_demo_account_finds_something_to_do(self) -> None:
        from zhengfa.core.workbench import todos_for
        from zhengfa.org.models import User

        expected = {
            "zfw": "待我验收的报送",
            "fy_leader": "本单位待报送的任务",
            "gaj_leader": "待答复的群众意见",
            "pcs_a": "待写的心得体会",
            "pcs_b": "待提交的学习笔记",
            "jiancha": "逾期未答复的群众意见(监督)",
            "tiaojie": "待决定是否受理的调解申请",
        }
        for username, line in expected.items():
            user = User.objects.get(username=username)
            labels = {str(t.label) for t in todos_for(user)}
            self.assertIn(line, labels, username)
        from zhengfa.org.testing import signed_in_client

        station = signed_in_client(User.objects.get(username="pcs_a")).get("/staff/")
        self.assertContains(station, "“我为群众办实事”专题学习")
        county = signed_in_client(User.objects.get(username="zfw")).get("/staff/")
        self.assertContains(county, "所辖单位未办结事项")
        self.assertContains(county, "康保县司法局")
