"""Public entry points. Modules register the services citizens can start from the home page::

services.register(PublicEntry(label=_("Report misconduct"),
                              url_name="supervision:report_new", order=10))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class PublicEntry:
    label: str | Promise
    url_name: str
    description: str | Promise = ""
    order: int = 100


_entries: list[PublicEntry] = []


def register(*entries: PublicEntry) -> None:
    for entry in entries:
        if entry not in _entries:
            _entries.append(entry)


def entries() -> list[dict[str, Any]]:
    out = []
    for entry in sorted(_entries, key=lambda e: e.order):
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        out.append({"label": entry.label, "description": entry.description, "url": url})
    return out
