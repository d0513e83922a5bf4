"""Follow-up codes (查询码) that let a citizen follow a public submission without an account.

How a module uses it::

    # services.py, inside the transaction that creates the record:
    code = followup.issue(record)                   # stores nothing but its keyed hash
    followup.remember_for_display(response, code)   # in the view: shown once, then gone

    # plugin.py: Plugin(followups={Suggestion: PublicView(
    #     title=lambda s: str(_("Opinion on the campaign")),
    #     is_open=lambda s: s.is_open,
    #     supplement=lambda s, text, files: services.suggestion_supplement(
    #         suggestion=s, comment=text, files=files),
    # )})

The public page ``/query/`` (查询进度) takes a code, shows the module's public view —
status, public timeline entries — and, while the record is open, lets the citizen add
information or files. A wrong code and a missing record answer alike. Attempts are counted
per client address in the cache only (``core.ratelimit``: a keyed hash of the address, never
the address, and never the database); only wrong codes count, and past
``FOLLOWUP_RATE_LIMIT`` of them a clear message asks to wait.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest, HttpResponse

from . import ratelimit
from .crypto import keyed_hash
from .models import FollowUp
from .registry import PublicView, registry

# Crockford's base32: no I, L, O or U, so nothing reads as another character.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20  # 100 bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(code: str) -> str:
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return cleaned.translate(_READ_AS)


def group(code: str) -> str:
    """ABCD-EFGH-… for reading aloud and copying by hand."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return keyed_hash("followup:" + normalise(code))


def issue(record: models.Model) -> str:
    """A new code for `record`; only its keyed hash is stored. Call inside the transaction."""
    code = new_code()
    FollowUp.objects.create(
        code_hash=code_hash(code),
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
    )
    return code


def find(code: str) -> models.Model | None:
    """The record a code opens, or None — whether the code is wrong or the record is gone."""
    normal = normalise(code)
    if len(normal) != CODE_LENGTH or any(ch not in ALPHABET for ch in normal):
        return None
    entry = (
        FollowUp.objects.filter(code_hash=code_hash(normal)).select_related("content_type").first()
    )
    if entry is None:
        return None
    model = entry.content_type.model_class()
    if model is None or model not in registry.followups:
        return None
    return model._default_manager.filter(pk=entry.object_id).first()


def public_view(record: models.Model) -> PublicView:
    return registry.followups[type(record)]


DISPLAY_COOKIE = "zf_code_once"
DISPLAY_SALT = "zhengfa.followup.display"


def remember_for_display(response: HttpResponse, code: str) -> None:
    """Carry the code to the confirmation page in a signed, short-lived cookie.

    `response` is the redirect to that page; the cookie is sent to that page only. Not in
    the session: sessions live in the database, and the code must never be stored.
    """
    response.set_signed_cookie(
        DISPLAY_COOKIE,
        code,
        salt=DISPLAY_SALT,
        max_age=10 * 60,
        path=response["Location"],
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def code_to_display(request: HttpRequest) -> str | None:
    """The code the confirmation page is to show, if it has not been shown yet."""
    code: str | None = request.get_signed_cookie(
        DISPLAY_COOKIE, default=None, salt=DISPLAY_SALT, max_age=10 * 60
    )
    return code


def displayed(request: HttpRequest, response: HttpResponse) -> None:
    """Shown once: the page that shows the code deletes its cookie and is never cached."""
    response.delete_cookie(DISPLAY_COOKIE, path=request.path, samesite="Lax")
    response["Cache-Control"] = "no-store"


# --- rate limit, in the cache only -------------------------------------------------------


def blocked(request: HttpRequest) -> bool:
    """Whether this client has used up the window's wrong tries (a right code costs none:
    people behind one carrier address must not lock each other out by typing well)."""
    limit, window = settings.FOLLOWUP_RATE_LIMIT
    return ratelimit.exceeded(request, "followup", limit, window)


def failed_attempt(request: HttpRequest) -> None:
    _limit, window = settings.FOLLOWUP_RATE_LIMIT
    ratelimit.hit(request, "followup", window)


def display_context(request: HttpRequest, code: str) -> dict[str, Any]:
    """What the confirmation page shows: the grouped code, the follow-up link and its QR code.

    The code travels in the link's #fragment, which browsers never send to the server, so
    it reaches no log; the query page fills it in from there.
    """
    import segno
    from django.urls import reverse

    link = request.build_absolute_uri(reverse("portal:query")) + "#" + code
    return {
        "code": group(code),
        "query_link": link,
        "qr_data_uri": segno.make(link, error="m").svg_data_uri(scale=4, border=2),
    }


UNLOCK_KEY = "zf_followup_open"
UNLOCK_SECONDS = 30 * 60


def unlock(request: HttpRequest, record: models.Model) -> None:
    """After a right code, this browser session may view the record for half an hour."""
    ct = ContentType.objects.get_for_model(type(record))
    request.session[UNLOCK_KEY] = {
        "ct": ct.pk,
        "pk": record.pk,
        "until": int(time.time()) + UNLOCK_SECONDS,
    }


def unlocked(request: HttpRequest) -> models.Model | None:
    data = request.session.get(UNLOCK_KEY)
    if not data or data.get("until", 0) < time.time():
        return None
    model = ContentType.objects.get_for_id(data["ct"]).model_class()
    if model is None or model not in registry.followups:
        return None
    return model._default_manager.filter(pk=data["pk"]).first()
