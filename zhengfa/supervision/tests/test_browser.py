"""A citizen on a phone reports anonymously with a photo and keeps the code; supervision staff
accept, send for verification, conclude and reply through the real pages; the citizen reads
the reply under his code and rates it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, expect

from zhengfa.core.testing import png_upload
from zhengfa.org import services as org
from zhengfa.org.testing import PASSWORD, browser_sign_in, build_personas
from zhengfa.supervision.models import Report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_report_from_the_phone_to_the_rating(browser: Browser, live_server: Any) -> None:
    p = build_personas(password=PASSWORD)
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    citizen = phone.new_page()
    citizen.goto(live_server.url + "/")
    citizen.get_by_role("link", name="举报投诉").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("举报投诉")
    citizen.get_by_label("举报干警违纪违法").check()
    citizen.get_by_label("反映的是哪个单位?", exact=False).first.select_option(label="甲镇派出所")
    citizen.get_by_label("属于哪类问题?").select_option(label="吃拿卡要、收受财物")
    citizen.get_by_label("发生了什么?").fill("窗口民警办户口时暗示要送烟酒才给快办。")
    citizen.get_by_label("什么时候发生的?").fill("上周一上午")
    citizen.get_by_label("图片或文件(可不传)").set_input_files(
        files=[FilePayload(name="window.png", mimeType="image/png", buffer=png_upload().read())]
    )
    expect(citizen.get_by_label("不留名,匿名反映")).to_be_checked()
    # The phone does the proof of work by itself; the person only presses the button.
    citizen.get_by_role("button", name="提交").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("您的举报投诉已收到。")
    code = citizen.locator("#followup-code").inner_text()
    assert len(code.replace("-", "")) == 12
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    report = Report.objects.get()
    assert (report.real_name, report.name, report.about_unit) == (False, "", p.unit_a)

    # Supervision staff on a desktop: accept, send to the bureau, conclude with a reply.
    bureau_leader = org.officer_create(
        unit=p.bureau,
        name="局领导",
        staff_number="G001",
        username="leader_bureau",
        password=PASSWORD,
    )
    org.role_assign(user=bureau_leader.user, role="leader", unit=p.bureau)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff = desk.new_page()
    browser_sign_in(staff, live_server.url, "jiancha")
    staff.get_by_role("link", name="待受理的新举报").click()
    staff.get_by_role("link", name=str(report.pk), exact=True).click()
    expect(staff.locator("#reporter")).to_have_text("匿名")
    staff.get_by_role("button", name="受理", exact=True).click()
    expect(staff.locator(".facts")).to_contain_text("已受理")
    staff.locator("#assign summary").click()
    staff.get_by_label("核查单位:", exact=True).select_option(label="测试县公安局")
    staff.get_by_label("被反映干警(警号或工号,已知的话)").first.fill("A002")
    staff.get_by_label("核查要求(给核查单位看;不写举报人)").fill("请调取窗口监控核实。")
    staff.locator("#assign").get_by_role("button", name="提交").click()
    expect(staff.locator(".facts")).to_contain_text("核查中")
    staff.locator("#conclude summary").click()
    staff.get_by_label("属实", exact=True).check()
    staff.get_by_label("查明的情况(工作人员可见;属实的列入整改台账)").fill(
        "监控显示该民警收受香烟一条。"
    )
    staff.get_by_label("给反映人的答复").fill("经核查,您反映的问题属实,已责令整改并作出处理。")
    staff.get_by_role("button", name="登记结论").click()
    expect(staff.locator(".facts")).to_contain_text("属实")
    expect(staff.get_by_role("link", name="已列入整改台账", exact=False)).to_be_visible()
    staff.get_by_role("button", name="办结", exact=True).click()
    expect(staff.locator(".facts")).to_contain_text("已办结")

    # The citizen comes back with his code, reads the reply and rates it.
    citizen.goto(f"{live_server.url}/query/#{code}")
    citizen.get_by_role("button", name="查询").click()
    expect(citizen.locator(".answer-box")).to_contain_text("已责令整改")
    expect(citizen.locator("main")).not_to_contain_text("香烟一条")
    citizen.get_by_label("基本满意").check()
    citizen.get_by_label("还想对我们说的话(可不填)").fill("希望以后不再发生。")
    citizen.get_by_role("button", name="提交评价").click()
    expect(citizen.locator("#rated")).to_contain_text("基本满意")
    report.refresh_from_db()
    assert (report.state, report.satisfaction) == ("closed", "mostly")
    citizen.screenshot(path="test-results/supervision-rated.png", full_page=True)
    phone.close()
    desk.close()
