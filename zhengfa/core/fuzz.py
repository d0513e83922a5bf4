"""Property-based fuzzing of every form (hypothesis): generated input posted to each public
and staff form must answer 2xx, 3xx or 4xx, never 5xx, and a refused form saves nothing.

Which forms: every staff view of the view matrix that takes a POST (``fuzz_matrix`` makes
a test per such ``ViewCase``, posted by its first ``ok`` persona, so a new staff form cannot
escape: the matrix already fails without a case), and the public and account forms that
``zhengfa/portal/tests/test_fuzz.py`` derives from the registry and lists. What a form
holds is read from the pages: every ``<form method="post">`` of the module's GET pages,
by the URL it posts to, merged with the case's own valid ``data``.

What is posted, field by field: a plausible value (the page's options and defaults, the
case's data, a valid date or number), arbitrary Unicode, control characters and NUL, huge
values (100k+ characters), empty, wrong types (text for numbers, dates and choices, unknown
ids, negatives, floats), several values for one field, the field left out, random bytes
named like pictures for file inputs, and now and then fields the form does not have. Each
form is also posted once without a CSRF token: 403 and nothing saved.

Volume: ``FUZZ_EXAMPLES`` examples per form (default 8, reproducible: derandomized).
Setting ``FUZZ_EXAMPLES`` (``make fuzz``: 1000) also draws fresh random input each run; the
totals per form are printed at the end of the pytest run (``conftest.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import import_module
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .testing import ViewCase, ViewMatrixMixin, png_upload

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 8)
# `make test` reruns the same examples every time; an explicit volume explores afresh.
DERANDOMIZE = not os.environ.get("FUZZ_EXAMPLES")

# Statuses seen per form in this process, read by conftest.py's report hooks.
TALLY: dict[str, Counter[int]] = {}


def fuzz_settings() -> Any:
    return settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        derandomize=DERANDOMIZE,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )


# --- What the pages' forms hold ---------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # an input's type, or "select", "select-multiple", "textarea"
    values: list[str] = field(default_factory=list)  # options, defaults, a checkbox's values


@dataclass
class FormSpec:
    action: str  # the path it posts to
    fields: dict[str, Field] = field(default_factory=dict)

    def merge(self, other: FormSpec) -> None:
        for name, f in other.fields.items():
            mine = self.fields.setdefault(name, Field(name, f.kind))
            mine.values += [v for v in f.values if v not in mine.values]


SKIPPED_INPUTS = {"submit", "button", "reset", "image"}


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[FormSpec] = []
        self.form: FormSpec | None = None
        self.select: Field | None = None
        self.option: str | None = None
        self.option_text = ""
        self.textarea: Field | None = None
        # Submit buttons that post elsewhere (the workflow's buttons: one URL per step).
        self.formactions: list[str] = []

    def _add(self, name: str, kind: str, value: str | None) -> Field:
        assert self.form is not None
        f = self.form.fields.setdefault(name, Field(name, kind))
        if value is not None and value not in f.values:
            f.values.append(value)
        return f

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = urlsplit(urljoin(self.page, a.get("action") or self.page)).path
                self.form = FormSpec(action)
                self.forms.append(self.form)
            return
        if tag == "option" and self.select is not None:
            self.option, self.option_text = a.get("value"), ""
            return
        if self.form is None:
            return
        if tag in {"button", "input"} and a.get("formaction"):
            self.formactions.append(urlsplit(urljoin(self.page, a["formaction"])).path)
        if not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind not in SKIPPED_INPUTS and name != "csrfmiddlewaretoken":
                if kind in {"checkbox", "radio"}:
                    self._add(name, kind, a.get("value", "on"))
                else:
                    self._add(name, kind, a.get("value") or None)
        elif tag == "select":
            self.select = self._add(name, "select-multiple" if "multiple" in a else "select", None)
        elif tag == "textarea":
            self.textarea = self._add(name, "textarea", None)
        elif tag == "button" and a.get("value"):
            self._add(name, "button", a["value"])

    def handle_data(self, data: str) -> None:
        if self.select is not None and self.option is None:
            self.option_text += data
        if self.textarea is not None and data.strip():
            self.textarea.values.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            if self.form is not None and self.formactions:
                self.forms.remove(self.form)
                for action in dict.fromkeys(self.formactions):
                    self.forms.append(FormSpec(action, dict(self.form.fields)))
            self.form = None
            self.formactions = []
        elif tag == "option" and self.select is not None:
            value = self.option if self.option is not None else self.option_text.strip()
            if value not in self.select.values:
                self.select.values.append(value)
            self.option = None
            self.option_text = ""
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def post_forms(html: str, page: str) -> list[FormSpec]:
    """Every ``<form method="post">`` of a page, with the path it posts to."""
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


def url_name(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return str(match.view_name)


def links(html: str, page: str) -> list[str]:
    """The site's own paths a page links to."""
    found = re.findall(r'href="([^"#]+)"', html)
    out = []
    for href in found:
        parts = urlsplit(urljoin(page, href.replace("&amp;", "&")))
        if not parts.netloc or parts.netloc == "testserver":
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


