"""Public pages kept a minute (``core.pagecache``) and lists counted within bounds."""

from __future__ import annotations

import re
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test import Client, TestCase

from zhengfa.core import generic
from zhengfa.org.models import Officer
from zhengfa.org.testing import PersonaTestCase, signed_in_client

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PublicPageCacheTests(TestCase):
    def test_each_visitor_gets_his_own_token_on_the_kept_page(self) -> None:
        first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
        page = first.get("/query/")
        with self.assertNumQueries(0):
            kept = second.get("/query/")
        self.assertEqual(kept.status_code, 200)
        [mine] = set(TOKEN.findall(page.content.decode()))
        [theirs] = set(TOKEN.findall(kept.content.decode()))
        self.assertNotEqual(mine, theirs)
        self.assertNotIn("\x00", kept.content.decode())
        # Each token works with its own browser's cookie: the lookup runs, no CSRF refusal.
        for client, token in ((first, mine), (second, theirs)):
            answer = client.post(
                "/query/", {"code": "AAAA-BBBB-CCCC", "csrfmiddlewaretoken": token}
            )
            self.assertEqual(answer.status_code, 200)
            self.assertContains(answer, "没有与此查询码对应的")
        # A token of one browser does not pass with another's cookie.
        crossed = second.post("/query/", {"code": "AAAA-BBBB-CCCC", "csrfmiddlewaretoken": "x"})
        self.assertEqual(crossed.status_code, 403)

    def test_language_and_large_type_are_kept_apart(self) -> None:
        Client().get("/")
        english = Client()
        english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.assertContains(english.get("/"), "Large type")
        large = Client()
        large.cookies["zf_large"] = "1"
        self.assertContains(large.get("/"), "标准字号")
        self.assertContains(Client().get("/"), "大字")

    def test_no_kept_page_for_a_visitor_with_a_session_or_a_query(self) -> None:
        Client().get("/opinion/")
        with_session = Client()
        with_session.cookies[settings.SESSION_COOKIE_NAME] = "anything"
        # Made afresh (its template rendered), not taken from the cache.
        self.assertEqual(Client().get("/opinion/").templates, [])
        self.assertTemplateUsed(with_session.get("/opinion/"), "campaign/suggestion_new.html")
        self.assertTemplateUsed(
            Client().get("/opinion/?topic=service"), "campaign/suggestion_new.html"
        )


class SignedInVisitorTests(PersonaTestCase):
    def test_a_signed_in_person_never_gets_the_kept_page(self) -> None:
        Client().get("/")
        page = signed_in_client(self.p.committee).get("/")
        self.assertContains(page, self.p.committee.name)
        self.assertNotContains(Client().get("/"), self.p.committee.name)


class BoundedCountTests(PersonaTestCase):
    def test_a_long_list_is_estimated_and_a_short_one_counted(self) -> None:
        officers = Officer.objects.order_by("pk")
        total = officers.count()
        self.assertGreater(total, 3)
        exact = generic.BoundedPaginator(officers, 2)
        self.assertEqual((exact.count, exact.estimated), (total, False))
        with mock.patch.object(generic, "EXACT_COUNT", 3):
            long = generic.BoundedPaginator(officers, 2)
            if connection.vendor == "postgresql":
                # The planner's estimate, and at least what was read.
                self.assertGreaterEqual(long.count, 4)
                self.assertTrue(long.estimated)
            else:
                # SQLite has no estimate: a county's lists are counted.
                self.assertEqual((long.count, long.estimated), (total, False))
            self.assertEqual(len(long.page(1).object_list), 2)

    def test_pages_past_a_low_estimate_are_reached_and_end_where_the_rows_end(self) -> None:
        officers = Officer.objects.order_by("pk")
        total = officers.count()
        last = (total + 1) // 2
        self.assertGreater(last, 2)
        with (
            mock.patch.object(generic, "EXACT_COUNT", 3),
            mock.patch.object(generic, "estimated_rows", return_value=1),
        ):
            paginator = generic.BoundedPaginator(officers, 2)
            self.assertEqual((paginator.count, paginator.estimated), (4, True))
            third = paginator.get_page(3)
            self.assertEqual(list(third.object_list), list(officers[4:6]))
            self.assertEqual(third.has_next(), total > 6)
            end = paginator.get_page(last)
            self.assertFalse(end.has_next())
            self.assertTrue(end.object_list)
            self.assertFalse(paginator.get_page(last + 1).object_list)
            self.assertEqual(paginator.get_page("x").number, 1)
