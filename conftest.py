"""pytest configuration shared by every app: browser launch and test-wide settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Playwright's sync API calls the ORM from the live server's test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's chromium; `playwright install` is never needed. The flags keep it off the network.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _private_files_for_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Files that a test class makes before any test runs (setUpTestData: the demo county's
    # photos) go to a temporary folder too.
    from django.test import override_settings

    with override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media-session")),
        SMS_FILE_PATH=str(tmp_path_factory.mktemp("sms-session")),
    ):
        yield


@pytest.fixture(autouse=True)
def _private_files(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Uploaded files and text messages of a test go to temporary folders, never to var/:
    # a message file holds a phone number in the clear.
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    settings.SMS_FILE_PATH = str(tmp_path_factory.mktemp("sms"))


@pytest.fixture(autouse=True)
def _chinese() -> None:
    # A request in English (the language switch) leaves English active in its thread: every
    # test starts in the interface's own language, whatever ran before it in this process.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Pages, menus, rate limits, lockout counts and the site's identity live in the cache:
    # none of them may carry from one test to the next.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _inline_tasks(settings: Any) -> None:
    # Background tasks run inline when their transaction commits, however pytest was started.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


# --- Fuzzing totals (``zhengfa.core.fuzz``) ----------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    # The statuses a fuzz test saw travel with its report (from an xdist worker too).
    outcome: Any = yield
    import sys

    fuzz = sys.modules.get("zhengfa.core.fuzz")
    if call.when == "call" and fuzz is not None and fuzz.TALLY:
        report = outcome.get_result()
        for label, statuses in fuzz.TALLY.items():
            report.user_properties.append(("fuzz", [label, sorted(statuses.items())]))
        fuzz.TALLY.clear()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from collections import Counter

    tallies: dict[str, Counter[int]] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "fuzz":
                    label, statuses = value
                    tallies.setdefault(label, Counter()).update(dict(statuses))
    if not tallies:
        return
    write = terminalreporter.write_line
    # -403 counts the post without a CSRF token (answered 403), apart from the examples.
    examples = {label: sum(n for s, n in c.items() if s > 0) for label, c in tallies.items()}
    if os.environ.get("FUZZ_EXAMPLES"):
        terminalreporter.section("forms fuzzed")
        width = max(len(label) for label in tallies)
        for label in sorted(tallies):
            seen = " ".join(f"{s}×{n}" for s, n in sorted(tallies[label].items()) if s > 0)
            csrf = "csrf 403" if tallies[label][-403] else "csrf -"
            write(f"{label:<{width}}  {examples[label]:>6}  {csrf}  {seen}")
    statuses: Counter[int] = Counter()
    for counts in tallies.values():
        statuses.update({s: n for s, n in counts.items() if s > 0})
    write(
        f"fuzzed {len(tallies)} forms, {sum(examples.values())} examples "
        f"({min(examples.values())}–{max(examples.values())} per form); statuses: "
        + ", ".join(f"{s}×{n}" for s, n in sorted(statuses.items()))
    )
