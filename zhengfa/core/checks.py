"""Start-up checks of a deployment that settings alone cannot refuse."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning


def trusted_proxies(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Behind nginx every request comes from the proxy: without TRUSTED_PROXIES, every
    citizen of the county would share one follow-up and submission limit."""
    if settings.PRODUCTION and not settings.TRUSTED_PROXIES:
        return [
            Warning(
                "TRUSTED_PROXIES is empty: behind a reverse proxy, every client counts as the "
                "proxy's address for the per-address limits.",
                hint="Set TRUSTED_PROXIES to the proxy's address (127.0.0.1 for nginx on the "
                "host), unless clients reach gunicorn directly.",
                id="zhengfa.W001",
            )
        ]
    return []
