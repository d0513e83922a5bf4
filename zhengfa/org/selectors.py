"""Reads across org records that more than one view needs."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from zhengfa.core.scope import collapse_paths, grant_for

from .models import Unit, User


def accounts_administered_by(admin: Any) -> QuerySet[User]:
    """Accounts whose every role and profile lies in the units `admin` administers.

    One role outside is enough to put an account beyond a lower-level administrator (else a
    station's administrator could take over a county leader who also leads the station).
    Accounts with no unit at all (not yet placed) are administered from the root only.
    """
    paths = collapse_paths(grant_for(admin, "org", "admin").unit_paths)
    if not paths:
        return User.objects.none()
    inside = Q(pk__in=[])
    for path in paths:
        inside |= Q(path__startswith=path)
    outside = Unit.objects.exclude(inside)
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(role_assignments__unit__path__startswith=path)
        q |= Q(officer__unit__path__startswith=path)
        q |= Q(mediator__organisation__path__startswith=path)
    roots = set(Unit.objects.filter(parent=None).values_list("path", flat=True))
    if roots & set(paths):
        q |= Q(role_assignments__isnull=True, officer__isnull=True, mediator__isnull=True)
    beyond = (
        Q(role_assignments__unit__in=outside)
        | Q(officer__unit__in=outside)
        | Q(mediator__organisation__in=outside)
    )
    return (
        User.objects.filter(q).exclude(pk__in=User.objects.filter(beyond).values("pk")).distinct()
    )


def units_where(user: Any, domain: str, action: str, *, below_only: bool = False) -> QuerySet[Unit]:
    """Units where `user` may do `action` in `domain` (the subtrees of his roles).

    ``below_only`` leaves out the units the roles are held at (for assigning work down).
    """
    q = Q(pk__in=[])
    for path in collapse_paths(grant_for(user, domain, action).unit_paths):
        q |= (Q(path__startswith=path) & ~Q(path=path)) if below_only else Q(path__startswith=path)
    return Unit.objects.filter(q).order_by("path")
