"""Every staff view of org: success, wrong method, out of scope (404), read-only (403)."""

from __future__ import annotations

import io

from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from zhengfa.core.scope import can
from zhengfa.org import services
from zhengfa.org.models import Officer
from zhengfa.org.testing import PersonaTestCase


class UnitViewTests(PersonaTestCase):
    def test_unit_tree(self) -> None:
        url = reverse("org:unit_tree")
        page = self.assertStatus(self.p.committee, "get", url, 200)
        self.assertContains(page, "甲镇派出所")
        self.assertContains(page, "乙镇派出所")
        # The first level is open; the bureau's stations are folded under it.
        html = page.content.decode()
        self.assertRegex(html, r'<details open><summary><a href="[^"]+">测试县委政法委</a>')
        self.assertRegex(html, r'<details><summary><a href="[^"]+">测试县公安局</a>')
        self.assertStatus(self.p.committee, "post", url, 405)
        leader = self.assertStatus(self.p.leader_a, "get", url, 200)
        self.assertNotContains(leader, "乙镇派出所")
        # An officer holds no unit scope: nothing to show.
        self.assertStatus(self.p.officer_a, "get", url, 404)

    def test_unit_detail(self) -> None:
        url = reverse("org:unit_detail", args=[self.p.unit_b.pk])
        page = self.assertStatus(self.p.committee, "get", url, 200)
        self.assertContains(page, "乙民警")
        self.assertStatus(self.p.committee, "post", url, 405)
        self.assertStatus(self.p.leader_a, "get", url, 404)
        self.assertStatus(self.p.officer_b, "get", url, 404)
        self.assertStatus(self.p.leader_a, "get", reverse("org:unit_detail", args=[999999]), 404)


