"""Limits per client address, counted in the cache only: the address is kept as a keyed
hash for the length of the window and never reaches the database or a log.

    if ratelimit.exceeded(request, "submit", *settings.SUBMISSION_RATE_LIMIT): ...
    ratelimit.hit(request, "submit", window)
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from .crypto import keyed_hash
from .net import client_address


def _key(request: HttpRequest, bucket: str) -> str:
    return f"zf-rl:{bucket}:" + keyed_hash("rate:" + client_address(request))[:32]


def exceeded(request: HttpRequest, bucket: str, limit: int, window: int) -> bool:
    """Whether this client has used up the window's `limit` in `bucket` (counts nothing)."""
    return int(cache.get(_key(request, bucket), 0)) >= limit


def hit(request: HttpRequest, bucket: str, window: int) -> None:
    """Count one use; the count lives `window` seconds from the first."""
    key = _key(request, bucket)
    if cache.add(key, 1, timeout=window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)


def submissions_refused(request: HttpRequest) -> str:
    """Why a public form is refused before it is read (too many sent from this client), or
    "". Checked before the form is validated, so a flood costs no picture decoding."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    limit, window = settings.SUBMISSION_RATE_LIMIT
    if not exceeded(request, "submit", limit, window):
        return ""
    return _(
        "Several requests were sent from this connection just now. Please wait %(m)d "
        "minutes and send it again, or come to any service window."
    ) % {"m": max(1, window // 60)}


def count_submission(request: HttpRequest) -> None:
    from django.conf import settings

    hit(request, "submit", settings.SUBMISSION_RATE_LIMIT[1])
