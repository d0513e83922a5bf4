from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the person's device.

    Behind a reverse proxy every request comes from the proxy, so the right-most address of
    X-Forwarded-For that is not one of TRUSTED_PROXIES is taken instead — only when the
    request really came through one of them (anyone can send the header).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.TRUSTED_PROXIES)
    if remote in trusted:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for address in reversed([a for a in forwarded if a]):
            if address not in trusted:
                return address
    return remote


def is_own_path(request: HttpRequest, target: str) -> bool:
    """`target` is a path of this site that a redirect may go to: not another host, nor a word
    that redirect() would take for a view's name, nor control characters that no header may
    carry (each was a 500)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    return (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    )