class OfficerViewTests(PersonaTestCase):
    def test_officer_list_filters_and_scope(self) -> None:
        url = reverse("org:officer_list")
        page = self.assertStatus(self.p.committee, "get", url, 200)
        self.assertContains(page, "甲民警")
        self.assertContains(page, "乙民警")
        self.assertStatus(self.p.committee, "post", url, 405)
        filtered = self.assertStatus(self.p.committee, "get", url, 200, {"unit": self.p.unit_b.pk})
        self.assertNotContains(filtered, "甲民警")
        self.assertContains(filtered, "乙民警")
        search = self.assertStatus(self.p.committee, "get", url, 200, {"q": "A002"})
        self.assertContains(search, "甲民警")
        self.assertNotContains(search, "乙民警")
        leader = self.assertStatus(self.p.leader_a, "get", url, 200)
        self.assertNotContains(leader, "乙民警")
        # A unit out of scope is not a valid filter: nothing, not the other unit's people.
        sneaky = self.assertStatus(self.p.leader_a, "get", url, 200, {"unit": self.p.unit_b.pk})
        self.assertNotContains(sneaky, "乙民警")
        self.assertContains(sneaky, "errorlist")

    def test_officer_list_htmx_fragment(self) -> None:
        client = self.client_for(self.p.committee)
        response = client.get(reverse("org:officer_list"), {"q": "乙"}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<html")
        self.assertContains(response, "乙民警")
        # A cache must keep the fragment and the page apart.
        self.assertIn("HX-Request", response["Vary"])
        self.assertIn("HX-Request", client.get(reverse("org:officer_list"))["Vary"])

    def test_officer_detail_masks_personal_data(self) -> None:
        url = reverse("org:officer_detail", args=[self.p.officer_b_profile.pk])
        page = self.assertStatus(self.p.committee, "get", url, 200)
        self.assertContains(page, "130723********0012")
        self.assertNotContains(page, "130723199902020012")
        self.assertContains(page, "138****5678")
        self.assertNotContains(page, "13812345678")
        self.assertStatus(self.p.committee, "post", url, 405)
        self.assertStatus(self.p.officer_a, "get", url, 404)
        self.assertStatus(self.p.leader_a, "get", url, 404)
        self.assertStatus(self.p.officer_b, "get", url, 200)

    def edit_data(self, **overrides: object) -> dict[str, object]:
        o = self.p.officer_a_profile
        data: dict[str, object] = {
            "name": "甲民警",
            "unit": o.unit_id,
            "position": "社区民警",
            "staff_number": o.staff_number,
            "work_phone": "0313-1234567",
            "id_number": "130723199901010015",
            "status": "active",
            "left_on": "",
        }
        data.update(overrides)
        return data

    def test_pages_with_personal_data_are_never_cached(self) -> None:
        detail = reverse("org:officer_detail", args=[self.p.officer_a_profile.pk])
        for url in (detail, reverse("org:officer_list"), reverse("core:dashboard")):
            response = self.assertStatus(self.p.leader_a, "get", url, 200)
            self.assertIn("no-store", response["Cache-Control"], url)
            self.assertIn("private", response["Cache-Control"], url)

    def test_the_edit_form_never_shows_the_full_id_number_or_phone(self) -> None:
        url = reverse("org:officer_edit", args=[self.p.officer_a_profile.pk])
        for editor in (self.p.leader_a, self.p.sysadmin):
            page = self.assertStatus(editor, "get", url, 200)
            self.assertNotContains(page, "130723199901010015")
            self.assertNotContains(page, "13812345678")
            self.assertContains(page, 'value="130723********0015"')
            self.assertContains(page, 'value="138****5678"')
        # Left as shown, both are kept; the audit log records no change of them.
        kept = self.edit_data(id_number="130723********0015", work_phone="138****5678")
        self.assertStatus(self.p.leader_a, "post", url, 302, kept)
        officer = Officer.objects.get(pk=self.p.officer_a_profile.pk)
        self.assertEqual(
            (officer.id_number, officer.work_phone), ("130723199901010015", "13812345678")
        )
        update = LogEntry.objects.get_for_object(officer).get(action=LogEntry.Action.UPDATE)
        self.assertFalse({"id_number", "work_phone"} & set(update.changes_dict))
        # A new phone is logged as changed, never as the number.
        self.assertStatus(self.p.leader_a, "post", url, 302, {**kept, "work_phone": "13955556666"})
        logged = str(
            list(LogEntry.objects.get_for_object(officer).values_list("changes", flat=True))
        )
        self.assertNotIn("13955556666", logged)
        self.assertNotIn("13812345678", logged)
        # Typed anew, the value is checked and replaces the old one.
        self.assertStatus(
            self.p.leader_a, "post", url, 400, {**kept, "id_number": "130723199901010016"}
        )
        self.assertStatus(self.p.leader_a, "post", url, 302, {**kept, "work_phone": "13900001111"})
        self.assertEqual(Officer.objects.get(pk=officer.pk).work_phone, "13900001111")
        # Seeing the full value is the reveal button's, which system administrators lack.
        self.assertFalse(can(self.p.sysadmin, "org", "reveal"))

    def test_officer_edit(self) -> None:
        url = reverse("org:officer_edit", args=[self.p.officer_a_profile.pk])
        self.assertStatus(self.p.leader_a, "get", url, 200)
        self.assertStatus(self.p.leader_a, "put", url, 405)
        self.assertStatus(self.p.officer_b, "get", url, 404)
        self.assertStatus(self.p.committee, "get", url, 403)  # sees, may not change
        self.assertStatus(self.p.officer_a, "post", url, 403, self.edit_data())
        response = self.client_for(self.p.leader_a).post(url, self.edit_data())
        self.assertRedirects(
            response, reverse("org:officer_detail", args=[self.p.officer_a_profile.pk])
        )
        officer = Officer.objects.get(pk=self.p.officer_a_profile.pk)
        self.assertEqual((officer.position, officer.work_phone), ("社区民警", "0313-1234567"))
        # The change is audited with its actor; the ID number is masked in the log.
        entry = (
            LogEntry.objects.get_for_object(officer).filter(action=LogEntry.Action.UPDATE).first()
        )
        assert entry is not None
        self.assertEqual(entry.actor, self.p.leader_a)
        self.assertIn("position", entry.changes_dict)
        self.assertNotIn(
            "130723199901010015", str(LogEntry.objects.values_list("changes", flat=True)[::1])
        )

    def test_officer_edit_bad_input_changes_nothing(self) -> None:
        url = reverse("org:officer_edit", args=[self.p.officer_a_profile.pk])
        client = self.client_for(self.p.leader_a)
        response = client.post(
            url, self.edit_data(id_number="130723199901010016", work_phone="123", status="left")
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "身份证号码最后一位校验不符", status_code=400)
        self.assertContains(response, "请输入手机号码", status_code=400)
        self.assertContains(response, "请填写离职日期", status_code=400)
        officer = Officer.objects.get(pk=self.p.officer_a_profile.pk)
        self.assertEqual((officer.work_phone, officer.status), ("13812345678", "active"))
        # Moving an officer into a unit out of scope is refused at the field.
        moved = client.post(url, self.edit_data(unit=self.p.unit_b.pk))
        self.assertEqual(moved.status_code, 400)
        self.assertEqual(Officer.objects.get(pk=officer.pk).unit, self.p.unit_a)
        # Another officer's number.
        clash = client.post(url, self.edit_data(staff_number="B002"))
        self.assertContains(clash, "已被其他人员使用", status_code=400)

    def test_officer_create(self) -> None:
        url = reverse("org:officer_create")
        self.assertStatus(self.p.leader_a, "get", url, 200)
        self.assertStatus(self.p.leader_a, "delete", url, 405)
        self.assertStatus(self.p.committee, "get", url, 403)
        self.assertStatus(self.p.officer_a, "get", url, 403)
        data = self.edit_data(name="新民警", staff_number="A100", id_number="")
        response = self.client_for(self.p.leader_a).post(url, data)
        self.assertEqual(response.status_code, 302)
        created = Officer.objects.get(staff_number="A100")
        self.assertEqual((created.user.name, created.unit), ("新民警", self.p.unit_a))
        self.assertFalse(created.user.has_usable_password())
        # Out-of-scope unit: refused, nothing saved.
        before = Officer.objects.count()
        refused = self.client_for(self.p.leader_a).post(
            url, self.edit_data(staff_number="A101", unit=self.p.unit_b.pk)
        )
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(Officer.objects.count(), before)

    def test_officer_export(self) -> None:
        url = reverse("org:officer_export")
        response = self.assertStatus(self.p.leader_a, "get", url, 200)
        self.assertStatus(self.p.leader_a, "post", url, 405)
        wb = load_workbook(io.BytesIO(response.content))
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "姓名")
        numbers = {r[3] for r in rows[1:]}
        self.assertEqual(numbers, {"A001", "A002", "A003"})  # unit A only
        self.assertIn("130723********0015", {r[6] for r in rows[1:]})
        # No cell of the workbook holds a full ID number (the bytes are compressed: read it).
        cells = [str(v) for row in rows for v in row if v is not None]
        self.assertTrue(cells)
        self.assertFalse([c for c in cells if "130723199901010015" in c])
        # An officer's export holds only himself.
        own = self.assertStatus(self.p.officer_b, "get", url, 200)
        rows = list(
            load_workbook(io.BytesIO(own.content)).worksheets[0].iter_rows(values_only=True)
        )
        self.assertEqual([r[3] for r in rows[1:]], ["B002"])