# --- Generated input -------------------------------------------------------------------------

DROP = object()  # the field is left out

WRONG = [
    "abc",
    "-1",
    "0",
    "1.5",
    "-0.0",
    "1e309",
    "NaN",
    "inf",
    "99999999999999999999999",
    "2147483648",
    "-9223372036854775809",
    "2021-02-30",
    "2021-13-01",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "0001-01-01",
    "2021-04-07T25:61",
    "24:61",
    "true",
    "None",
    "null",
    "[]",
    "{}",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    " ",
    "١٢٣",
    "１２",
]
CONTROL = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=31)
    | st.sampled_from(["\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\u200b", "\u202e"]),
    min_size=1,
    max_size=12,
)
# Hypothesis leaves out surrogates (no browser can send them), all else may come.
UNICODE = st.text(max_size=80)
HUGE = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["a", "字", "9", "\x00", "😀", " "]),
    st.integers(100_000, 120_000),
)
SCALAR = st.one_of(st.sampled_from(WRONG), UNICODE, CONTROL, st.just(""))
FILE_NAMES = ["photo.jpg", "x.png", "图片.jpeg", "a.gif", "doc.pdf", "a.docx", "x.exe", ".png", "a"]
FILES = st.builds(
    lambda name, content, kind: SimpleUploadedFile(name, content, content_type=kind),
    st.sampled_from(FILE_NAMES),
    st.one_of(
        st.binary(max_size=2048),
        st.sampled_from([b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"\xff\xd8\xff\xe0JFIF"]),
    ),
    st.sampled_from(["image/png", "image/jpeg", "application/octet-stream", "text/plain"]),
)
FIELD_NAME = st.text(
    alphabet=st.characters(categories=["L", "N"]) | st.sampled_from("_-.[]"),
    min_size=1,
    max_size=12,
)


def _plausible(f: Field) -> list[str]:
    """Values a person would send: what the page offers, else a valid one of the kind."""
    if f.kind in {"select", "select-multiple", "checkbox", "radio", "button"}:
        chosen = [v for v in f.values if v] or f.values
        if chosen:
            return chosen
    if f.values:
        return f.values
    today = dt.date.today()
    # A text input named for what it holds (the forms' own names): a value that passes.
    for pattern, values in (
        (r"phone|mobile", ["13812345678"]),
        (r"id_number", ["130723199901010015"]),
        (r"(^|_)(date|day|on)$|_on$|^from$|^to$", [today.isoformat()]),
        (r"_at$|^when$", [f"{today.isoformat()}T09:30"]),
        (r"count|number|minutes|hours|days|margin|capacity|quota|size|year", ["1", "2"]),
    ):
        if f.kind in {"text", "number"} and re.search(pattern, f.name):
            return values
    return {
        "date": [today.isoformat(), (today + dt.timedelta(days=3)).isoformat()],
        "datetime-local": [f"{today.isoformat()}T09:30", f"{today.isoformat()}T15:00"],
        "time": ["09:30"],
        "month": [today.strftime("%Y-%m")],
        "number": ["1", "3"],
        "email": ["zhang@example.com"],
        "tel": ["13812345678"],
        "url": ["https://example.org/"],
        "password": ["Persona#2021pw"],
        "file": [],
    }.get(f.kind, ["测试内容", "张三"])


def _good(f: Field, valid: Any) -> st.SearchStrategy[Any]:
    if f.kind == "file" or isinstance(valid, SimpleUploadedFile):
        return st.builds(png_upload)
    if valid is not None:
        values = valid if isinstance(valid, list) else [valid]
        return st.just([str(v) for v in values] if isinstance(valid, list) else str(valid))
    options = _plausible(f)
    if f.kind in {"checkbox", "select-multiple"} and len(options) > 1:
        return st.lists(st.sampled_from(options), unique=True, max_size=len(options))
    return st.sampled_from(options) if options else st.just("")


