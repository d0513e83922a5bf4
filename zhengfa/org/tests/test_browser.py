"""Through the real pages in headless Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from zhengfa.org.models import Officer
from zhengfa.org.testing import browser_sign_in, demo_county

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def county(live_server: Any) -> str:
    demo_county.restore()
    return str(live_server.url)


def test_committee_opens_the_unit_tree_and_an_officer(page: Page, county: str) -> None:
    browser_sign_in(page, county, "zfw", settings.DEMO_PASSWORD)
    page.get_by_role("link", name="单位", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("单位")
    page.get_by_role("link", name="康保县公安局").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("康保县公安局")
    page.get_by_role("link", name="康保镇派出所").click()
    first = page.locator("table.list tbody tr a").first
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    id_cell = page.locator("dd.masked")
    expect(id_cell).to_have_text(re.compile(r"^\d{6}\*{8}[\dX]{4}$"))


def test_officer_of_one_station_gets_404_for_the_other(page: Page, county: str) -> None:
    other = Officer.objects.filter(unit__code="GAJ-S02").exclude(user__username="pcs_b").first()
    assert other is not None
    browser_sign_in(page, county, "pcs_a", settings.DEMO_PASSWORD)
    response = page.goto(f"{county}/staff/org/officers/{other.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("页面不存在")
    expect(page.get_by_text(other.user.name)).to_have_count(0)
