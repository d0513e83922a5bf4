"""Staff through the real pages: a task down the tree, and an answer to the public."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from zhengfa.campaign.models import Suggestion, Task
from zhengfa.campaign.services import suggestion_submit
from zhengfa.campaign.tests.factories import county_campaign
from zhengfa.org.testing import PASSWORD, browser_sign_in, build_personas

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_task_assigned_reported_with_evidence_and_accepted(
    browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    p = build_personas(password=PASSWORD)
    county_campaign(p)
    base = live_server.url
    county = browser.new_page()
    browser_sign_in(county, base, "zfw")
    county.goto(f"{base}/staff/tasks/new/")
    county.get_by_label("教育整顿").select_option(label="县教育整顿")
    county.locator("#id_title").fill("组织开展自查自纠")
    county.get_by_label("甲镇派出所", exact=True).check()
    county.get_by_label("完成时限").fill((timezone.localdate() + dt.timedelta(days=10)).isoformat())
    county.get_by_role("button", name="下发", exact=True).click()
    expect(county.get_by_text("已下发1项任务。")).to_be_visible()

    station = browser.new_page()
    browser_sign_in(station, base, "leader_a")
    expect(station.locator(".badge")).to_have_text("1")  # the new task's notice
    station.goto(f"{base}/staff/tasks/")
    station.get_by_role("link", name="组织开展自查自纠").click()
    evidence = tmp_path / "自查报告.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% report\n")
    station.get_by_label("说明").fill("全所民警已填报个人事项报告表。")
    station.get_by_label("佐证材料").set_input_files(str(evidence))
    station.get_by_role("button", name="报送进展").click()
    expect(station.get_by_text("已报送,待验收").first).to_be_visible()

    task = Task.objects.get()
    county.goto(f"{base}/staff/tasks/{task.pk}/")
    expect(county.get_by_role("link", name="自查报告.pdf")).to_be_visible()
    county.get_by_role("button", name="验收办结").click()
    expect(county.locator(".facts").get_by_text("已验收办结")).to_be_visible()


def test_staff_answer_an_opinion_and_supervision_reveals_the_phone(
    browser: Browser, page: Page, live_server: Any
) -> None:
    build_personas(password=PASSWORD)
    suggestion, _code = suggestion_submit(
        topic="service",
        content="希望延长户籍窗口办理时间。",
        phone="13600001234",
    )
    browser_sign_in(page, live_server.url, "zfw")
    page.goto(f"{live_server.url}/staff/opinions/")
    page.get_by_role("link", name="希望延长户籍窗口办理时间。").click()
    expect(page.get_by_text("136****1234")).to_be_visible()
    # The committee answers the matter; who wrote it is not its to see.
    expect(page.get_by_role("button", name="查看完整信息")).to_have_count(0)
    page.get_by_label("说明").fill("已调整为工作日延时至18:30。")
    page.get_by_role("button", name="答复").click()
    expect(page.locator(".facts").get_by_text("已答复")).to_be_visible()
    assert Suggestion.objects.get().state == "answered"
    supervision = browser.new_page()
    browser_sign_in(supervision, live_server.url, "jiancha")
    supervision.goto(f"{live_server.url}/staff/opinions/{suggestion.pk}/")
    # A refused request says so where the person clicked: a reason too short (400) ...
    supervision.get_by_placeholder("查看完整信息的事由").fill("x")
    supervision.get_by_role("button", name="查看完整信息").click()
    expect(supervision.locator(".reveal .errorlist")).to_be_visible()
    # ... and a refusal by the server (403), which before showed nothing at all.
    reveal_url = f"**/reveal/campaign.suggestion/{suggestion.pk}/phone/"
    supervision.route(reveal_url, lambda route: route.fulfill(status=403, body="refused"))
    supervision.get_by_placeholder("查看完整信息的事由").fill("核实反映人身份")
    supervision.get_by_role("button", name="查看完整信息").click()
    expect(supervision.locator(".request-error")).to_have_text("您无权进行此操作,没有作任何更改。")
    supervision.unroute(reveal_url)
    supervision.get_by_placeholder("查看完整信息的事由").fill("核实反映人身份")
    supervision.get_by_role("button", name="查看完整信息").click()
    expect(supervision.locator(".plain-value")).to_have_text("13600001234")


def test_an_opinion_routed_to_a_station_is_passed_on_to_another(
    browser: Browser, live_server: Any
) -> None:
    p = build_personas(password=PASSWORD)
    suggestion, _code = suggestion_submit(
        topic="conduct", unit=p.unit_a, content="乙镇集市上有人冒充民警收费。"
    )
    base = live_server.url
    station = browser.new_page()
    browser_sign_in(station, base, "leader_a")
    station.goto(f"{base}/staff/opinions/")
    expect(station.locator("table.list")).to_contain_text("甲镇派出所")
    station.get_by_role("link", name="乙镇集市上有人冒充民警收费").click()
    station.get_by_text("不归本单位办理?转办").click()
    station.get_by_role("button", name="转办", exact=True).click()  # nothing chosen
    expect(station.locator("#form-problems")).to_contain_text("转给")
    station.get_by_label("转给").select_option(label="乙镇派出所")
    station.get_by_label("转办理由").fill("事发地在乙镇辖区。")
    station.get_by_role("button", name="转办", exact=True).click()
    expect(station.get_by_text("已转交乙镇派出所。")).to_be_visible()
    expect(station.locator("table.list")).not_to_contain_text("冒充民警")

    other = browser.new_page()
    browser_sign_in(other, base, "leader_b")
    expect(other.locator(".badge")).to_have_text("1")
    other.goto(f"{base}/staff/opinions/")
    other.get_by_role("link", name="乙镇集市上有人冒充民警收费").click()
    expect(other.locator(".facts")).to_contain_text("乙镇派出所")
    expect(other.locator(".timeline")).to_contain_text("事发地在乙镇辖区。")
    assert Suggestion.objects.get(pk=suggestion.pk).unit == p.unit_b
