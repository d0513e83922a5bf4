"""The demo county is built by each module in turn: a module declares a ``DemoBuilder`` in
``plugin.py``; :func:`build` runs them by order, in one transaction, with the audit log
switched off (a demo is not a change anyone made)."""

from __future__ import annotations

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
