"""Staff navigation, grouped by the article's five pillars (五个过硬).

Modules declare their entries as ``NavItem`` in ``plugin.py``; the base template shows the
entries the signed-in user may use.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .registry import registry
from .scope import can


class Pillar(models.TextChoices):
    POLITICS = "politics", _("Politically excellent")
    PROFESSION = "profession", _("Professionally excellent")
    RESPONSIBILITY = "responsibility", _("Responsible")
    DISCIPLINE = "discipline", _("Disciplined")
    CONDUCT = "conduct", _("Upright in conduct")
    SYSTEM = "system", _("System")


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
