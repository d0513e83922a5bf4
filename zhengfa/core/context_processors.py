from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import navigation

LARGE_TYPE_COOKIE = "zf_large"


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs: the staff menu and the large-type preference. Worked out
    once per request, however many templates (panels, fragments) it renders."""
    kept: dict[str, Any] | None = getattr(request, "_zf_shell", None)
    if kept is None:
        kept = _shell(request)
        request._zf_shell = kept  # type: ignore[attr-defined]
    return kept


def _shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    staff = user is not None and user.is_authenticated
    key = navigation.menu_key(user) if staff else ""
    menu = navigation.cached_menu_for(user, key) if staff else []
    from .notifications import unread_count
    from .site import identity

    return {
        # Not "site": Django's sign-in view puts its own "site" in the context.
        "site_identity": identity(),
        "nav_menu": menu,
        # The menu's HTML is kept a minute under this key and the current page's name.
        "nav_key": key,
        "nav_seconds": navigation.MENU_SECONDS,
        "unread_notifications": unread_count(user) if menu else 0,
        "large_type": request.COOKIES.get(LARGE_TYPE_COOKIE) == "1",
    }
