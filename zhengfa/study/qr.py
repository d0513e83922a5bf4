"""Rotating sign-in tokens for the projector QR code.

A token names a minute and carries an HMAC of (activity, minute) under the activity's own
secret and the site key, so it cannot be made without the server. It is good for the minute
it names and the one after (a person scanning as the code turns over still gets in).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import Activity

STEP_SECONDS = 60


class Outcome(StrEnum):
    OK = "ok"
    STALE = "stale"  # a real code whose minute has passed: scan again
    FORGED = "forged"  # not made by the server (or for another activity)


TOKEN_RE = re.compile(r"\d{1,12}-[0-9a-f]{20}")
GRACE_STEPS = 1
# A code opened in time stays good in that browser this long: time to sign in first.
OPENED_GRACE = dt.timedelta(minutes=5)
OPENED_KEY = "zf_checkin_opened"


def remember_opened(session: Any, activity: Activity, token: str, now: dt.datetime) -> None:
    """A valid code was opened in this browser: it may finish signing in within the grace
    (the session survives signing in; it is this browser's alone)."""
    session[OPENED_KEY] = {
        "pk": activity.pk,
        "token": token,
        "until": (now + OPENED_GRACE).timestamp(),
    }


def opened_in_time(session: Any, activity: Activity, token: str, now: dt.datetime) -> bool:
    data = session.get(OPENED_KEY) or {}
    return bool(
        data.get("pk") == activity.pk
        and data.get("token") == token
        and data.get("until", 0) >= now.timestamp()
    )


def _step(at: dt.datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def _mac(activity: Activity, step: int) -> str:
    key = (settings.SECRET_KEY + activity.qr_secret).encode()
    return hmac.new(key, f"{activity.pk}:{step}".encode(), hashlib.sha256).hexdigest()[:20]


def token_for(activity: Activity, at: dt.datetime | None = None) -> str:
    step = _step(at or timezone.now())
    return f"{step}-{_mac(activity, step)}"


def check(activity: Activity, token: str, now: dt.datetime | None = None) -> Outcome:
    """'ok', 'stale' (a real token, too old or from the future) or 'forged'."""
    if not TOKEN_RE.fullmatch(token or ""):
        return Outcome.FORGED
    try:
        raw_step, mac = token.split("-", 1)
        step = int(raw_step)
    except ValueError:
        return Outcome.FORGED
    if not hmac.compare_digest(mac, _mac(activity, step)):
        return Outcome.FORGED
    current = _step(now or timezone.now())
    if step > current or current - step > GRACE_STEPS:
        return Outcome.STALE
    return Outcome.OK
