"""A citizen on a phone: gives an opinion, keeps the code, follows it up and adds a note."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, expect

from zhengfa.campaign.models import Suggestion
from zhengfa.campaign.services import suggestion_transition
from zhengfa.core.models import TimelineEvent
from zhengfa.core.tests.test_attachments import png
from zhengfa.org.testing import build_personas

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_citizen_from_form_to_answer_on_a_phone(browser: Browser, live_server: Any) -> None:
    p = build_personas()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(live_server.url + "/")
    # The language switch is down in the footer, not beside 大字.
    expect(page.locator(".site-header .lang-switch")).to_have_count(0)
    expect(page.locator(".site-footer").get_by_role("button", name="English")).to_be_visible()
    page.get_by_role("link", name="提意见建议").click()
    # Sending nothing names what is missing.
    page.get_by_role("button", name="提交").click()
    problems = page.locator("#form-problems")
    expect(problems).to_contain_text("反映哪方面的问题?")
    expect(problems).to_contain_text("您的意见建议")
    page.get_by_label("为民服务").check()
    page.get_by_label("反映的是哪个单位?").select_option(label="甲镇派出所")
    page.get_by_label("您的意见建议").fill("希望派出所周末也能办理身份证。")
    page.get_by_label("图片或文件(可不传)").set_input_files(
        files=[FilePayload(name="window.png", mimeType="image/png", buffer=png())]
    )
    # Every control a thumb needs is at least 44 px high.
    for control in [
        page.get_by_label("为民服务"),
        page.get_by_label("图片或文件(可不传)"),
        page.get_by_role("button", name="提交"),
        page.get_by_role("button", name="大字"),
    ]:
        box = control.evaluate("el => (el.closest('label') || el).getBoundingClientRect().height")
        assert box >= 44, (control, box)
    page.get_by_role("button", name="提交").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("您的意见建议已收到。")
    code = page.locator("#followup-code").inner_text()
    assert len(code.replace("-", "")) == 12
    expect(page.locator("#code-card")).to_be_visible()  # the picture to keep
    expect(page.get_by_role("link", name="保存为图片")).to_have_attribute(
        "download", f"查询码-{code}.png"
    )
    page.get_by_role("button", name="复制查询码").click()
    expect(page.get_by_role("button", name="已复制")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == code
    # The page's own link carries the code: nothing to type.
    page.get_by_role("link", name="现在查看进度").click()
    expect(page.get_by_label("查询码")).to_have_value(code)
    assert "#" not in page.url  # filled in, and gone from the address bar and history
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".status")).to_have_text("已收到")
    expect(page.locator("#expected-by")).to_contain_text("前答复您")
    expect(page.locator(".submission")).to_contain_text("希望派出所周末也能办理身份证。")
    expect(page.locator(".submission img")).to_be_visible()
    page.get_by_label("要补充的内容").fill("补充:最好周六上午。")
    page.get_by_role("button", name="补充").click()
    expect(page.get_by_text("已补充,办理人员会看到。")).to_be_visible()
    expect(page.get_by_text("补充:最好周六上午。")).to_be_visible()

    suggestion = Suggestion.objects.get()
    assert suggestion.unit == p.unit_a
    suggestion_transition(
        record=suggestion, name="answer", by=p.leader_a, comment="本所已开设周六上午窗口。"
    )
    page.reload()
    expect(page.locator(".answer-box")).to_contain_text("本所已开设周六上午窗口。")
    expect(page.locator(".answer-box")).to_contain_text("甲镇派出所")
    expect(page.locator("main")).not_to_contain_text(p.leader_a.display_name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="test-results/citizen-followup.png", full_page=True)
    assert TimelineEvent.objects.filter(by_citizen=True, comment="补充:最好周六上午。").exists()
    context.close()


def test_the_qr_link_fills_in_the_code(browser: Browser, live_server: Any) -> None:
    build_personas()
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


def test_an_older_phone_without_request_submit_still_sends(
    browser: Browser, live_server: Any
) -> None:
    """Browsers before iOS 16 and Chrome 76 have no form.requestSubmit: pressed before the
    check is done, the form is sent all the same once it is."""
    build_personas()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.add_init_script("delete HTMLFormElement.prototype.requestSubmit;")
    held: list[Any] = []  # the puzzle's answer waits until the button was pressed
    page.route("**/puzzle/**", lambda route: held.append(route))
    page.goto(live_server.url + "/opinion/")
    page.get_by_label("干警作风纪律").check()
    page.get_by_label("您的意见建议").fill("老手机也能提交意见。")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".proof-status")).to_be_visible()  # "checking…"
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#followup-code")).to_be_visible()
    assert Suggestion.objects.filter(content="老手机也能提交意见。").count() == 1
