"""Who runs this site, for page footers and text messages: never a county's name in code.

Settings ``ZHENGFA_OWNER_NAME`` / ``ZHENGFA_AREA_NAME`` win; otherwise the data says (the
org app's root unit and the area it serves). Cached for a minute: every page shows it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from .registry import Identity, registry

CACHE_KEY = "zf-site-identity"


def identity() -> Identity:
    found: Identity | None = cache.get(CACHE_KEY)
    if found is None:
        from_data = registry.identity() if registry.identity is not None else Identity()
        found = Identity(
            owner=settings.ZHENGFA_OWNER_NAME or from_data.owner,
            area=settings.ZHENGFA_AREA_NAME or from_data.area,
        )
        cache.set(CACHE_KEY, found, 60)
    return found
