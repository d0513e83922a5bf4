"""Sessions in the database that remember when they end, so that a page need not write.

An idle session ends SESSION_COOKIE_AGE (30 minutes) after the last page. Django keeps that
promise by saving the session on every request (an UPDATE and a commit for each page seen).
Here the store remembers the end it read, and :class:`KeepAliveMiddleware` saves only when
more than a minute of it has been used: the end is pushed out at most once a minute, the
idle limit holds to within that minute.

Each session is also kept in the cache until its end (as Django's ``cached_db`` engine does,
with the end beside it), so that a page reads it without asking the database; the database
stays the record, written first on every save.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbStore
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESH = dt.timedelta(minutes=1)


class SessionStore(DbStore):
    ends_at: dt.datetime | None = None
    cache_prefix = "zf-session:"

    def _kept(self, session_key: str | None = None) -> str:
        return self.cache_prefix + str(session_key or self.session_key)

    def _get_session_from_db(self) -> Any:
        found = super()._get_session_from_db()  # type: ignore[misc]
        self.ends_at = found.expire_date if found is not None else None
        return found

    def load(self) -> dict[str, Any]:
        if self.session_key:
            kept = cache.get(self._kept())
            if kept is not None and kept[1] > timezone.now():
                data: dict[str, Any] = kept[0]
                self.ends_at = kept[1]
                return data
        data = super().load()
        if self.ends_at is not None:
            self._keep(data, self.ends_at)
        return data

    def save(self, must_create: bool = False) -> None:
        super().save(must_create)
        if self.session_key is not None:
            self.ends_at = self.get_expiry_date()
            data = self._get_session(no_load=must_create)  # type: ignore[attr-defined]
            self._keep(data, self.ends_at)

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            cache.delete(self._kept(key))

    def _keep(self, data: dict[str, Any], ends_at: dt.datetime) -> None:
        seconds = int((ends_at - timezone.now()).total_seconds())
        if seconds > 0:
            cache.set(self._kept(), (data, ends_at), seconds)


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
