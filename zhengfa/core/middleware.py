from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

# The pages a person must reach while a step of signing in is still owed.
SIGN_IN_PAGES = ("core:login", "core:logout", "core:otp_verify", "core:otp_setup")


@functools.cache
def _paths(url_names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(reverse(name) for name in url_names)


def _on(request: HttpRequest, url_names: tuple[str, ...]) -> bool:
    """Whether the request is for one of these pages, or for static files or the language."""
    static = "/" + settings.STATIC_URL.lstrip("/")
    if request.path.startswith((static, "/i18n/")):
        return True
    return request.path in _paths(url_names)


class RequireTwoFactorMiddleware:
    """The second factor, after the password.

    Anyone with a confirmed TOTP device must enter a code before any other page; holders of
    the roles in ZHENGFA_TWO_FACTOR_ROLES who have no device must enrol one first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified() and not _on(request, SIGN_IN_PAGES):  # type: ignore[attr-defined]
            from django_otp import user_has_device

            from .scope import kept_for, roles_of

            # Whether he has an authenticator is kept until access changes (enrolling or
            # removing one moves it on), not asked of the database on every page.
            if kept_for(user, "otp", lambda: user_has_device(user, confirmed=True)):
                return redirect(
                    reverse("core:otp_verify") + "?" + urlencode({"next": request.path})
                )
            if roles_of(user) & set(settings.ZHENGFA_TWO_FACTOR_ROLES):
                return redirect("core:otp_setup")
        return self.get_response(request)


class RequirePasswordChangeMiddleware:
    """A password an administrator issued is changed by its owner before anything else
    (the account model says so with ``must_change_password``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        pages = (*SIGN_IN_PAGES, "core:password_change")
        if getattr(user, "must_change_password", False) and not _on(request, pages):
            return redirect("core:password_change")
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Pages for a signed-in person hold personal data: no browser or proxy cache keeps
    them (a shared office computer, a caching proxy). The citizen's follow-up pages say the
    same with ``never_cache``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (the actor of each change), keeping nothing the client
    sends: no address, no port, no correlation id. A citizen's submission must not be
    linkable to his connection; staff sign-ins keep their address in SignInEvent."""

    def get_extra_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"remote_addr": None, "remote_port": None, "actor": self._get_actor(request)}


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the person chose otherwise with the language switch.

    Browsers in the county often report English (a phone set up in a shop, a WeChat
    browser); the interface must not change language behind a person's back, so the
    Accept-Language header is not consulted — only the cookie the switch sets.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
