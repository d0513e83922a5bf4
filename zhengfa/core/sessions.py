"""Sessions in the database that remember when they end, so that a page need not write.

An idle session ends SESSION_COOKIE_AGE (30 minutes) after the last page. Django keeps that
promise by saving the session on every request (an UPDATE and a commit for each page seen).
Here the store remembers the end it read, and :class:`KeepAliveMiddleware` saves only when
more than a minute of it has been used: the end is pushed out at most once a minute, the
idle limit holds to within that minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbStore
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESH = dt.timedelta(minutes=1)


class SessionStore(DbStore):
    ends_at: dt.datetime | None = None

    def _get_session_from_db(self) -> Any:
        found = super()._get_session_from_db()  # type: ignore[misc]
        self.ends_at = found.expire_date if found is not None else None
        return found


class KeepAliveMiddleware:
    """Marks a session to be saved (its end pushed out) when a minute of it has passed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        ends_at = getattr(session, "ends_at", None)
        if session is not None and ends_at is not None and not session.is_empty():
            full = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
            if ends_at - timezone.now() < full - REFRESH:
                session.modified = True
        return response
