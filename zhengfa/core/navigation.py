"""Staff navigation, grouped by the article's five pillars (五个过硬).

Each app registers its entries in ``AppConfig.ready()``; the base template shows the entries
the signed-in user may use. A new module adds its pages without touching the shell::

    navigation.register(NavItem(pillar=Pillar.DISCIPLINE, label=_("Reports"),
                                url_name="supervision:report_list", domain="supervision"))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .scope import can


class Pillar(models.TextChoices):
    POLITICS = "politics", _("Politically excellent")
    PROFESSION = "profession", _("Professionally excellent")
    RESPONSIBILITY = "responsibility", _("Responsible")
    DISCIPLINE = "discipline", _("Disciplined")
    CONDUCT = "conduct", _("Upright in conduct")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class NavItem:
    pillar: str
    label: str | Promise
    url_name: str
    domain: str
    action: str = "view"
    order: int = 100
    # A further condition beyond the domain grant, when a page asks for more.
    allowed: Callable[[Any], bool] | None = None


_items: list[NavItem] = []


def register(*items: NavItem) -> None:
    for item in items:
        if item not in _items:
            _items.append(item)


def menu_for(user: Any) -> list[dict[str, Any]]:
    """Pillars with the entries this user may open, in the article's order."""
    groups: list[dict[str, Any]] = []
    for value, label in Pillar.choices:
        entries = []
        for item in sorted((i for i in _items if i.pillar == value), key=lambda i: i.order):
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
