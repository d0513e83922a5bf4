"""Sign-in auditing. Authentication events have no model change, so they are recorded here.

The receivers are connected by ``CoreConfig.ready()`` through :func:`connect`, so that
auditing never depends on which module happened to be imported first.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from .models import SignInEvent
from .net import client_address


def _address(request: HttpRequest | None) -> str | None:
    """The staff member's address as the server saw it (staff sign-ins only, never citizens)."""
    if request is None:
        return None
    return client_address(request) or None


def record(kind: str, *, request: HttpRequest | None, user: Any = None, username: str = "") -> None:
    SignInEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=_address(request),
    )


def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(SignInEvent.Kind.LOGIN, request=request, user=user)


def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(SignInEvent.Kind.LOGOUT, request=request, user=user)


def given_name(username: str) -> str:
    """The user name as typed if it names an account, else a keyed hash of it: people type
    their password into the wrong field, and nothing of it may reach the audit page. Each
    unknown name keeps a lockout count of its own, so counts tell nothing about which names
    exist."""
    from django.contrib.auth import get_user_model

    from .crypto import keyed_hash

    if not username or get_user_model()._default_manager.filter(username=username).exists():
        return username
    return "?" + keyed_hash("signin:" + username)[:12]


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The user name django-axes counts failures under and stores: masked like above."""
    source = credentials if credentials else (request.POST if request is not None else {})
    return given_name(str(source.get("username", "") or ""))


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = given_name(str(credentials.get("username", "")))
    record(SignInEvent.Kind.FAILURE, request=request, username=username)


def _locked_out(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    record(SignInEvent.Kind.LOCKED, request=request, username=given_name(username or ""))


RECEIVERS = (
    (user_logged_in, _logged_in),
    (user_logged_out, _logged_out),
    (user_login_failed, _login_failed),
    (user_locked_out, _locked_out),
)


def connect() -> None:
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"zhengfa.core.signals.{receiver.__name__}")
