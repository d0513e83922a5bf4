from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhengfa.org.models import Officer, User
from zhengfa.org.roster import COLUMNS
from zhengfa.org.testing import PersonaTestCase

HEADER = ["姓名", "单位编码", "职务", "警号/工号", "是否辅警(是/否)", "工作电话", "身份证号码"]


def workbook(rows: list[list[object]], header: list[str] = HEADER) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("roster.xlsx", out.getvalue())


class RosterImportTests(PersonaTestCase):
    url = reverse("org:officer_import")

    def post(self, upload: SimpleUploadedFile, user: User | None = None) -> Any:
        return self.client_for(user or self.p.leader_a).post(self.url, {"file": upload})

    def test_three_bad_rows_are_all_reported_and_nothing_is_imported(self) -> None:
        before = (Officer.objects.count(), User.objects.count())
        response = self.post(
            workbook(
                [
                    ["张一", "PCS-A", "民警", "A200", "否", "13800000001", "130723199901010015"],
                    ["张二", "PCS-A", "民警", "A201", "否", "", "130723199901010016"],  # bad ID
                    ["张三", "PCS-A", "民警", "A200", "否", "", ""],  # duplicate in file
                    ["张四", "NOPE", "民警", "A203", "是", "", ""],  # unknown unit
                    ["张五", "PCS-A", "辅警", "A002", "是", "", ""],  # exists already
                ]
            )
        )
        self.assertEqual(response.status_code, 400)
        errors = {(e.row, e.column.split(" ")[0]) for e in response.context["result"].errors}
        self.assertEqual(errors, {(3, "G"), (4, "D"), (5, "B"), (6, "D")})
        self.assertContains(response, "身份证号码最后一位校验不符", status_code=400)
        self.assertContains(response, "与第2行的警号/工号重复", status_code=400)
        self.assertContains(response, "没有此编码的单位", status_code=400)
        self.assertContains(response, "未导入任何数据", status_code=400)
        self.assertEqual((Officer.objects.count(), User.objects.count()), before)

    def test_a_unit_out_of_scope_counts_as_unknown(self) -> None:
        response = self.post(workbook([["张四", "PCS-B", "民警", "B300", "否", "", ""]]))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Officer.objects.filter(staff_number="B300").exists())

    def test_a_clean_roster_is_imported(self) -> None:
        response = self.post(
            workbook(
                [
                    ["张一", "PCS-A", "民警", "A200", "否", "13800000001", "130723199901010015"],
                    ["张二", "PCS-A", "辅警", "A201", "是", "0313-1234567", None],
                    [None, None, None, None, None, None, None],  # blank rows are skipped
                ]
            )
        )
        self.assertRedirects(response, reverse("org:officer_list"))
        a200 = Officer.objects.get(staff_number="A200")
        self.assertEqual(
            (a200.user.name, a200.unit, a200.is_auxiliary), ("张一", self.p.unit_a, False)
        )
        self.assertTrue(Officer.objects.get(staff_number="A201").is_auxiliary)

    def test_not_a_workbook(self) -> None:
        fake = SimpleUploadedFile("roster.xlsx", b"<?php echo 1; ?>")
        response = self.post(fake)
        self.assertContains(response, "不是Excel工作簿", status_code=400)

    def test_wrong_headings_and_empty_roster(self) -> None:
        self.assertContains(
            self.post(workbook([["x"]], header=["a", "b"])), "第一行须为模板的表头", status_code=400
        )
        self.assertContains(self.post(workbook([])), "花名册中没有人员", status_code=400)

    def test_missing_file_is_a_field_error(self) -> None:
        response = self.client_for(self.p.leader_a).post(self.url, {})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errorlist")

    def test_scope_and_methods(self) -> None:
        self.assertStatus(self.p.leader_a, "get", self.url, 200)
        self.assertStatus(self.p.leader_a, "put", self.url, 405)
        self.assertStatus(self.p.committee, "get", self.url, 403)
        self.assertStatus(self.p.officer_a, "post", self.url, 403)
        template = reverse("org:officer_import_template")
        response = self.assertStatus(self.p.leader_a, "get", template, 200)
        self.assertStatus(self.p.leader_a, "post", template, 405)
        self.assertStatus(self.p.committee, "get", template, 403)
        header = next(
            load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
        )
        self.assertEqual(list(header), HEADER)
        self.assertEqual(len(COLUMNS), len(HEADER))


