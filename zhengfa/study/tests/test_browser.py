"""An organiser runs a study activity; an officer signs in with his phone."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from zhengfa.org.testing import PASSWORD, browser_sign_in, build_personas
from zhengfa.study.demo import ensure_activity_types
from zhengfa.study.models import Activity, Attendance

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
FMT = "%Y-%m-%dT%H:%M"


def test_organiser_runs_an_activity_and_an_officer_signs_in(
    browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    ensure_activity_types()
    build_personas(password=PASSWORD)
    base = live_server.url
    organiser = browser.new_page(viewport={"width": 1280, "height": 900})
    browser_sign_in(organiser, base, "leader_a")
    organiser.goto(f"{base}/staff/study/activities/new/")
    start = timezone.localtime() + dt.timedelta(minutes=10)
    organiser.get_by_label("标题").fill("习近平法治思想专题讲座")
    organiser.get_by_label("类别").select_option(label="专题讲座")
    organiser.get_by_label("组织单位").select_option(label="甲镇派出所")
    organiser.get_by_label("开始时间").fill(start.strftime(FMT))
    organiser.get_by_label("结束时间").fill((start + dt.timedelta(hours=2)).strftime(FMT))
    organiser.get_by_label("地点").fill("派出所会议室")
    organiser.locator(".unit-tree").get_by_label("甲镇派出所").check()
    organiser.get_by_role("button", name="保存").click()
    expect(organiser.get_by_role("heading", level=1)).to_have_text("习近平法治思想专题讲座")

    organiser.get_by_role("link", name="显示签到二维码").click()
    expect(organiser.locator("img.big-qr")).to_be_visible()
    link = organiser.locator("a.qr-link").get_attribute("href")
    assert link and "/staff/study/checkin/" in link

    phone_context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    browser_sign_in(phone, base, "pcs_a")
    phone.goto(link)
    phone.get_by_role("button", name="确认签到").click()
    expect(phone.get_by_role("status")).to_contain_text("签到")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path="test-results/study-checkin-phone.png", full_page=True)
    activity = Activity.objects.get()
    assert Attendance.objects.get(activity=activity).officer.user.username == "pcs_a"

    organiser.goto(f"{base}/staff/study/activities/{activity.pk}/")
    photo = tmp_path / "现场.png"
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (180, 20, 20)).save(out, format="PNG")
    photo.write_bytes(out.getvalue())
    minutes = tmp_path / "会议记录.pdf"
    minutes.write_bytes(b"%PDF-1.4\n% minutes\n")
    organiser.locator("#photos-form input[type=file]").set_input_files(str(photo))
    organiser.get_by_role("button", name="上传照片").click()
    expect(organiser.get_by_text("已保存。")).to_be_visible()
    organiser.locator("#minutes-form textarea").fill("会议由所长主持,全体民警参加。")
    organiser.locator("#minutes-form input[type=file]").set_input_files(str(minutes))
    organiser.get_by_role("button", name="保存记录").click()
    organiser.locator("#speech-form").get_by_label("发言人").fill("甲民警")
    organiser.locator("#speech-form").get_by_label("发言摘要").fill("结合岗位谈学习体会。")
    organiser.locator("#speech-form").get_by_role("button", name="添加发言").click()
    evidence = organiser.locator("ul.evidence")
    for kind in ("签到", "发言", "图片", "记录"):
        expect(evidence.locator("li.ok", has_text=kind)).to_have_count(1)
    expect(evidence.locator("li.missing")).to_have_text(["笔记"])
    organiser.screenshot(path="test-results/study-evidence.png", full_page=True)
    phone_context.close()


def test_reflection_comment_and_the_bell(browser: Browser, live_server: Any) -> None:
    from zhengfa.study import services

    p = build_personas(password=PASSWORD)
    topic = services.topic_create(
        by=p.committee,
        unit=p.root,
        title="对照五个过硬查不足",
        prompt="",
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    base = live_server.url
    officer = browser.new_page(viewport={"width": 390, "height": 844})
    browser_sign_in(officer, base, "pcs_a")
    officer.goto(f"{base}/staff/study/")
    officer.get_by_role("link", name="对照五个过硬查不足").click()
    officer.get_by_label("查找的不足").fill("理论学习不够系统,联系群众不够紧密。")
    officer.get_by_label("整改打算").fill("每周集中学习两次以上,主动走访辖区群众。")
    officer.get_by_role("button", name="提交").click()
    expect(officer.get_by_text("心得已保存。")).to_be_visible()

    leader = browser.new_page()
    browser_sign_in(leader, base, "leader_a")
    leader.goto(f"{base}/staff/study/talks/{topic.pk}/")
    leader.get_by_role("link", name="甲民警").click()
    leader.get_by_label("点评内容").fill("认识深刻,抓好落实。")
    leader.get_by_role("button", name="发表点评").click()
    expect(leader.get_by_text("认识深刻,抓好落实。")).to_be_visible()

    officer.goto(f"{base}/staff/")
    officer.get_by_role("link", name="通知").first.click()
    officer.get_by_role("button", name="您的心得有新点评").click()
    expect(officer.get_by_text("认识深刻,抓好落实。")).to_be_visible()


def test_the_county_reads_its_study_records_on_the_demo(page: Page, live_server: Any) -> None:
    from django.conf import settings

    from zhengfa.org.testing import demo_county

    demo_county.restore()
    base = live_server.url
    browser_sign_in(page, base, "zfw", settings.DEMO_PASSWORD)
    page.get_by_role("link", name="学习台账").first.click()
    page.get_by_label(re.compile("^从")).fill("2021-02-27")
    page.get_by_label(re.compile("^至")).fill("2021-04-15")
    page.get_by_role("button", name="查看").click()
    figures = page.locator("dl.figures")
    expect(figures).to_contain_text("专题讲座和会议")
    expect(figures.locator("dd").first).to_have_text("24 场次")
    expect(figures).to_contain_text("1527 册")
    by_unit = page.locator("table.list").first
    expect(by_unit.locator("tbody tr").first).to_contain_text("中共康保县委政法委员会")
    expect(by_unit.locator("tbody tr", has_text="康保县公安局")).to_have_count(1)
    officers = page.locator("table.list").nth(1)
    expect(officers.locator("tbody tr")).to_have_count(50)
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_text("第 2 页")).to_be_visible()
    name = officers.locator("tbody tr a").first.inner_text()
    officers.locator("tbody tr a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
