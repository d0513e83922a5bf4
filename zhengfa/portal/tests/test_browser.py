"""The public home on a phone, in headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_home_on_a_phone_in_chinese_with_large_type(browser: Browser, live_server: Any) -> None:
    from zhengfa.org.testing import demo_county

    demo_county.restore()  # the home page names the county from its data
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("政法工作平台")
    lead = page.locator(".lead")
    expect(lead).to_contain_text("康保县政法机关的网上窗口")
    expect(page.locator(".site-footer p").first).to_have_text("中共康保县委政法委员会")
    expect(page.locator("section.campaign h2")).to_have_text("2021年康保县政法队伍教育整顿(第一批)")
    expect(page.locator("section.campaign")).to_contain_text("已于2021-06-30结束")
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    before = float(lead.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    page.get_by_role("button", name="大字").click()
    expect(page.get_by_role("button", name="标准字号")).to_be_visible()
    after = float(page.locator(".lead").evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert after >= before * 1.3, (before, after)
    # It persists on the next visit.
    page.goto(live_server.url + "/")
    persisted = float(
        page.locator(".lead").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    )
    assert persisted == after
    page.screenshot(path="test-results/home-phone-large.png", full_page=True)
    context.close()
