"""The county committee opens its dashboard on the demo, follows the volunteer-service
figure to the 27 activities behind it, and downloads the stage brief."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_committee_drills_into_a_figure_and_downloads_the_brief(
    page: Page, live_server: Any
) -> None:
    from django.conf import settings
    from docx import Document

    from zhengfa.org.testing import browser_sign_in, demo_county

    demo_county.restore()
    base = live_server.url
    browser_sign_in(page, base, "zfw", settings.DEMO_PASSWORD)
    page.get_by_role("link", name="工作看板").first.click()
    page.get_by_label(re.compile("^从")).fill("2021-02-27")
    page.get_by_label(re.compile("^至")).fill("2021-04-15")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", level=2, name="责任过硬")).to_be_visible()
    volunteer = page.locator('.pillar-figures [data-figure="service.volunteer_activities"]')
    expect(volunteer).to_have_text("27")
    # The charts draw (ECharts from our own static files) over the numbers' tables.
    expect(page.locator("#chart-trends svg")).to_be_visible()
    volunteer.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("志愿服务")
    expect(page.locator(".figure-line")).to_contain_text("计入记录27条")
    expect(page.locator("table.drill tbody tr")).to_have_count(27)
    expect(page.locator("table.drill")).to_contain_text("法治宣传进乡村")
    page.get_by_role("link", name="工作看板").first.click()
    page.get_by_role("link", name="本期阶段成效简报").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("阶段成效简报")
    expect(page.locator("article.brief")).to_contain_text("开展志愿服务27场次")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载Word文档(.docx)").click()
    path = info.value.path()
    doc = Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "侦办黄赌毒等刑事案件871起" in text
    assert "开展志愿服务27场次" in text
