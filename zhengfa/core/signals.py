"""Sign-in auditing. Authentication events have no model change, so they are recorded here."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from .models import SignInEvent


def client_address(request: HttpRequest | None) -> str | None:
    """The staff member's address as the server saw it (staff sign-ins only, never citizens)."""
    from .net import client_address as address_of

    if request is None:
        return None
    return address_of(request) or None


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    SignInEvent.objects.create(
        kind=SignInEvent.Kind.LOGIN,
        user=user,
        username=user.get_username(),
        ip_address=client_address(request),
    )


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        SignInEvent.objects.create(
            kind=SignInEvent.Kind.LOGOUT,
            user=user,
            username=user.get_username(),
            ip_address=client_address(request),
        )


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    SignInEvent.objects.create(
        kind=SignInEvent.Kind.FAILURE,
        username=str(credentials.get("username", ""))[:150],
        ip_address=client_address(request),
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    SignInEvent.objects.create(
        kind=SignInEvent.Kind.LOCKED,
        username=(username or "")[:150],
        ip_address=client_address(request),
    )
