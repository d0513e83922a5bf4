"""Staff through the real pages: a task of the work plan to two organs with a lead, shared
out by the bureau to a station and seen on the matrix; a station's monthly figures entered,
refused when negative, submitted and approved by the committee."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from zhengfa.campaign.models import DataElement, DataReport
from zhengfa.campaign.tests.factories import county_campaign
from zhengfa.org import services as org_services
from zhengfa.org.access import Role
from zhengfa.org.testing import PASSWORD, browser_sign_in, build_personas

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_plan_task_is_shared_out_and_shown_on_the_matrix(
    browser: Browser, live_server: Any
) -> None:
    p = build_personas(password=PASSWORD)
    campaign = county_campaign(p)
    bureau_leader = org_services.officer_create(
        unit=p.bureau, name="局长", staff_number="G001", username="gaj_lead", password=PASSWORD
    ).user
    org_services.role_assign(user=bureau_leader, role=Role.LEADER, unit=p.bureau)
    base = live_server.url
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()

    county = browser.new_page()
    browser_sign_in(county, base, "zfw")
    county.goto(f"{base}/staff/tasks/new/")
    county.get_by_label("教育整顿").select_option(label="县教育整顿")
    county.locator("#id_title").fill("落实百日巩固方案")
    county.get_by_label("测试县公安局", exact=True).check()
    county.get_by_label("测试县司法局", exact=True).check()
    county.get_by_label("牵头单位").select_option(label="测试县公安局")
    county.get_by_label("完成时限").fill(due)
    county.get_by_role("button", name="下发", exact=True).click()
    expect(county.get_by_text("已下发2项任务。")).to_be_visible()

    bureau = browser.new_page()
    browser_sign_in(bureau, base, "gaj_lead")
    bureau.goto(f"{base}/staff/tasks/")
    bureau.get_by_role("link", name="落实百日巩固方案").click()
    expect(bureau.locator(".facts")).to_contain_text("牵头单位")
    bureau.get_by_text("分解给下级单位").click()
    bureau.get_by_label("甲镇派出所", exact=True).check()
    bureau.get_by_label("完成时限").fill(due)
    bureau.get_by_role("button", name="分解", exact=True).click()
    expect(bureau.get_by_text("已分解给1个单位。")).to_be_visible()
    expect(bureau.get_by_role("heading", name="分解任务")).to_be_visible()

    county.goto(f"{base}/staff/campaigns/{campaign.pk}/")
    county.get_by_role("link", name="工作方案:各单位任务落实情况").click()
    row = county.locator("tr", has=county.get_by_role("rowheader", name="测试县公安局"))
    expect(row).to_contain_text("分解任务已验收 0/1")
    expect(row).to_contain_text("牵头")
    station = county.locator("tr", has=county.get_by_role("rowheader", name="甲镇派出所"))
    station.get_by_role("link", name="已下发").click()
    expect(county.locator(".facts")).to_contain_text("所属任务")


def test_a_station_submits_its_figures_and_the_committee_approves(
    browser: Browser, live_server: Any
) -> None:
    build_personas(password=PASSWORD)
    DataElement.objects.create(
        code="criminal_cases", name="侦办刑事案件", measure="起", unit_kinds=["police_station"]
    )
    base = live_server.url
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    station = browser.new_page()
    browser_sign_in(station, base, "leader_a")
    station.get_by_role("link", name="数据填报").first.click()
    station.get_by_label("统计周期").select_option(label="按月")
    station.get_by_label("周期内任一天").fill(last_month.isoformat())
    station.get_by_role("button", name="查看").click()
    station.get_by_role("link", name="甲镇派出所").click()
    station.get_by_label("侦办刑事案件(起)").fill("-2")
    station.get_by_role("button", name="保存并报送").click()
    expect(station.locator(".errorlist")).to_contain_text("数据不能为负数")
    assert not DataReport.objects.exists()
    station.get_by_label("侦办刑事案件(起)").fill("12")
    station.get_by_role("button", name="保存并报送").click()
    expect(station.get_by_text("已报送上级单位。")).to_be_visible()
    expect(station.get_by_text("已报送,待审核").first).to_be_visible()

    county = browser.new_page()
    browser_sign_in(county, base, "zfw")
    county.get_by_role("link", name="待我审核的填报数据").click()
    county.get_by_role("link", name="甲镇派出所 · ").first.click()
    county.get_by_role("button", name="审核通过").click()
    expect(county.get_by_text("已审核").first).to_be_visible()
    assert DataReport.objects.get().state == "approved"
