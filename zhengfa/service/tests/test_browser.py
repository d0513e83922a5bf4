"""A citizen on a phone finds his village officer, books a holiday slot and cancels it with
his code; the village's officer arranges and completes a home visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, FilePayload, expect

from zhengfa.core.testing import png_upload
from zhengfa.org.testing import PASSWORD, browser_sign_in, build_personas
from zhengfa.service import services
from zhengfa.service.calendar import is_working_day
from zhengfa.service.models import Appointment, HomeVisit, Opening

from . import factories
from .factories import villages

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_citizen_books_a_holiday_slot_and_cancels_it(browser: Browser, live_server: Any) -> None:
    p = build_personas(password=PASSWORD)
    east, _west = villages(p)
    services.post_assign(
        village=east, officer=p.officer_a_profile, by=p.leader_a, office_hours="每周二上午在村委会"
    )
    offer = factories.offer(p)
    # The station opens the next day off (节假日预约).
    day_off = next(
        d
        for d in (timezone.localdate() + dt.timedelta(days=i) for i in range(1, 14))
        if not is_working_day(d)
    )
    services.opening_add(
        offer=offer,
        by=p.leader_a,
        opening=Opening(
            day=day_off, opens=dt.time(9), closes=dt.time(11), slot_minutes=60, capacity=4
        ),
    )
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    citizen = phone.new_page()
    citizen.goto(live_server.url + "/")
    citizen.get_by_role("link", name="找村警").click()
    citizen.get_by_role("link", name="甲镇").click()
    citizen.get_by_role("link", name="东村").click()
    expect(citizen.locator("#officer")).to_contain_text("甲民警")
    expect(citizen.locator("#officer")).to_contain_text("每周二上午在村委会")
    expect(citizen.get_by_role("link", name="拨打 13812345678")).to_have_attribute(
        "href", "tel:13812345678"
    )
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390

    citizen.goto(live_server.url + "/")
    citizen.get_by_role("link", name="预约办事").click()
    citizen.get_by_role("link", name="身份证办理").click()
    citizen.locator("#days").get_by_role("link", name=f"{day_off:%Y-%m-%d}").click()
    expect(citizen.locator("#chosen-day")).to_contain_text(f"{day_off:%Y-%m-%d}")
    citizen.get_by_label("10:00–11:00(剩4个名额)").check()
    citizen.get_by_label("您的姓名").fill("刘春花")
    citizen.get_by_label("您的手机号码").fill("139 0000 7777")
    citizen.get_by_role("button", name="预约").click()
    expect(citizen.get_by_role("heading", level=1)).to_contain_text("预约成功")
    code = citizen.locator("#followup-code").inner_text()
    appointment = Appointment.objects.get()
    assert appointment.holiday and appointment.state == "booked"
    assert timezone.localtime(appointment.slot.starts_at).hour == 10
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 390

    # Cancelled with the code.
    citizen.goto(f"{live_server.url}/query/#{code}")
    citizen.get_by_role("button", name="查询").click()
    expect(citizen.locator("main")).to_contain_text("已预约")
    citizen.get_by_text("取消预约", exact=True).click()
    citizen.get_by_role("button", name="确定:取消预约").click()
    expect(citizen.locator(".status")).to_have_text("已取消")
    appointment.refresh_from_db()
    assert appointment.state == "cancelled"
    assert appointment.slot.booked == 0


def test_the_village_officer_makes_a_home_visit(browser: Browser, live_server: Any) -> None:
    p = build_personas(password=PASSWORD)
    east, _west = villages(p)
    services.post_assign(village=east, officer=p.officer_a_profile, by=p.leader_a)
    visit = factories.visit(p, east)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    staff = desk.new_page()
    browser_sign_in(staff, live_server.url, "pcs_a")
    staff.get_by_role("link", name="待安排的上门服务").click()
    staff.get_by_role(
        "link",
        name=visit.created_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d"),
    ).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("张大爷")
    when = (timezone.localtime() + dt.timedelta(days=1)).replace(hour=9, minute=30)
    staff.get_by_label("上门时间").fill(when.strftime("%Y-%m-%dT%H:%M"))
    staff.locator("#arrange").get_by_role("button", name="安排上门").click()
    expect(staff.locator("#visit")).to_contain_text("已安排上门")
    staff.get_by_label("上门日期").fill(str(timezone.localdate()))
    staff.get_by_label("办理情况").fill("上门采集照片,新证15天后送达。")
    upload = png_upload()
    staff.get_by_label("照片(可不传)").set_input_files(
        files=[FilePayload(name="visit.png", mimeType="image/png", buffer=upload.read())]
    )
    staff.get_by_role("button", name="已上门").click()
    expect(staff.locator("#visit")).to_contain_text("已上门")
    visit.refresh_from_db()
    assert visit.state == "done" and visit.visited_on == timezone.localdate()
    assert HomeVisit.objects.get().officer == p.officer_a_profile
