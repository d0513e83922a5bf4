"""A citizen on a phone: gives an opinion, keeps the code, follows it up and adds a note."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from zhengfa.campaign.models import Suggestion
from zhengfa.campaign.tests.factories import county_campaign
from zhengfa.core.models import TimelineEvent
from zhengfa.org.testing import build_personas

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_citizen_submits_copies_the_code_and_follows_up(browser: Browser, live_server: Any) -> None:
    county_campaign(build_personas())
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="提意见建议").click()
    page.get_by_label("为民服务").check()
    page.get_by_label("您的意见建议").fill("希望派出所周末也能办理身份证。")
    page.get_by_role("button", name="提交").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("您的意见建议已收到。")
    code = page.locator("#followup-code").inner_text()
    assert len(code.replace("-", "")) == 20
    page.get_by_role("button", name="复制查询码").click()
    expect(page.get_by_role("button", name="已复制")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == code

    page.get_by_role("link", name="查询进度").click()
    page.get_by_label("查询码").fill(copied)
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".status")).to_have_text("已收到")
    page.get_by_label("要补充的内容").fill("补充:最好周六上午。")
    page.get_by_role("button", name="补充").click()
    expect(page.get_by_text("已补充,办理人员会看到。")).to_be_visible()
    expect(page.get_by_text("补充:最好周六上午。")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="test-results/citizen-followup.png", full_page=True)

    suggestion = Suggestion.objects.get()
    assert suggestion.content == "希望派出所周末也能办理身份证。"
    assert TimelineEvent.objects.filter(by_citizen=True, comment="补充:最好周六上午。").exists()
    context.close()


def test_the_qr_link_fills_in_the_code(browser: Browser, live_server: Any) -> None:
    county_campaign(build_personas())
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + "/opinion/")
    page.get_by_label("干警作风纪律").check()
    page.get_by_label("您的意见建议").fill("窗口人员服务态度很好,表扬。")
    page.get_by_role("button", name="提交").click()
    code = page.locator("#followup-code").inner_text()
    page.goto(f"{live_server.url}/query/#{code}")
    expect(page.get_by_label("查询码")).to_have_value(code)
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".status")).to_have_text("已收到")
