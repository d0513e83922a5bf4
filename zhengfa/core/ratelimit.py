"""Limits per client address, counted in the cache only: the address is kept as a hash
under a random salt that itself lives only in the cache, for the length of the window, and
never reaches the database or a log. An IPv6 client counts by its /64 network (one
household), an IPv4 client by its address.

    if ratelimit.exceeded(request, "submit", *settings.SUBMISSION_RATE_LIMIT): ...
    ratelimit.hit(request, "submit", window)
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from django.core.cache import cache
from django.http import HttpRequest

from .net import client_address

SALT_KEY = "zf-rl-salt"
# Longer than any window; a new salt starts every count afresh, which is harmless.
SALT_SECONDS = 2 * 24 * 3600


def _client(request: HttpRequest) -> str:
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# Of the keyed hash, this many hex digits name the count: 20 bits, about a million buckets.
# Enough that people rarely share one; too few to tell an address from the bucket, since
# some 4,000 IPv4 addresses fall in each (the cache may be a database table, and backed up).
BUCKET_DIGITS = 5


def _key(request: HttpRequest, bucket: str) -> str:
    from django.conf import settings

    salt = cache.get_or_set(SALT_KEY, secrets.token_hex(16), timeout=SALT_SECONDS)
    # Keyed by the server's secret as well: the cache alone does not let anyone try addresses.
    key = f"{settings.SECRET_KEY}:{salt}".encode()
    digest = hmac.new(key, _client(request).encode(), hashlib.sha256)
    return f"zf-rl:{bucket}:" + digest.hexdigest()[:BUCKET_DIGITS]


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
    "". Every POST counts, valid or not, and the check comes before the form is validated,
    so a flood costs no picture decoding."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    limit, window = settings.SUBMISSION_RATE_LIMIT
    if not exceeded(request, "submit", limit, window):
        hit(request, "submit", window)
        return ""
    return _(
        "Several requests were sent from this connection just now. Please wait %(m)d "
        "minutes and send it again, or come to any service window."
    ) % {"m": max(1, window // 60)}
