"""The demo county is built by each module in turn: a module declares a ``DemoBuilder`` in
``plugin.py``; :func:`build` runs them by order, in one transaction, with the audit log
switched off (a demo is not a change anyone made). In a province each synthetic county gets
every module's part the same way (:func:`build_county`)."""

from __future__ import annotations

from typing import Any

from auditlog.context import disable_auditlog
from django.db import transaction

from .registry import registry


def build(password: str) -> list[tuple[str, dict[str, int]]]:
    """Run every builder; returns (module, counts of what it created) in order."""
    done = []
    with disable_auditlog(), transaction.atomic():
        for name, builder in registry.demo_builders:
            done.append((name, builder.build(password)))
    return done


def build_county(county: Any) -> dict[str, int]:
    """Every module's year of records for one synthetic county (``org.demo.County``), in one
    transaction with the audit log off; returns counts of what was created."""
    done: dict[str, int] = {}
    with disable_auditlog(), transaction.atomic():
        for _name, builder in registry.demo_builders:
            if builder.county is not None:
                for key, n in builder.county(county).items():
                    done[key] = done.get(key, 0) + n
    return done
