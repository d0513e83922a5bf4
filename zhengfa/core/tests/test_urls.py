"""Every staff page asks for a sign-in; every public page answers without one."""

from __future__ import annotations

from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            out.extend(_patterns(entry, route))
        else:
            out.append((route, entry))
    return out


def _sample(route: str) -> str:
    return "/" + (
        route.replace("<int:pk>", "1")
        .replace("<int:role_pk>", "1")
        .replace("<int:photo>", "1")
        .replace("<slug:name>", "report")
        .replace("<str:token>", "1-x")
        .replace("<str:model>", "org.officer")
        .replace("<str:field>", "id_number")
        .replace("<slug:period_type>", "month")
        .replace("<str:start>", "2021-03-01")
    )


class UrlTests(TestCase):
    def test_every_staff_page_needs_a_sign_in(self) -> None:
        staff = [r for r, _ in _patterns(get_resolver()) if r.startswith("staff/")]
        self.assertGreater(len(staff), 40)
        for route in staff:
            path = _sample(route)
            for method in ("get", "post"):
                response = getattr(self.client, method)(path)
                if response.status_code == 405:
                    continue
                self.assertEqual(response.status_code, 302, f"{method} {path}")
                self.assertTrue(response["Location"].startswith("/accounts/login/"), path)

    def test_public_pages_answer_without_a_sign_in(self) -> None:
        for path in ("/", "/query/", "/healthz", "/accounts/login/"):
            self.assertEqual(self.client.get(path).status_code, 200, path)
