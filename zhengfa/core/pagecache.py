"""Public pages that are the same for everyone, rendered once a minute.

A citizen's first visit to the home page, the opinion form or the follow-up lookup shows
exactly what every other citizen sees, except the form's CSRF token, which belongs to his
browser. :func:`public_page` keeps the rendered page in the cache with the token cut out and
puts this request's token back in; everything else that makes a page differ is in the key
(path, language, large type, an htmx request).

It stays out of the way of anything personal: a request with a session (a signed-in person,
a citizen who opened his record with a code) or with messages waiting, a query string, or
anything but GET is rendered as usual, and so is any answer but a plain 200 page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from .context_processors import LARGE_TYPE_COOKIE

SECONDS = 60
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HOLE = "\x00csrf\x00"


def _personal(request: HttpRequest) -> bool:
    return (
        request.method != "GET"
        or bool(request.GET)
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "messages" in request.COOKIES
    )


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _personal(request):
            return view(request, *args, **kwargs)
        key = ":".join(
            [
                "zf-page",
                request.path,
                get_language() or "",
                "large" if request.COOKIES.get(LARGE_TYPE_COOKIE) == "1" else "",
                "htmx" if request.headers.get("HX-Request") else "",
            ]
        )
        kept = cache.get(key)
        if kept is not None:
            content_type, body = kept
            return HttpResponse(body.replace(HOLE, get_token(request)), content_type=content_type)
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and response.get("Content-Type", "").startswith("text/html")
        ):
            body = response.content.decode(response.charset)
            tokens = set(TOKEN.findall(body))
            if len(tokens) <= 1:
                for token in tokens:
                    body = body.replace(token, HOLE)
                cache.set(key, (response["Content-Type"], body), SECONDS)
        return response

    return wrapped
