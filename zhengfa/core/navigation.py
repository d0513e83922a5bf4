"""Staff navigation, grouped by the article's five pillars (五个过硬).

Modules declare their entries as ``NavItem`` in ``plugin.py``; the base template shows the
entries the signed-in user may use.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .registry import registry
from .scope import can, fingerprint


class Pillar(models.TextChoices):
    POLITICS = "politics", _("Politically excellent")
    PROFESSION = "profession", _("Professionally excellent")
    RESPONSIBILITY = "responsibility", _("Responsible")
    DISCIPLINE = "discipline", _("Disciplined")
    CONDUCT = "conduct", _("Upright in conduct")
    SYSTEM = "system", _("System")


MENU_SECONDS = 60


def menu_key(user: Any) -> str:
    """What the menu of `user` is kept under: person, language and set of roles."""
    return f"zf-menu:{user.pk}:{get_language()}:{fingerprint(user)}"


def cached_menu_for(user: Any, key: str | None = None) -> list[dict[str, Any]]:
    """:func:`menu_for`, kept a minute per person, language and set of roles: every staff
    page shows it, and working it out asks several questions of the database. A change of
    roles shows at once; a new officer record within the minute. The base layout keeps the
    menu's HTML under the same key (and the page it marks as current)."""
    key = key or menu_key(user)
    menu: list[dict[str, Any]] | None = cache.get(key)
    if menu is None:
        menu = [
            {
                **group,
                "label": str(group["label"]),
                "entries": [{**entry, "label": str(entry["label"])} for entry in group["entries"]],
            }
            for group in menu_for(user)
        ]
        cache.set(key, menu, MENU_SECONDS)
    return menu


def menu_for(user: Any) -> list[dict[str, Any]]:
    """Pillars with the entries this user may open, in the article's order."""
    groups: list[dict[str, Any]] = []
    items = registry.navigation
    for value, label in Pillar.choices:
        entries = []
        for item in (i for i in items if i.pillar == value):
            if not can(user, item.domain, item.action):
                continue
            if item.allowed is not None and not item.allowed(user):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            entries.append({"label": item.label, "url": url, "url_name": item.url_name})
        if entries:
            groups.append({"pillar": value, "label": label, "entries": entries})
    return groups
