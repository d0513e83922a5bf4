"""The staff home as a workbench: what needs this person now, from every module.

Modules declare ``Plugin(workbench=[Workbench(todos=..., order=...)])``; ``todos(user)`` returns
:class:`~zhengfa.core.registry.Todo` lines, usually made with :func:`todo` from a queryset
that the scope door already narrowed. The page leaves out lines with nothing to do.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .registry import Label, Todo, registry


def todo(label: Label, qs: QuerySet[Any], url: str) -> Todo:
    """A line counting `qs` (open records with ``due_at``), with how many are overdue and by
    how many whole days the oldest is."""
    now = timezone.now()
    late = Q(due_at__lt=now)
    found = qs.aggregate(
        n=Count("pk"), late=Count("pk", filter=late), oldest=Min("due_at", filter=late)
    )
    oldest = found["oldest"]
    return Todo(
        label=label,
        count=found["n"],
        url=url,
        overdue=found["late"],
        days_over=(now - oldest).days if oldest else 0,
    )


def todos_for(user: Any) -> list[Todo]:
    """Every module's lines for `user` that have something in them, in the modules' order."""
    return [t for source in registry.workbench for t in source.todos(user) if t.count]