class RosterLimitsTests(PersonaTestCase):
    def test_overlong_values_and_user_name_clashes_are_reported(self) -> None:
        response = self.client_for(self.p.leader_a).post(
            reverse("org:officer_import"),
            {
                "file": workbook(
                    [
                        ["张一", "PCS-A", "民警" * 40, "A400", "否", "", ""],
                        ["张二", "PCS-A", "民警", "X" * 40, "否", "", ""],
                        [
                            "张三",
                            "PCS-A",
                            "民警",
                            "SYSADMIN",
                            "否",
                            "",
                            "",
                        ],  # the administrator's user name
                    ]
                )
            },
        )
        self.assertEqual(response.status_code, 400)
        errors = {(e.row, e.column.split(" ")[0]) for e in response.context["result"].errors}
        self.assertEqual(errors, {(2, "C"), (3, "D"), (4, "D")})
        self.assertContains(response, "已有使用此用户名的账号", status_code=400)
        self.assertFalse(Officer.objects.filter(staff_number__in=["A400", "SYSADMIN"]).exists())

    def test_the_form_reports_a_user_name_clash(self) -> None:
        response = self.client_for(self.p.leader_a).post(
            reverse("org:officer_create"),
            {
                "name": "新人",
                "unit": self.p.unit_a.pk,
                "staff_number": "sysadmin",
                "status": "active",
            },
        )
        self.assertContains(response, "已有使用此用户名的账号", status_code=400)
        self.assertFalse(Officer.objects.filter(staff_number="sysadmin").exists())


def rewritten(upload: SimpleUploadedFile, name: str, change: Any) -> SimpleUploadedFile:
    """The workbook with one of its inner files changed (`change(text) -> text`)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(upload.read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == name:
                data = change(data.decode("utf-8")).encode("utf-8")
            target.writestr(info, data)
    return SimpleUploadedFile("roster.xlsx", out.getvalue())


class UnreadableRosterTests(PersonaTestCase):
    """Whatever the file holds, the answer is a plain message at the field, soon."""

    url = reverse("org:officer_import")
    SHEET = "xl/worksheets/sheet1.xml"

    def refused(self, upload: SimpleUploadedFile, message: str) -> None:
        before = Officer.objects.count()
        response = self.client_for(self.p.leader_a).post(self.url, {"file": upload})
        self.assertContains(response, message, status_code=400)
        self.assertEqual(Officer.objects.count(), before)

    def valid(self) -> SimpleUploadedFile:
        return workbook([["张一", "PCS-A", "民警", "A300", "否", "", ""]])

    def test_a_workbook_without_a_sheet(self) -> None:
        import re

        def no_sheets(text: str) -> str:
            return re.sub(r"<sheets>.*</sheets>", "<sheets/>", text, flags=re.S)

        self.refused(rewritten(self.valid(), "xl/workbook.xml", no_sheets), "不是Excel工作簿")

    def test_a_sheet_of_broken_xml(self) -> None:
        self.refused(
            rewritten(self.valid(), self.SHEET, lambda text: text[: len(text) // 2]),
            "不是Excel工作簿",
        )

    def test_one_cell_far_down_and_right_is_not_walked_to(self) -> None:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(HEADER)
        ws.cell(row=20000, column=1000, value="x")  # column ALL
        out = io.BytesIO()
        wb.save(out)
        self.assertLess(len(out.getvalue()), 10_000)
        far = SimpleUploadedFile("roster.xlsx", out.getvalue())
        self.refused(far, "最多5000行")
        # Without the sheet's declared size, reading still stops at the row limit.
        import re

        undeclared = rewritten(
            SimpleUploadedFile("roster.xlsx", out.getvalue()),
            self.SHEET,
            lambda text: re.sub(r"<dimension [^>]*/>", "", text),
        )
        self.refused(undeclared, "最多5000行")

    def test_a_style_sheet_far_beyond_a_rosters(self) -> None:
        padding = "<!--" + "s" * (2 * 1024 * 1024) + "-->"
        styled = rewritten(
            self.valid(), "xl/styles.xml", lambda text: text.replace("<fonts", padding + "<fonts")
        )
        self.refused(styled, "最多5000行")

    def test_a_file_that_unpacks_to_far_more_than_a_roster(self) -> None:
        padding = "<!--" + "x" * (25 * 1024 * 1024) + "-->"
        bomb = rewritten(
            self.valid(),
            self.SHEET,
            lambda text: text.replace("<sheetData>", padding + "<sheetData>"),
        )
        self.assertLess(bomb.size or 0, 1024 * 1024)
        self.refused(bomb, "最多5000行")
