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
def _empty_cache() -> None:
    # Pages, menus and rate counts kept in the cache by one test are not another's.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _chinese() -> None:
    # A request in English (the language switch) leaves English active in its thread: every
    # test starts in the interface's own language, whatever ran before it in this process.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Rate limits, lockout counts and the site's identity live in the cache: none of them
    # may carry from one test to the next.
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
