"""Reads across org records that more than one view needs."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from zhengfa.core.scope import collapse_paths, grant_for

from .models import Unit, User


def accounts_administered_by(admin: Any) -> QuerySet[User]:
    """Accounts whose roles or profiles lie in the units `admin` administers.

    Accounts with no unit at all (not yet placed) are administered from the root only.
    """
    paths = collapse_paths(grant_for(admin, "org", "admin").unit_paths)
    if not paths:
        return User.objects.none()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(role_assignments__unit__path__startswith=path)
        q |= Q(officer__unit__path__startswith=path)
        q |= Q(mediator__organisation__path__startswith=path)
    roots = set(Unit.objects.filter(parent=None).values_list("path", flat=True))
    if roots & set(paths):
        q |= Q(role_assignments__isnull=True, officer__isnull=True, mediator__isnull=True)
    return User.objects.filter(q).distinct()


def units_where(user: Any, domain: str, action: str, *, below_only: bool = False) -> QuerySet[Unit]:
    """Units where `user` may do `action` in `domain` (the subtrees of his roles).

    ``below_only`` leaves out the units the roles are held at (for assigning work down).
    """
    q = Q(pk__in=[])
    for path in collapse_paths(grant_for(user, domain, action).unit_paths):
        q |= (Q(path__startswith=path) & ~Q(path=path)) if below_only else Q(path__startswith=path)
    return Unit.objects.filter(q).order_by("path")
