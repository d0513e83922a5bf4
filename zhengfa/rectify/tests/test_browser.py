"""Self-inspection to a closed ledger item, through the real pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from zhengfa.org.testing import PASSWORD, browser_sign_in, build_personas
from zhengfa.rectify.models import LedgerItem

from .factories import county_round

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_declared_problem_set_rectified_with_evidence_and_closed_by_another(
    browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    p = build_personas(password=PASSWORD)
    county_round(p)
    base = live_server.url

    # The officer finds his form on his workbench and declares one problem.
    officer = browser.new_page()
    browser_sign_in(officer, base, "pcs_a")
    officer.get_by_role("link", name="待填写的个人事项报告表").click()
    business = officer.locator("fieldset", has_text="违规经商办企业")
    business.get_by_label("有,我存在这个问题").check()
    business.get_by_label("具体情况").fill("以亲属名义入股一家农资店。")
    officer.get_by_role("button", name="提交", exact=True).click()
    expect(officer.get_by_text("已提交,谢谢。")).to_be_visible()
    expect(officer.get_by_text("以亲属名义入股一家农资店。")).to_be_visible()

    # His leader finds the new item and sets its measures, deadline and standard.
    leader = browser.new_page()
    browser_sign_in(leader, base, "leader_a")
    leader.get_by_role("link", name="待定整改措施的台账问题").click()
    leader.get_by_role("link", name="以亲属名义入股一家农资店。").click()
    leader.get_by_role("link", name="定措施、时限、责任人、标准").click()
    leader.get_by_label("整改措施").fill("退出股份,本人作出书面说明。")
    due = timezone.localdate() + dt.timedelta(days=20)
    leader.get_by_label("整改时限").fill(due.isoformat())
    leader.get_by_label("整改责任人(警号或工号)").fill("A001")
    leader.get_by_label("验收标准").fill("工商登记变更完成。")
    leader.get_by_role("button", name="保存").click()
    expect(leader.get_by_text("已保存。")).to_be_visible()
    leader.get_by_role("button", name="开始整改").click()
    expect(leader.locator(".facts").get_by_text("整改中")).to_be_visible()
    evidence = tmp_path / "变更登记.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% registration\n")
    leader.get_by_label("整改进展").fill("已办理股权变更登记。")
    leader.get_by_label("佐证材料(照片、文件)").set_input_files(str(evidence))
    leader.get_by_role("button", name="记录", exact=True).click()
    expect(leader.get_by_text("整改进展已记录。")).to_be_visible()
    leader.get_by_label("说明").fill("股份已全部退出。")
    leader.get_by_role("button", name="申请验收").click()
    expect(leader.locator(".facts").get_by_text("待验收")).to_be_visible()
    # The leader of the unit itself does not verify its own unit's rectification.
    expect(leader.get_by_role("button", name="验收销号")).to_have_count(0)

    # The county committee, a unit above, verifies and closes it.
    committee = browser.new_page()
    browser_sign_in(committee, base, "zfw")
    committee.get_by_role("link", name="待我验收的整改").click()
    committee.get_by_role("link", name="以亲属名义入股一家农资店。").click()
    expect(committee.get_by_role("link", name="变更登记.pdf")).to_be_visible()
    committee.get_by_role("button", name="验收销号").click()
    expect(committee.locator(".facts").get_by_text("已销号", exact=True)).to_be_visible()
    assert LedgerItem.objects.get().state == "closed"
