"""The one scoping entry point for staff queries: ``Model.objects.visible_to(user, action)``.

A model that belongs to an organisation declares where its unit is and which *domain* of
work it belongs to; roles grant actions per domain on the subtree of the unit they are held
at (see ``zhengfa.org.access``)::

    class Dispute(models.Model):
        unit = models.ForeignKey("org.Unit", ...)
        handler = models.ForeignKey(settings.AUTH_USER_MODEL, ...)
        scope = ScopeSpec(domain="mediation", unit="unit", owner="handler")
        objects = ScopedManager()

    Dispute.objects.visible_to(request.user, "change")

``unit`` is the lookup path to the unit (``""`` for the unit model itself); ``owner`` is the
lookup path to the user whose own record it is, for roles that act on their own records only.
Views fetch single records with :func:`get_scoped_or_404`: out of scope answers 404, in
scope for viewing but not for the action answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser
else:
    AnyUser = Any


@dataclass(frozen=True)
class ScopeSpec:
    domain: str
    unit: str = "unit"
    owner: str | None = None
    # Records held at a unit are seen (not changed) by everyone in the units below it:
    # a county campaign is visible in every police station.
    seen_below: bool = False


@dataclass
class Grant:
    """What a user may do with one action in one domain."""

    unit_paths: list[str] = field(default_factory=list)
    own: bool = False

    @property
    def empty(self) -> bool:
        return not self.unit_paths and not self.own


# Set by the org app at start-up: (user, domain, action) -> Grant.
_resolver: Callable[[Any, str, str], Grant] | None = None


def register_resolver(resolver: Callable[[Any, str, str], Grant]) -> None:
    global _resolver
    _resolver = resolver


def grant_for(user: AnyUser, domain: str, action: str) -> Grant:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Grant()
    if _resolver is None:  # pragma: no cover - org is always installed
        raise RuntimeError("no scope resolver registered")
    return _resolver(user, domain, action)


def collapse_paths(paths: list[str]) -> list[str]:
    """Drop paths that lie inside another path of the list."""
    kept: list[str] = []
    for path in sorted(set(paths), key=lambda p: (len(p), p)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M], Generic[M]):
    def visible_to(self, user: AnyUser, action: str = "view") -> ScopedQuerySet[M]:
        spec: ScopeSpec = self.model.scope  # type: ignore[attr-defined]
        grant = grant_for(user, spec.domain, action)
        if grant.empty:
            return self.none()
        path_lookup = f"{spec.unit}__path__startswith" if spec.unit else "path__startswith"
        q = Q(pk__in=[])
        for path in collapse_paths(grant.unit_paths):
            q |= Q(**{path_lookup: path})
        if spec.seen_below and action == "view":
            ancestors = {
                path[: i + 1] for path in grant.unit_paths for i, ch in enumerate(path) if ch == "."
            }
            exact = f"{spec.unit}__path__in" if spec.unit else "path__in"
            q |= Q(**{exact: sorted(ancestors)})
        if grant.own and spec.owner:
            q |= Q(**{spec.owner: user})
        return self.filter(q)


class ScopedManager(models.Manager[M], Generic[M]):
    _queryset_class = ScopedQuerySet

    def get_queryset(self) -> ScopedQuerySet[M]:
        return self._queryset_class(self.model, using=self._db)

    def visible_to(self, user: AnyUser, action: str = "view") -> ScopedQuerySet[M]:
        return self.get_queryset().visible_to(user, action)


def get_scoped_or_404(
    queryset: models.QuerySet[M] | type[M], user: AnyUser, action: str = "view", **lookup: Any
) -> M:
    """The record, if the user may see it (else 404) and do `action` on it (else 403)."""
    qs: Any = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        obj = qs.visible_to(user, "view").get(**lookup)
    except (qs.model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if action != "view" and not qs.visible_to(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


def can(user: AnyUser, domain: str, action: str) -> bool:
    """Whether the user may do `action` anywhere in `domain` (for showing buttons, create views)."""
    return not grant_for(user, domain, action).empty