def _wild(f: Field, good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    files = f.kind == "file"

    def pick(i: int) -> st.SearchStrategy[Any]:
        # Lower numbers shrink first: a failure is reported with the most plausible input.
        if i < 25:
            return good
        if i < 40:
            return UNICODE
        if i < 50:
            return CONTROL
        if i < 57:
            return st.just("")
        if i < 70:
            return FILES if files else st.sampled_from(WRONG)
        if i < 80:
            # The same field several times.
            item = st.one_of(good, FILES) if files else st.one_of(good, SCALAR)
            return st.lists(item, min_size=2, max_size=4)
        if i < 88:
            return st.just(DROP)
        if i < 96:
            return SCALAR if files else st.integers(-(2**63), 2**64).map(str)
        return HUGE

    return st.integers(0, 99).flatmap(pick)


@st.composite
def post_data(
    draw: Any, fields: Sequence[Field], valid: Mapping[str, Any], fixed: Mapping[str, str]
) -> dict[str, Any]:
    """A POST body: all plausible, one field wild, or every field wild; now and then with
    fields the form does not have."""
    goods = {f.name: _good(f, valid.get(f.name, fixed.get(f.name))) for f in fields}
    scope = draw(st.integers(0, 9))
    names = [f.name for f in fields]
    if scope < 2 or not names:
        wild: set[str] = set()
    elif scope < 6:
        wild = {draw(st.sampled_from(names))}
    else:
        wild = set(names)
    data: dict[str, Any] = {}
    for f in fields:
        value = draw(_wild(f, goods[f.name]) if f.name in wild else goods[f.name])
        if value is not DROP:
            data[f.name] = value
    if draw(st.integers(0, 9)) == 0:
        for name, value in draw(st.dictionaries(FIELD_NAME, SCALAR, max_size=3)).items():
            data.setdefault(name, value)
    return data


def _has_files(data: Mapping[str, Any]) -> bool:
    return any(
        isinstance(v, SimpleUploadedFile)
        or (isinstance(v, list) and any(isinstance(x, SimpleUploadedFile) for x in v))
        for v in data.values()
    )


# --- The database, counted ------------------------------------------------------------------

# Left out: a session row is written whenever a request touches the session (a message,
# the follow-up unlock, a sign-in) whatever the form's fate; axes_* record failed sign-ins by
# design (the lockout); a database cache table holds rate counts. None of them is what a
# form saves.
UNCOUNTED = re.compile(r"^(django_session|axes_.*|.*cache.*)$")
# A statement that writes a table, as Django and any raw SQL of ours spell it.
WRITES = re.compile(
    r"^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
    r'\s+"?(\w+)"?',
    re.IGNORECASE,
)


@dataclass
class Writes:
    """What a block wrote: the tables its statements wrote to (even if rolled back since),
    and how many after-commit actions (a notice, a text) it left waiting."""

    tables: set[str] = field(default_factory=set)
    waiting_before: int = 0

    def waiting(self) -> int:
        return len(connection.run_on_commit) - self.waiting_before


@contextmanager
def tables_written() -> Iterator[Writes]:
    writes = Writes(waiting_before=len(connection.run_on_commit))

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        found = WRITES.match(sql)
        if found and not UNCOUNTED.match(found.group(1)):
            writes.tables.add(found.group(1))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield writes


def table_digest(table: str) -> str:
    """What a table holds, every row and column, as one hash (order-independent)."""
    # The name was written by a statement of our own code; quoted.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        rows = sorted(repr(row) for row in cursor.fetchall())
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def assert_unchanged(
    label: str, saved: str, writes: Writes, may_write: Collection[str] = ()
) -> None:
    """Fails unless each table the block wrote to (but `may_write`) holds now exactly what it
    held at the savepoint `saved` (rows added, removed or changed are all seen), and the
    block left nothing to do after the commit; rolls back to the savepoint to compare."""
    assert not writes.waiting(), f"{label}, but it left {writes.waiting()} after-commit actions"
    touched = sorted(writes.tables - set(may_write))
    after = {t: table_digest(t) for t in touched}
    transaction.savepoint_rollback(saved)
    changed = [t for t in touched if table_digest(t) != after[t]]
    assert not changed, f"{label}, but it changed what these tables hold: {changed}"


# --- One form, fuzzed --------------------------------------------------------------------------


@dataclass
class Target:
    """A form: where it posts, as whom (``client``), what it holds, and what success is."""

    label: str
    url: str
    client: Client
    fields: list[Field]
    valid: Mapping[str, Any] = field(default_factory=dict)
    # Values the harness supplies (a public form's proof and token): plausible, fuzzed too.
    fixed: Mapping[str, str] = field(default_factory=dict)
    # A view whose success is not a redirect (it answers the result as a page).
    succeeds_with: int | None = None
    # Tables a refused form writes by design (a failed sign-in is logged).
    may_write: Collection[str] = ()
    before_each: Callable[[], object] | None = None

    def refused(self, status: int) -> bool:
        if status >= 400:
            return True
        return 200 <= status < 300 and self.succeeds_with is None


def _post(client: Client, url: str, data: dict[str, Any], urlencoded: bool) -> Any:
    if urlencoded and not _has_files(data):
        body = urlencode({k: v for k, v in data.items()}, doseq=True)
        return client.post(url, body, content_type="application/x-www-form-urlencoded")
    return client.post(url, data)


def fuzz(target: Target) -> Counter[int]:
    """Post `EXAMPLES` generated bodies to the target; each in a savepoint rolled back."""
    statuses = TALLY.setdefault(target.label, Counter())
    fields = list(target.fields)
    known = {f.name for f in fields}
    for name, value in {**target.fixed, **target.valid}.items():
        if name not in known:
            kind = "file" if isinstance(value, SimpleUploadedFile) else "text"
            fields.append(Field(name, kind))

    @fuzz_settings()
    @given(post_data(fields, target.valid, target.fixed), st.booleans())
    def example(data: dict[str, Any], urlencoded: bool) -> None:
        cache.clear()  # rate limits and used proofs count there
        cookies = copy(target.client.cookies)
        try:
            with transaction.atomic():
                if target.before_each:
                    target.before_each()
                saved = transaction.savepoint()
                with tables_written() as written:
                    response = _post(target.client, target.url, data, urlencoded)
                status = response.status_code
                statuses[status] += 1
                assert status < 500, f"{target.label}: POST {target.url} answered {status}"
                if target.refused(status):
                    assert_unchanged(
                        f"{target.label}: refused with {status}", saved, written, target.may_write
                    )
                transaction.set_rollback(True)
        finally:
            # A sign-out or a new sign-in among the examples must not change who posts next.
            target.client.cookies = cookies

    example()
    assert_csrf_refused(target)
    return statuses


def assert_csrf_refused(target: Target) -> None:
    """Posted without a CSRF token, with the plausible values, the form answers 403 and
    saves nothing."""
    client = Client(enforce_csrf_checks=True)
    client.cookies = copy(target.client.cookies)
    data: dict[str, Any] = {}
    for f in target.fields:
        value = target.valid.get(f.name, target.fixed.get(f.name))
        if f.kind == "file" or isinstance(value, SimpleUploadedFile):
            data[f.name] = png_upload()
        elif value is not None:
            data[f.name] = value
        else:
            options = _plausible(f)
            if options:
                data[f.name] = options[0]
    cache.clear()
    with transaction.atomic():
        if target.before_each:
            target.before_each()
        saved = transaction.savepoint()
        with tables_written() as written:
            response = client.post(target.url, data)
        assert response.status_code == 403, (
            f"{target.label}: POST {target.url} without a CSRF token answered "
            f"{response.status_code}"
        )
        assert_unchanged(f"{target.label}: refused without a CSRF token", saved, written)
        transaction.set_rollback(True)
    TALLY.setdefault(target.label, Counter())[-403] += 1  # -403: the CSRF check


# --- Staff forms: the view matrix --------------------------------------------------------------


def posts(case: ViewCase) -> bool:
    """A case whose view takes a form: its method, or one it allows, is POST."""
    return case.method == "post" or "post" in case.allowed


def staff_targets(matrix: type[ViewMatrixMixin]) -> list[ViewCase]:
    return [case for case in matrix.cases if posts(case)]


def matrix_classes(app_label: str) -> list[type[ViewMatrixMixin]]:
    try:
        module = import_module(f"zhengfa.{app_label}.tests.test_matrix")
    except ModuleNotFoundError:
        return []
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ViewMatrixMixin)
        and value.__module__ == module.__name__
        and value.cases
    ]


