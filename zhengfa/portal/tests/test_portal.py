from __future__ import annotations

import json

from django.test import TestCase


class PortalTests(TestCase):
    def test_home_is_chinese_by_default(self) -> None:
        response = self.client.get("/")
        self.assertContains(response, '<html lang="zh-hans"')
        self.assertContains(response, "政法工作平台")
        self.assertContains(response, "大字")
        self.assertEqual(self.client.post("/", {}).status_code, 405)

    def test_browser_language_does_not_switch_the_interface(self) -> None:
        response = self.client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(response, '<html lang="zh-hans"')

    def test_english_is_available(self) -> None:
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        response = self.client.get("/")
        self.assertContains(response, "Political-Legal Work Platform")
        self.assertContains(response, '<html lang="en"')

    def test_large_type_switch_persists(self) -> None:
        response = self.client.post("/large-type/", {"on": "1", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(response.cookies["zf_large"].value, "1")
        self.assertGreater(int(response.cookies["zf_large"]["max-age"]), 300 * 24 * 3600)
        self.assertContains(self.client.get("/"), '<html lang="zh-hans" class="large">')
        self.client.post("/large-type/", {"on": "0", "next": "/"})
        self.assertContains(self.client.get("/"), '<html lang="zh-hans" class="">')
        self.assertEqual(self.client.get("/large-type/").status_code, 405)

    def test_large_type_switch_never_redirects_off_site(self) -> None:
        response = self.client.post("/large-type/", {"on": "1", "next": "https://evil.example/"})
        self.assertEqual(response["Location"], "/")

    def test_large_type_switch_sends_a_bad_next_home(self) -> None:
        # Found by fuzzing: a word was taken for a view's name by redirect(), and a line
        # break cannot go into a header; both answered 500.
        for bad in ("ü", "home", "/a\nb", "/\x00", "//evil.example/"):
            response = self.client.post("/large-type/", {"on": "1", "next": bad})
            self.assertEqual(response["Location"], "/", bad)
        response = self.client.post("/large-type/", {"on": "1", "next": "/query/"})
        self.assertEqual(response["Location"], "/query/")

    def test_healthz_reports_the_database(self) -> None:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        body = json.loads(response.content)
        self.assertEqual((body["status"], body["database"]), ("ok", "ok"))

    def test_friendly_404_in_chinese(self) -> None:
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "页面不存在", status_code=404)
        self.assertContains(response, "返回首页", status_code=404)

    def test_no_asset_comes_from_another_origin(self) -> None:
        response = self.client.get("/")
        html = response.content.decode()
        self.assertNotIn("//cdn", html)
        self.assertNotRegex(html, r'(src|href)="https?://')
        self.assertIn("default-src 'self'", response["Content-Security-Policy"])


class PublicPagesTests(TestCase):
    def test_every_public_page_has_unique_ids_and_labelled_inputs(self) -> None:
        from zhengfa.core.testing import assert_page_is_well_formed

        for path in ("/", "/query/", "/accounts/login/"):
            response = self.client.get(path)
            self.assertEqual(response.status_code, 200, path)
            assert_page_is_well_formed(response.content.decode(), path)

    def test_the_place_and_the_organisation_come_from_the_data(self) -> None:
        from django.test import override_settings

        from zhengfa.org import services

        area = services.area_create(code="999999", name="示例县", level="county", parent=None)
        services.unit_create(
            name="中共示例县委政法委员会", code="ROOT", kind="committee", parent=None, areas=[area]
        )
        page = self.client.get("/")
        self.assertContains(page, "示例县政法机关的网上窗口")
        self.assertContains(page, '<footer class="site-footer"><p>中共示例县委政法委员会</p>')
        self.assertNotContains(page, "康保")
        # The sign-in page too (Django's own view brings a "site" of its own).
        login = self.client.get("/accounts/login/")
        self.assertContains(login, '<footer class="site-footer"><p>中共示例县委政法委员会</p>')
        from django.core.cache import cache

        cache.clear()
        with override_settings(ZHENGFA_OWNER_NAME="某市政法委", ZHENGFA_AREA_NAME="某市"):
            page = self.client.get("/")
        self.assertContains(page, "某市政法机关的网上窗口")
        self.assertContains(page, "<p>某市政法委</p>")


class DatabaseDownTests(TestCase):
    """With the database out of reach: /healthz says 503, pages a friendly 503 (no
    traceback); once it is back, the same process serves pages again."""

    def test_a_friendly_503_and_recovery_without_a_restart(self) -> None:
        from unittest import mock

        from django.db import OperationalError, connection
        from django.test import Client

        client = Client(raise_request_exception=False)
        down = OperationalError("connection refused")
        with mock.patch.object(connection, "cursor", side_effect=down):
            health = client.get("/healthz")
            page = client.get("/")
        self.assertEqual(health.status_code, 503)
        self.assertEqual(json.loads(health.content)["status"], "error")
        self.assertEqual(page.status_code, 503)
        self.assertEqual(page["Retry-After"], "60")
        text = page.content.decode()
        self.assertIn("系统暂时无法访问", text)
        self.assertNotIn("Traceback", text)
        self.assertNotIn("OperationalError", text)
        self.assertEqual(client.get("/").status_code, 200)
        self.assertEqual(client.get("/healthz").status_code, 200)
