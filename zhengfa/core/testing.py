"""Test helpers that know no domain: the view matrix, page checks, database snapshots.

The personas (a small county with one person in each role) are the org app's:
``zhengfa.org.testing``. A module's staff views are tested by a matrix: one ``ViewCase`` per
URL name, which :class:`ViewMatrixMixin` runs for success, wrong method, out of scope (404)
and read-only (403); ``core/tests/test_view_matrix.py`` fails when a staff URL has no case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# --- Staff URLs and the view matrix --------------------------------------------------------


def url_patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> list[tuple[str, str]]:
    """(route, namespaced URL name) of every pattern."""
    out: list[tuple[str, str]] = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            out.extend(url_patterns(entry, route, inner))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            out.append((route, name))
    return out


def staff_url_names() -> set[str]:
    return {name for route, name in url_patterns() if route.startswith("staff/")}


METHODS = ("get", "post", "put", "delete")


@dataclass(frozen=True)
class ViewCase:
    """How one staff view answers each persona (named by attribute of the personas).

    ``method`` is the method that succeeds (200 for GET, a redirect for POST unless
    ``status`` says otherwise); ``allowed`` lists the methods the view takes (the first
    other method answers 405). ``out_of_scope`` personas get 404, ``read_only`` ones 403.
    A view where nothing can be out of scope says why in ``no_scope``.
    """

    url_name: str
    ok: Sequence[str]
    args: Callable[[Any], Sequence[Any]] = lambda t: ()
    method: str = "get"
    allowed: Sequence[str] = ()
    data: Callable[[Any], dict[str, Any]] | None = None
    query: str = ""
    status: int | None = None
    out_of_scope: Sequence[str] = ()
    read_only: Sequence[str] = ()
    no_scope: str = ""
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.url_name

    @property
    def wrong_method(self) -> str:
        allowed = {self.method, *self.allowed}
        return next(m for m in METHODS if m not in allowed)


def matrix_cases(app_labels: Sequence[str]) -> Iterator[ViewCase]:
    """The cases that the apps' ``tests/test_matrix.py`` declare (class attribute ``cases``)."""
    for label in app_labels:
        try:
            module = import_module(f"zhengfa.{label}.tests.test_matrix")
        except ModuleNotFoundError:
            continue
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, ViewMatrixMixin):
                yield from value.cases


class ViewMatrixMixin:
    """For a TestCase with personas ``self.p`` and ``client_for(user)``: runs ``cases``.

    Each request runs in a savepoint that is rolled back, so a successful POST leaves
    nothing behind for the next persona. Every HTML page that answers 200 is also checked
    for unique element ids and labelled inputs (:func:`assert_page_is_well_formed`).
    """

    cases: Sequence[ViewCase] = ()
    p: Any
    client_for: Callable[[Any], Client]  # from the persona test case it is mixed into

    def assertViewMatrix(self, case: ViewCase) -> None:
        from django.urls import reverse

        url = reverse(case.url_name, args=list(case.args(self))) + (
            f"?{case.query}" if case.query else ""
        )
        success = case.status or (200 if case.method == "get" else 302)
        assert case.ok, f"{case.label}: no persona succeeds"
        assert case.out_of_scope or case.no_scope, f"{case.label}: no out-of-scope check"
        expectations = [(who, case.method, success) for who in case.ok]
        expectations.append((case.ok[0], case.wrong_method, 405))
        expectations += [(who, case.method, 404) for who in case.out_of_scope]
        expectations += [(who, case.method, 403) for who in case.read_only]
        for who, method, status in expectations:
            with transaction.atomic():
                client = self.client_for(getattr(self.p, who))
                data = case.data(self) if case.data and method == case.method else {}
                response = getattr(client, method)(url, data)
                assert response.status_code == status, (
                    f"{case.label}: {method.upper()} {url} as {who} answered "
                    f"{response.status_code}, expected {status}"
                )
                if status == 302:
                    # Done, and sent on: not to the sign-in or the second-factor page.
                    assert not response["Location"].startswith("/accounts/"), (
                        f"{case.label}: {who} was sent to {response['Location']}"
                    )
                if status == 200 and "html" in response.get("Content-Type", ""):
                    assert_page_is_well_formed(response.content.decode(), url)
                transaction.set_rollback(True)

    def test_view_matrix(self) -> None:
        for case in self.cases:
            with self.subTest(case.label):  # type: ignore[attr-defined]
                self.assertViewMatrix(case)