def _slug(text: str) -> str:
    return re.sub(r"\W+", "_", text).strip("_")


# Views whose POST, done, answers a page rather than a redirect (a case's ``status`` says so
# for a POST case; these are GET cases that also take a POST), and why.
SUCCESS_IS_A_PAGE = {
    "study:checkin": "the phone that scanned the code stays on the page saying it counted",
}

# Forms found on staff pages that are not the matrix's: the header's language switch and
# sign-out, fuzzed with the public and account forms (``portal/tests/test_fuzz.py``).
SHARED_FORMS = {"set_language", "core:logout", "portal:large_type"}


class StaffFuzzMixin:
    """Mixed into a copy of a module's matrix test case: one test per form of the matrix."""

    cases: Sequence[ViewCase]
    p: Any
    client_for: Callable[[Any], Client]
    _pages: dict[str, FormSpec] | None = None

    def _url(self, case: ViewCase) -> str:
        return reverse(case.url_name, args=list(case.args(self))) + (
            f"?{case.query}" if case.query else ""
        )

    def page_forms(self) -> Iterator[tuple[str, FormSpec]]:
        """(page, form) of every POST form on the GET pages of the module's matrix."""
        for case in self.cases:
            if case.method != "get" and "get" not in case.allowed:
                continue
            url = self._url(case)
            with transaction.atomic():
                response = self.client_for(getattr(self.p, case.ok[0])).get(url)
                transaction.set_rollback(True)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                for form in post_forms(response.content.decode(), url):
                    yield url, form

    def forms_posting_to(self, path: str) -> list[Field]:
        cls = type(self)
        if cls._pages is None:
            found: dict[str, FormSpec] = {}
            for _page, form in self.page_forms():
                found.setdefault(form.action, FormSpec(form.action)).merge(form)
            cls._pages = found
        spec = cls._pages.get(path)
        return list(spec.fields.values()) if spec else []

    def fuzz_case(self, case: ViewCase) -> None:
        url = self._url(case)
        valid = case.data(self) if case.data else {}
        page = SUCCESS_IS_A_PAGE.get(case.url_name)
        fuzz(
            Target(
                label=case.label,
                url=url,
                client=self.client_for(getattr(self.p, case.ok[0])),
                fields=self.forms_posting_to(urlsplit(url).path),
                valid=valid,
                succeeds_with=200 if page else (case.status if case.status else None),
            )
        )

    def test_every_form_on_its_pages_is_fuzzed(self) -> None:
        """A POST form on a module's page posts to a URL some fuzz test covers."""
        from django.apps import apps

        labels = [c.label for c in apps.get_app_configs() if c.name.startswith("zhengfa.")]
        covered = {
            case.url_name
            for label in labels
            for matrix in matrix_classes(label)
            for case in staff_targets(matrix)
        }
        escaped = {
            f"{page} -> {form.action}"
            for page, form in self.page_forms()
            if url_name(form.action) not in covered | SHARED_FORMS
        }
        assert not escaped, f"forms that no fuzz test posts to: {sorted(escaped)}"


def fuzz_matrix(matrix: type[ViewMatrixMixin], module: str) -> type:
    """A test case class with the matrix's records and one fuzz test per form it declares;
    the matrix's own tests are not run twice."""
    attrs: dict[str, Any] = {"__module__": module, "_pages": None}
    for klass in matrix.__mro__:
        for name in vars(klass):
            if name.startswith("test"):
                attrs[name] = None
    attrs["test_every_form_on_its_pages_is_fuzzed"] = (
        StaffFuzzMixin.test_every_form_on_its_pages_is_fuzzed
    )
    seen: set[str] = set()
    for case in staff_targets(matrix):
        name = f"test_fuzz_{_slug(case.label)}"
        assert name not in seen, f"two cases named {case.label}: give one a name"
        seen.add(name)
        attrs[name] = _fuzz_test(case)
    return type(f"{matrix.__name__}Fuzz", (StaffFuzzMixin, matrix), attrs)


def _fuzz_test(case: ViewCase) -> Callable[[Any], None]:
    def test(self: StaffFuzzMixin) -> None:
        self.fuzz_case(case)

    test.__doc__ = f"Generated input posted to {case.label} never answers 5xx."
    test.fuzz_label = case.label  # type: ignore[attr-defined]
    return test
