"""The demo county is built by each module in turn. A module registers its builder in
``AppConfig.ready()``; ``manage.py seed_demo`` runs them in order, in one transaction::

    demo.register("study", build_study_demo, order=30)

A builder is deterministic and idempotent: it finds what exists by natural keys and adds
only what is missing, and returns counts of what it created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Builder:
    name: str
    build: Callable[[str], dict[str, int]]
    order: int


_builders: dict[str, Builder] = {}


def register(name: str, build: Callable[[str], dict[str, int]], order: int) -> None:
    _builders[name] = Builder(name, build, order)


def builders() -> list[Builder]:
    return sorted(_builders.values(), key=lambda b: b.order)