# --- What every page must be ------------------------------------------------------------------


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.inputs: list[dict[str, str | None]] = []
        self.open_labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        if tag in {"input", "select", "textarea"}:
            kind = (a.get("type") or "text").lower()
            if kind not in {"hidden", "submit", "button", "reset", "image"}:
                self.inputs.append({**a, "_in_label": "1" if self.open_labels else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.open_labels:
            self.open_labels -= 1


def assert_page_is_well_formed(html: str, where: str = "") -> None:
    """Element ids are unique and every input has a label (for=, around it, or aria-*)."""
    parser = _PageParser()
    parser.feed(html)
    seen: set[str] = set()
    twice = sorted({i for i in parser.ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
    assert not twice, f"{where}: ids used more than once: {twice}"
    for attrs in parser.inputs:
        labelled = (
            attrs.get("_in_label")
            or attrs.get("aria-label")
            or attrs.get("aria-labelledby")
            or (attrs.get("id") and attrs["id"] in parser.label_for)
        )
        assert labelled, f"{where}: an input without a label: {attrs}"


# --- Sessions with a second factor -------------------------------------------------------------


def verify_second_factor(client: Client, user: Any) -> None:
    """Mark `client`'s session as having passed TOTP, like force_login does for the password.

    The real token flow is tested in core.tests.test_auth; a token cannot be used twice, so
    tests that sign the same person in several times take this shortcut.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


# --- The database as stored ---------------------------------------------------------------------


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _rows(table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        columns = [c[0] for c in cursor.description]
        return columns, [tuple(r) for r in cursor.fetchall()]


def raw_database_text() -> str:
    """Every value of every table as the database stores it (no decryption), as one text."""
    parts: list[str] = []
    for table in _tables():
        for row in _rows(table)[1]:
            parts.append("|".join(str(v) for v in row))
    return "\n".join(parts)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for table in _tables():
        columns, rows = _rows(table)
        digest.update(f"{table}:{columns}:{sorted(map(repr, rows))}".encode())
    return digest.hexdigest()


@dataclass
class Snapshot:
    """What `build()` adds to the database, captured once per test process and then
    inserted again in a blink wherever a test needs it (a demo county takes seconds to
    build, its rows a fraction of a second to insert).

    The capture runs inside a savepoint that is rolled back. A restore checks that the
    database still holds what it held at the capture (reference data the new rows point
    at); if not, it captures again. The files the build stored (the demo's photos) are kept
    too, and put back into whichever storage a test uses, so that the rows naming them do
    not point at nothing.
    """

    build: Callable[[], object]
    _base: str = ""
    _rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = field(default_factory=dict)
    _files: dict[str, bytes] = field(default_factory=dict)

    def _capture(self) -> None:
        from django.core.files.storage import default_storage

        from .attachments import stored_files

        before = {table: set(_rows(table)[1]) for table in _tables()}
        files_before = set(stored_files())
        self._base = _fingerprint()
        with transaction.atomic():
            self.build()
            self._files = {}
            for name in sorted(set(stored_files()) - files_before):
                with default_storage.open(name, "rb") as fh:
                    self._files[name] = fh.read()
            self._rows = {}
            for table in _tables():
                columns, rows = _rows(table)
                new = [r for r in rows if r not in before.get(table, set())]
                if len(rows) - len(new) != len(before.get(table, ())):
                    raise RuntimeError(f"the build changed existing rows of {table}")
                if new:
                    self._rows[table] = (columns, new)
            transaction.set_rollback(True)

    def restore(self) -> None:
        if not self._rows or _fingerprint() != self._base:
            self._capture()
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            for table, (columns, stored) in self._rows.items():
                # SQLite reads a time column back as a time, which its driver cannot bind
                # (it binds dates and datetimes): write it as the text it was stored as.
                rows = [
                    tuple(v.isoformat() if isinstance(v, dt.time) else v for v in row)
                    for row in stored
                ]
                marks = ", ".join(["%s"] * len(columns))
                names = ", ".join(quote(c) for c in columns)
                cursor.executemany(
                    f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",  # noqa: S608
                    rows,
                )
            models = [
                m
                for m in apps.get_models(include_auto_created=True)
                if m._meta.db_table in self._rows
            ]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            if connection.vendor == "postgresql":
                # Statistics from when the tables were empty would make the planner loop
                # over thousands of rows; ANALYZE inside the transaction sees the new ones.
                cursor.execute("ANALYZE " + ", ".join(quote(t) for t in self._rows))
        self._put_back_files()

    def _put_back_files(self) -> None:
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        for name, data in self._files.items():
            if not default_storage.exists(name):
                saved = default_storage.save(name, ContentFile(data))
                assert saved == name, f"the storage renamed {name} to {saved}"


# --- Public forms ---------------------------------------------------------------------------------


def png_upload(name: str = "photo.png", color: str = "red") -> Any:
    """A small real picture, as a phone would upload it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def public_form_fields(client: Client, url: str) -> dict[str, str]:
    """What a browser adds to a public form (``core.challenge``): the form's token and the
    answer to a puzzle fetched from where the page says, as ``zhengfa.js`` does."""
    import html
    import re

    from .challenge import new_token, solve

    page = client.get(url).content.decode()
    where = re.search(r'data-proof="([^"]+)"', page)
    assert where is not None and 'data-token="1"' in page, f"{url} has no proof of work"
    puzzle = client.get(html.unescape(where.group(1))).json()
    return {"proof": solve(puzzle), "submission": new_token()}


def post_public_form(client: Client, url: str, data: dict[str, Any], page: str = "") -> Any:
    """`data` sent to a public form as a browser sends it: with the proof and token that
    the form's page (`page`, else `url`) asks for."""
    return client.post(url, {**public_form_fields(client, page or url), **data})