class ExportFormulaTests(PersonaTestCase):
    def test_text_that_looks_like_a_formula_is_exported_as_text(self) -> None:
        from zhengfa.org import services

        services.officer_create(
            unit=self.p.unit_a,
            name='=HYPERLINK("http://x.example","点我")',
            staff_number="A400",
            position="+1+1",
        )
        for url in (reverse("org:officer_export"), reverse("study:records_export")):
            response = self.assertStatus(self.p.leader_a, "get", url, 200)
            sheet = load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
            cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
            risky = [c for c in cells if str(c.value).startswith(("=", "+"))]
            self.assertTrue(risky, url)
            self.assertEqual({c.data_type for c in risky}, {"s"}, url)


class UnitTreeDepthTests(PersonaTestCase):
    def test_the_tree_shows_two_levels_and_opens_a_deeper_unit_as_its_own(self) -> None:
        url = reverse("org:unit_tree")
        page = self.assertStatus(self.p.leader_a, "get", url, 200)
        self.assertContains(page, "甲镇派出所")
        # The committee sees its bureaus and their stations; the mediation committee below
        # the justice bureau is two levels down, so it is listed...
        page = self.assertStatus(self.p.committee, "get", url, 200)
        self.assertContains(page, "甲村人民调解委员会")
        # ...but a unit three levels down is not: it opens from its parent's link.
        deep = services.unit_create(
            name="甲村调解小组", code="DEEP", kind="other", parent=self.p.mediation_committee
        )
        page = self.assertStatus(self.p.committee, "get", url, 200)
        self.assertNotContains(page, deep.name)
        under = f"{url}?under={self.p.mediation_committee.pk}"
        self.assertContains(page, f'href="{under}"'.replace("&", "&amp;"))
        opened = self.assertStatus(self.p.committee, "get", under, 200)
        self.assertContains(opened, deep.name)
        self.assertContains(opened, "测试县司法局")  # the way back up
        # Another's unit, or none at all: not found.
        self.assertStatus(self.p.leader_a, "get", f"{url}?under={self.p.unit_b.pk}", 404)
        self.assertStatus(self.p.leader_a, "get", f"{url}?under=999999", 404)


class UnitFilterDepthTests(PersonaTestCase):
    def test_the_unit_filter_lists_two_levels_and_accepts_any_unit_in_scope(self) -> None:
        deep = services.unit_create(
            name="甲村调解小组", code="DEEP", kind="other", parent=self.p.mediation_committee
        )
        url = reverse("org:officer_list")
        page = self.assertStatus(self.p.committee, "get", url, 200)
        self.assertContains(page, "甲村人民调解委员会</option>")
        self.assertNotContains(page, "甲村调解小组</option>")
        # Chosen from a link, the deeper unit is accepted and shown as chosen.
        chosen = self.assertStatus(self.p.committee, "get", url, 200, {"unit": deep.pk})
        self.assertContains(chosen, f'value="{deep.pk}" selected>')
        self.assertNotContains(chosen, "errorlist")
        # Anything else from a URL is an error shown on the form, never a server error.
        for bad in ("abc", "1.5", "²", "-1"):
            for page in (url, reverse("campaign:task_list"), reverse("study:records")):
                shown = self.assertStatus(self.p.committee, "get", page, 200, {"unit": bad})
                self.assertContains(shown, "errorlist", msg_prefix=f"{page} {bad}")
        for page in (reverse("campaign:suggestion_list"), reverse("study:activity_list")):
            self.assertStatus(self.p.committee, "get", page, 200, {"unit": "²"})
