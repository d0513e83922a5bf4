"""A province through the real pages: a citizen on a phone names his county before the
unit, and the province committee opens a county's own tree from the unit tree."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser, expect

from zhengfa.campaign.models import Suggestion
from zhengfa.org import demo
from zhengfa.org.models import Unit
from zhengfa.org.testing import browser_sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_citizen_and_the_province_committee(browser: Browser, live_server: Any) -> None:
    call_command("seed_demo", "--counties", "2", stdout=io.StringIO())
    [(code, name, _city)] = demo.county_names(2)
    base = live_server.url

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{base}/")
    phone.get_by_role("link", name="提意见建议").click()
    phone.get_by_label("是哪个县(市、区)的事?").select_option(label=name)
    phone.get_by_role("button", name="下一步").click()
    expect(phone.get_by_text(f"事项所在:中共{name}委政法委员会")).to_be_visible()
    units = phone.get_by_label("反映的是哪个单位?")
    expect(units.locator("option", has_text=f"{name}公安局")).to_have_count(1)
    expect(units.locator("option", has_text="康保县公安局")).to_have_count(0)
    units.select_option(label=f"{name}公安局")
    phone.get_by_label("为民服务").check()
    phone.get_by_label("您的意见建议").fill("希望在乡镇设身份证自助拍照点,老人跑县城不方便。")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("button", name="复制查询码")).to_be_visible()
    assert Suggestion.objects.latest("pk").unit == Unit.objects.get(code=f"{code}-GAJ")

    desk = browser.new_page(viewport={"width": 1366, "height": 768})
    browser_sign_in(desk, base, "zfw_province", settings.DEMO_PASSWORD)
    desk.goto(f"{base}/staff/org/units/")
    # The province opens on its cities; a city unfolds to its counties, each a tree of its own.
    city = Unit.objects.get(code="XC01-ZFW").name
    desk.locator("summary", has_text=city).click()
    # The innermost item holding the county committee: its own line.
    county = desk.locator("li", has=desk.get_by_role("link", name=f"中共{name}委政法委员会")).last
    county.get_by_role("link", name="下级单位4个").click()
    expect(desk.locator(".breadcrumbs")).to_contain_text("中共河北省委政法委员会")
    expect(desk.locator(".tree")).to_contain_text(f"{name}公安局")
    expect(desk.locator(".tree")).to_contain_text("派出所")
