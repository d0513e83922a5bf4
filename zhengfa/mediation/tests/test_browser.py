"""A citizen on a phone applies for mediation and keeps the code; the village's mediator
accepts the case, records a session and the agreement, and downloads the 调解协议书; the
citizen follows the case with his code."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from playwright.sync_api import Browser, expect

from zhengfa.mediation.models import Case
from zhengfa.org.testing import PASSWORD, browser_sign_in, build_personas

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_application_from_the_phone_to_the_agreement(browser: Browser, live_server: Any) -> None:
    p = build_personas(password=PASSWORD)
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    citizen = phone.new_page()
    citizen.goto(live_server.url + "/")
    citizen.get_by_role("link", name="申请调解").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("申请调解")
    citizen.get_by_label("向哪个调解组织申请?").select_option(label="甲村人民调解委员会")
    citizen.get_by_label("是哪类纠纷?").select_option(label="邻里")
    citizen.get_by_label("发生了什么?").fill("邻居盖房占了我家半米宅基地,多次协商不成。")
    citizen.get_by_label("您希望怎样解决?").fill("按原界线拆除重砌。")
    citizen.get_by_label("您的姓名").fill("赵六")
    citizen.get_by_label("您的手机号码").fill("139 0000 6666")
    citizen.get_by_label("对方姓名或单位名称").fill("钱七")
    citizen.get_by_role("button", name="提交").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("您的调解申请已收到。")
    code = citizen.locator("#followup-code").inner_text()
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390
    case = Case.objects.get()
    assert (case.organisation, case.state) == (p.mediation_committee, "applied")

    # The village's mediator on a desktop.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff = desk.new_page()
    browser_sign_in(staff, live_server.url, "tiaojie")
    staff.get_by_role("link", name="待决定是否受理的调解申请").click()
    staff.get_by_role("link", name=case.number).click()
    staff.get_by_role("button", name="受理", exact=True).click()
    expect(staff.locator("#case-facts")).to_contain_text("已受理")
    staff.get_by_role("link", name="登记调解会").click()
    staff.get_by_label("日期和时间").fill("2026-03-05T09:30")
    staff.get_by_label("地点").fill("村委会调解室")
    staff.get_by_label("参加人员").fill("赵六、钱七、调解员")
    staff.get_by_label("记录").fill("双方同意按原界线重砌院墙。")
    staff.get_by_role("button", name="保存").click()
    expect(staff.locator("#case-facts")).to_contain_text("调解中")
    staff.get_by_role("link", name="登记调解协议").click()
    staff.get_by_label("纠纷事实、争议事项及各方责任").fill("钱七盖房越过原界线半米。")
    staff.get_by_label("达成的协议内容").fill("钱七于一个月内按原界线重砌院墙。")
    staff.get_by_label("履行方式和期限").fill("2026年4月5日前完成。")
    staff.get_by_label("达成日期").fill("2026-03-05")
    staff.get_by_role("button", name="保存").click()
    expect(staff.locator("#case-facts")).to_contain_text("调解成功")
    with staff.expect_download() as download_info:
        staff.get_by_role("link", name="下载Word文档(.docx)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    with open(download.path(), "rb") as f:
        text = "\n".join(p.text for p in Document(io.BytesIO(f.read())).paragraphs)
    assert "调解协议书" in text and "钱七于一个月内按原界线重砌院墙。" in text

    # The citizen follows the case with his code.
    citizen.goto(f"{live_server.url}/query/#{code}")
    citizen.get_by_role("button", name="查询").click()
    expect(citizen.locator("main")).to_contain_text("调解成功")
    expect(citizen.locator("main")).to_contain_text(case.number)
    citizen.screenshot(path="test-results/mediation-followed.png", full_page=True)
    phone.close()
    desk.close()
