"""Staff work through the real pages: a roster import, and an administrator's first sign-in."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from zhengfa.org.models import Officer
from zhengfa.org.testing import PASSWORD, browser_sign_in, build_personas

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
HEADER = ["姓名", "单位编码", "职务", "警号/工号", "是否辅警(是/否)", "工作电话", "身份证号码"]


def roster(path: Path, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    path.write_bytes(out.getvalue())
    return path


def test_leader_imports_a_roster_after_fixing_it(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    build_personas(password=PASSWORD)
    browser_sign_in(page, live_server.url, "leader_a")
    page.get_by_role("link", name="干警", exact=True).first.click()
    page.get_by_role("link", name="导入花名册").click()
    bad = roster(
        tmp_path / "bad.xlsx", [["张一", "PCS-A", "民警", "A300", "否", "", "130723199901010016"]]
    )
    page.get_by_label("花名册(.xlsx)").set_input_files(str(bad))
    page.get_by_role("button", name="检查并导入").click()
    expect(page.get_by_role("alert")).to_contain_text("未导入任何数据")
    expect(page.get_by_role("alert")).to_contain_text("身份证号码最后一位校验不符")
    assert not Officer.objects.filter(staff_number="A300").exists()
    good = roster(
        tmp_path / "good.xlsx", [["张一", "PCS-A", "民警", "A300", "否", "", "130723199901010015"]]
    )
    page.get_by_label("花名册(.xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="检查并导入").click()
    expect(page.get_by_text("已导入1人。")).to_be_visible()
    expect(page.get_by_role("link", name="张一")).to_be_visible()


def test_administrator_enrols_an_authenticator_on_first_sign_in(
    page: Page, live_server: Any
) -> None:
    build_personas(password=PASSWORD)
    browser_sign_in(page, live_server.url, "sysadmin", home=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("开启双因素登录")
    # The key is shown for people who cannot scan; the app makes its codes from it.
    secret = page.locator("code.secret").inner_text()
    code = totp(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    page.get_by_label("验证器应用显示的6位数字").fill(f"{code:06d}")
    page.get_by_role("button", name="开启").click()
    expect(page.get_by_text("您的账号已开启双因素登录。")).to_be_visible()
    page.get_by_role("link", name="账号管理").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("账号管理")
    expect(page.get_by_role("link", name="pcs_a")).to_be_visible()
