"""The workbench through the real pages: three people, each shown what needs him, and the
phone menu of a station officer."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from zhengfa.campaign.services import suggestion_submit, task_transition
from zhengfa.campaign.tests.factories import county_campaign, task_for_unit_a
from zhengfa.org.testing import PASSWORD, browser_sign_in, build_personas
from zhengfa.study.tests.factories import activity_for_unit_a

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_three_people_see_their_own_work(browser: Browser, live_server: Any) -> None:
    p = build_personas(password=PASSWORD)
    campaign = county_campaign(p)
    task_for_unit_a(p, campaign)
    reported = task_for_unit_a(p, campaign)
    task_transition(record=reported, name="report", by=p.leader_a, comment="已完成")
    suggestion_submit(topic="conduct", unit=p.unit_a, content="甲所窗口态度差。")
    lecture = activity_for_unit_a(p, starts_in_minutes=60)
    base = live_server.url

    # The station leader, on a desktop: his unit's task and opinion, and today's lecture.
    leader = browser.new_page(viewport={"width": 1366, "height": 768})
    browser_sign_in(leader, base, "leader_a")
    todos = leader.locator(".todo-list")
    expect(todos).to_contain_text("本单位待报送的任务")
    expect(todos).to_contain_text("待答复的群众意见")
    expect(leader.locator(".soon")).to_contain_text("党史学习专题讲座")
    leader.locator(".soon").get_by_role("link", name="打开签到屏").click()
    expect(leader).to_have_url(f"{base}/staff/study/activities/{lecture.pk}/qr/")
    expect(leader.locator("#qr-code img")).to_be_visible()
    leader.goto(f"{base}/staff/")
    leader.locator(".todo-list").get_by_role("link", name="待答复的群众意见").click()
    expect(leader.locator("table.list")).to_contain_text("甲所窗口态度差")

    # The committee: the report to check and its units' open work, each count a link.
    county = browser.new_page(viewport={"width": 1366, "height": 768})
    browser_sign_in(county, base, "zfw")
    expect(county.locator(".todo-list")).to_contain_text("待我验收的报送")
    overview = county.locator(".units-overview")
    expect(overview).to_contain_text("测试县公安局")
    overview.get_by_role("row", name="测试县公安局").get_by_role("link").first.click()
    expect(county.locator("table.list tbody tr")).to_have_count(2)

    # The officer on a phone: no unit work, his lecture, and a menu named by tasks.
    officer = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    browser_sign_in(officer, base, "pcs_a")
    expect(officer.locator(".todos")).not_to_contain_text("本单位待报送的任务")
    expect(officer.locator(".todos")).not_to_contain_text("待答复的群众意见")
    expect(officer.locator(".soon")).to_contain_text("我参加的")
    expect(officer.locator(".desktop-menu")).to_be_hidden()
    officer.get_by_text("菜单", exact=True).click()
    menu = officer.locator(".phone-menu")
    expect(menu.get_by_role("link", name="我的学习")).to_be_visible()
    expect(menu.get_by_role("link", name="单位")).to_have_count(0)
    for link in menu.get_by_role("link").all():
        assert link.bounding_box()["height"] >= 44  # type: ignore[index]
    menu.get_by_role("link", name="我的学习").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text("我的学习")
    assert officer.evaluate("document.documentElement.scrollWidth") <= 390
    officer.screenshot(path="test-results/officer-phone-menu.png", full_page=True)
