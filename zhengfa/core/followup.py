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

import json
import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from . import ratelimit
from .crypto import keyed_hash
from .models import FollowUp
from .registry import PublicView, registry

# Crockford's base32: no I, L, O or U, so nothing reads as another character.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# 12 characters, 60 bits: short enough to copy by hand in three groups of four. Guessing is
# braked at FOLLOWUP_RATE_LIMIT wrong tries per address (10 per 15 minutes): with 100,000
# live codes (decades of a county's requests), ten thousand addresses trying day and night
# for a year find one with odds of about 3 in 10,000 (10⁴ × 10 × 35,040 × 10⁵ / 2⁶⁰).
CODE_LENGTH = 12
# Codes issued before the change were 20 characters; they keep working.
ACCEPTED_LENGTHS = frozenset({CODE_LENGTH, 20})
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
    if len(normal) not in ACCEPTED_LENGTHS or any(ch not in ALPHABET for ch in normal):
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


def remember_for_display(response: HttpResponse, code: str, *, texted_to: str = "") -> None:
    """Carry the code to the confirmation page in a signed, short-lived cookie.

    `response` is the redirect to that page; the cookie is sent to that page only. Not in
    the session: sessions live in the database, and the code must never be stored.
    `texted_to` is the masked number the code was also sent to by text, if any.
    """
    response.set_signed_cookie(
        DISPLAY_COOKIE,
        json.dumps({"code": code, "texted_to": texted_to}),
        salt=DISPLAY_SALT,
        max_age=10 * 60,
        path=response["Location"],
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def code_to_display(request: HttpRequest) -> dict[str, str] | None:
    """The code the confirmation page is to show (and where it was texted), if not shown yet."""
    raw: str | None = request.get_signed_cookie(
        DISPLAY_COOKIE, default=None, salt=DISPLAY_SALT, max_age=10 * 60
    )
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return {"code": str(data["code"]), "texted_to": str(data.get("texted_to", ""))}
    except (ValueError, KeyError, TypeError):
        return None


def displayed(request: HttpRequest, response: HttpResponse) -> None:
    """Shown once: the page that shows the code deletes its cookie and is never cached."""
    response.delete_cookie(DISPLAY_COOKIE, path=request.path, samesite="Lax")
    response["Cache-Control"] = "no-store"


def text_code(*, phone: str, code: str, what: str) -> str:
    """Send the code by text message to the number the citizen gave; returns it masked.

    The message is stored with a placeholder; the code itself waits encrypted beside it
    until the worker has sent it, and is then erased (``core.tasks.deliver_sms``).
    """
    from .notifications import send_sms
    from .site import identity

    owner = identity().owner or _("Political-Legal Work Platform")
    message = send_sms(
        to=phone,
        text=_(
            "%(owner)s: %(what)s Your follow-up code is {code}. Keep it to see the reply "
            "under “Check progress” on our site."
        )
        % {"owner": owner, "what": what},
        purpose="followup-code",
        secret=group(code),
    )
    return message.to_masked


# --- rate limit, in the cache only -------------------------------------------------------


def blocked(request: HttpRequest) -> bool:
    """Whether this client has used up the window's wrong tries (a right code costs none:
    people behind one carrier address must not lock each other out by typing well)."""
    limit, window = settings.FOLLOWUP_RATE_LIMIT
    return ratelimit.exceeded(request, "followup", limit, window)


def failed_attempt(request: HttpRequest) -> None:
    _limit, window = settings.FOLLOWUP_RATE_LIMIT
    ratelimit.hit(request, "followup", window)


def query_link(request: HttpRequest, code: str) -> str:
    """The follow-up page's address carrying the code after "#".

    Browsers never send the #fragment to the server, so the code reaches no log; the query
    page fills it in from there and the citizen only presses the button.
    """
    from django.urls import reverse

    return request.build_absolute_uri(reverse("portal:query")) + "#" + group(code)


def display_context(request: HttpRequest, shown: dict[str, str]) -> dict[str, Any]:
    """What the confirmation page shows: the grouped code, the follow-up link, its QR code and
    the card to keep as a picture."""
    import base64

    code = shown["code"]
    link = query_link(request, code)
    card = base64.b64encode(code_card_png(code, link)).decode("ascii")
    return {
        "code": group(code),
        "query_link": link,
        "query_path": link[link.index("/query/") :],
        # The footer's 查询进度 carries the code too.
        "query_fragment": "#" + group(code),
        "texted_to": shown.get("texted_to", ""),
        "card_data_uri": "data:image/png;base64," + card,
    }


_CARD_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)


def code_card_png(code: str, link: str) -> bytes:
    """A picture of the code and its QR code, to keep in the phone's album.

    Made on the fly for the confirmation page and never stored. The Chinese heading is drawn
    when a CJK font is installed; the code itself needs none.
    """
    import io
    from pathlib import Path

    import segno
    from PIL import Image, ImageDraw, ImageFont

    qr_buf = io.BytesIO()
    segno.make(link, error="m").save(qr_buf, kind="png", scale=8, border=2)
    qr = Image.open(io.BytesIO(qr_buf.getvalue())).convert("RGB")
    width = max(qr.width + 80, 640)
    cjk = next((p for p in _CARD_FONTS if Path(p).exists()), None)
    heading = ImageFont.truetype(cjk, 36) if cjk else None
    code_font = ImageFont.truetype(cjk, 56) if cjk else ImageFont.load_default(size=56)
    height = qr.height + (250 if heading else 190)
    card = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(card)
    y = 30
    if heading is not None:
        title = _("Follow-up code")
        draw.text((width // 2, y), title, fill="#9b1c1c", font=heading, anchor="mt")
        y += 60
    draw.text((width // 2, y), group(code), fill="black", font=code_font, anchor="mt")
    y += 90
    card.paste(qr, ((width - qr.width) // 2, y))
    out = io.BytesIO()
    card.save(out, format="PNG", optimize=True)
    return out.getvalue()


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


def lock(request: HttpRequest) -> None:
    """This browser forgets the record its code opened."""
    request.session.pop(UNLOCK_KEY, None)


def unlocked(request: HttpRequest) -> models.Model | None:
    data = request.session.get(UNLOCK_KEY)
    if not data or data.get("until", 0) < time.time():
        return None
    model = ContentType.objects.get_for_id(data["ct"]).model_class()
    if model is None or model not in registry.followups:
        return None
    return model._default_manager.filter(pk=data["pk"]).first()


def move(old: models.Model, new: models.Model) -> int:
    """The codes that opened `old` open `new` from now on (a matter that changed hands
    between modules: an opinion turned into a report). Call inside that transaction."""
    return FollowUp.objects.filter(
        content_type=ContentType.objects.get_for_model(type(old)), object_id=old.pk
    ).update(content_type=ContentType.objects.get_for_model(type(new)), object_id=new.pk)


def confirmation(request: HttpRequest, what: str, use: str = "") -> HttpResponse:
    """The page after a citizen's submission: the follow-up code, shown this once, with a
    copy button and a QR code; opened again (or too late), it sends him to the query page.
    `use` says what the code is for when it is not to read the reply and add information
    (a booking: to see it and cancel it)."""
    from django.contrib import messages
    from django.shortcuts import redirect, render

    shown = code_to_display(request)
    if shown is None:
        messages.info(
            request,
            _(
                "The follow-up code is shown only once. Enter it here, or find it in the "
                "picture you saved or in the text message."
            ),
        )
        return redirect("portal:query")
    page = render(
        request,
        "core/followup_code.html",
        {**display_context(request, shown), "what": what, "use": use},
    )
    displayed(request, page)
    return page
