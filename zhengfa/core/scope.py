"""The one door for scope: who may do what on which records.

A model that belongs to an organisation declares where its unit is and which *domain* of
work it belongs to; roles grant actions per domain on the subtree of the unit they are held
at (the org app provides the roles, modules declare their domains in ``plugin.py``)::

    class Dispute(models.Model):
        unit = models.ForeignKey("org.Unit", ...)
        handler = models.ForeignKey(settings.AUTH_USER_MODEL, ...)
        scope = ScopeSpec(domain="mediation", unit="unit", owner="handler")
        objects = ScopedManager()

    Dispute.objects.visible_to(request.user, "change")       # every staff read
    get_scoped_or_404(Dispute, request.user, "change", pk=pk)  # 404 outside, 403 read-only
    Unit.objects.granted_to(request.user, "work", "assign", strictly_below=True)
    Task.objects.visible_to(user).within(unit)                 # a unit's subtree
    grant_for(user, "work", "assign").covers(task.issued_by)   # one unit, in Python

``unit`` is the lookup path to the unit (``""`` for the unit model itself), or several
paths when a record lies in every one of them (an account with roles in several units);
``owner`` is the lookup path to the user whose own record it is, for roles that act on their
own records only; ``participant`` adds the records a person takes part in (an invited
audience) to what he may view.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.db.models.lookups import StartsWith
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser
else:
    AnyUser = Any


@dataclass(frozen=True)
class ScopeSpec:
    domain: str
    unit: str | tuple[str, ...] = "unit"
    owner: str | None = None
    # Records held at a unit are seen (not changed) by everyone in the units below it:
    # a county campaign is visible in every police station.
    seen_below: bool = False
    # (user) -> Q of further records he may view because he takes part in them, or None.
    participant: Callable[[Any], Q | None] | None = None


def collapse_paths(paths: list[str]) -> list[str]:
    """Drop paths that lie inside another path of the list."""
    kept: list[str] = []
    for path in sorted(set(paths), key=lambda p: (len(p), p)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def path_of(unit: Any) -> str:
    return unit if isinstance(unit, str) else str(unit.path)


def path_ancestors(unit: Any) -> list[str]:
    """The paths of the unit and of every unit above it, from the top down."""
    path = path_of(unit)
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "."]


def path_within(path: Any, root: Any) -> StartsWith:
    """A database condition: the unit path `path` lies in the subtree of the path `root`
    (both expressions, e.g. ``OuterRef("unit__path")`` and ``F("unit__path")``)."""
    return StartsWith(path, root)


def subtree_q(lookup: str, paths: list[str]) -> Q:
    """Records whose unit (at `lookup`, "" for a unit itself) lies in one of the subtrees."""
    field = f"{lookup}__path__startswith" if lookup else "path__startswith"
    q = Q(pk__in=[])
    for path in collapse_paths(paths):
        q |= Q(**{field: path})
    return q


@dataclass
class Grant:
    """What a user may do with one action in one domain: the subtrees, and his own records."""

    unit_paths: list[str]
    own: bool = False

    @property
    def empty(self) -> bool:
        return not self.unit_paths and not self.own

    @property
    def paths(self) -> list[str]:
        return collapse_paths(self.unit_paths)

    @property
    def at_root(self) -> bool:
        """Held at the top of a tree (where records without a unit belong)."""
        return any(path.count(".") == 1 for path in self.unit_paths)

    def covers(self, unit: Any) -> bool:
        """Whether the grant reaches `unit` (a unit or its path)."""
        target = path_of(unit)
        return any(target.startswith(p) for p in self.paths)

    def holder(self, unit: Any) -> str | None:
        """The path of the granted unit strictly above `unit` that reaches it, if any."""
        target = path_of(unit)
        return next((p for p in self.paths if target.startswith(p) and target != p), None)


def _access() -> Any:
    from .registry import registry

    if registry.access is None:  # pragma: no cover - the org app always provides it
        raise RuntimeError("no access provider registered")
    return registry.access


# What each person holds is kept in the cache under a generation that every change of a role,
# a unit or an authenticator moves on (the org app's signals, and ``access_changed`` after
# bulk writes): a change shows on the next page; the time limit bounds a cache of one process.
GENERATION_KEY = "zf-access-generation"
ACCESS_SECONDS = 300


def access_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh start is past every number an earlier one reached by counting up.
        cache.add(GENERATION_KEY, time.time_ns(), None)
        generation = cache.get(GENERATION_KEY, 0)
    return int(generation)


def access_changed(**_signal: Any) -> None:
    """Forget what every person was found to hold (roles, authenticators)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, time.time_ns(), None)


def kept_for(user: Any, name: str, work: Any) -> Any:
    """``work()``, kept per person until access changes (see GENERATION_KEY)."""
    key = f"zf-access:{access_generation()}:{name}:{user.pk}"
    found = cache.get(key)
    if found is None:
        found = work()
        cache.set(key, found, ACCESS_SECONDS)
    return found


def grant_for(user: AnyUser, domain: str, action: str) -> Grant:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Grant([])
    grant: Grant = _access().grant(user, domain, action)
    return grant


def roles_of(user: AnyUser) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return set()
    roles: set[str] = _access().roles(user)
    return roles


def fingerprint(user: AnyUser) -> str:
    """A short key that changes whenever what `user` may do changes."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ""
    held: str = _access().fingerprint(user)
    return hashlib.blake2b(held.encode(), digest_size=8).hexdigest()


def can(user: AnyUser, domain: str, action: str) -> bool:
    """Whether the user may do `action` anywhere in `domain` (for showing buttons, create views)."""
    return not grant_for(user, domain, action).empty


M = TypeVar("M", bound=models.Model)


def _model_at(model: type[models.Model], lookup: str) -> type[models.Model]:
    for part in lookup.split("__"):
        related = model._meta.get_field(part).related_model
        assert related is not None and not isinstance(related, str)
        model = related
    return model


def _branches(q: Q) -> list[Q]:
    """The alternatives of a condition written ``a | b | c``, each as a condition."""
    if q.connector != Q.OR or q.negated or len(q.children) < 2:
        return [q]
    return [c if isinstance(c, Q) else Q(c) for c in q.children]


def _ids_of(q: Q) -> Any:
    """The subquery of a condition ``Q(pk__in=<a query of one column>)``, else None."""
    if len(q.children) != 1 or q.negated or not isinstance(q.children[0], tuple):
        return None
    lookup, value = q.children[0]
    fields = getattr(value, "_fields", None)
    if lookup in ("pk__in", "id__in") and isinstance(value, models.QuerySet) and fields:
        return value.order_by() if len(fields) == 1 else None
    return None


class ScopedQuerySet(models.QuerySet[M], Generic[M]):
    @property
    def _spec(self) -> ScopeSpec:
        spec: ScopeSpec = self.model.scope  # type: ignore[attr-defined]
        return spec

    def visible_to(self, user: AnyUser, action: str = "view") -> Self:
        spec = self._spec
        grant = grant_for(user, spec.domain, action)
        mine = self._grant_q(grant)
        parts = [mine] if grant.unit_paths else []
        if spec.seen_below and action == "view" and grant.unit_paths:
            ancestors = {above for path in grant.unit_paths for above in path_ancestors(path)}
            unit = self._single_unit("seen_below")
            exact = f"{unit}__path__in" if unit else "path__in"
            parts.append(Q(**{exact: sorted(ancestors)}))
        if grant.own and spec.owner:
            # Left out when the person's own records all lie inside his units already (the
            # usual case: one index lookup says so), so that his units alone are asked.
            own = Q(**{spec.owner: user})
            manager = self.model._default_manager
            if not grant.unit_paths or manager.filter(own).exclude(mine).exists():
                parts.append(own)
        if (
            spec.participant is not None
            and action == "view"
            and getattr(user, "is_authenticated", False)
        ):
            extra = spec.participant(user)
            if extra is not None:
                parts.extend(_branches(extra))
        return self._any_of(parts)

    def _any_of(self, parts: list[Q]) -> Self:
        """Rows meeting any of the conditions. One condition is a filter; several are a
        union of the ids each finds: each through its own index. Written as one condition
        with OR across the unit, the owner and the audience, PostgreSQL joined every row of
        the table to every unit of a province to test it."""
        if len(parts) <= 1:
            return self.filter(parts[0] if parts else Q(pk__in=[]))
        manager = self.model._default_manager
        selects = []
        for part in parts:
            ids = _ids_of(part)
            selects.append(manager.filter(part).order_by().values("pk") if ids is None else ids)
        return self.filter(pk__in=selects[0].union(*selects[1:]))

    def granted_to(
        self, user: AnyUser, domain: str, action: str, *, strictly_below: bool = False
    ) -> Self:
        """Records whose unit lies where `user` holds `action` in `domain` (any domain: the
        units where an officer may organise study work are ``Unit.objects.granted_to(user,
        "work", "change")``). ``strictly_below`` leaves out the units the roles are held at."""
        grant = grant_for(user, domain, action)
        q = self._grant_q(grant)
        if strictly_below:
            unit = self._single_unit("granted_to(strictly_below=True)")
            exact = f"{unit}__path__in" if unit else "path__in"
            return self.filter(q).exclude(**{exact: grant.paths})
        return self.filter(q)

    def held_by(self, user: AnyUser, domain: str, action: str) -> Self:
        """Records of the very units where `user` holds `action` (not the units below them):
        his own unit's work, for his workbench, where the subtree would drown it."""
        grant = grant_for(user, domain, action)
        unit = self._single_unit("held_by()")
        return self.filter(**{f"{unit}__path__in" if unit else "path__in": grant.unit_paths})

    def within(self, unit: Any) -> Self:
        """Records of `unit`'s subtree (a filter the person chose, inside his scope)."""
        return self.filter(subtree_q(self._single_unit("within()"), [path_of(unit)]))

    def _single_unit(self, what: str) -> str:
        unit = self._spec.unit
        if not isinstance(unit, str):
            raise TypeError(f"{what} needs a model with one unit, not {self.model.__name__}")
        return unit

    def _grant_q(self, grant: Grant) -> Q:
        if not grant.unit_paths:
            return Q(pk__in=[])
        lookup = self._spec.unit
        if isinstance(lookup, str):
            return subtree_q(lookup, grant.paths)
        # A record in several units is reached only when every one of them is; one with no
        # unit at all belongs to the top of the tree.
        units = _model_at(self.model, lookup[0])._default_manager
        inside = units.filter(subtree_q("", grant.paths))
        outside = units.exclude(subtree_q("", grant.paths))
        reach = Q(pk__in=[])
        beyond = Q(pk__in=[])
        for part in lookup:
            reach |= Q(**{f"{part}__in": inside})
            beyond |= Q(**{f"{part}__in": outside})
        if grant.at_root:
            reach |= Q(**{f"{part}__isnull": True for part in lookup})
        manager = self.model._default_manager
        reached = manager.filter(reach).exclude(pk__in=manager.filter(beyond).values("pk"))
        return Q(pk__in=reached.values("pk"))


class ScopedManager(models.Manager[M], Generic[M]):
    _queryset_class = ScopedQuerySet

    def get_queryset(self) -> ScopedQuerySet[M]:
        return self._queryset_class(self.model, using=self._db)

    def visible_to(self, user: AnyUser, action: str = "view") -> ScopedQuerySet[M]:
        return self.get_queryset().visible_to(user, action)

    def granted_to(
        self, user: AnyUser, domain: str, action: str, *, strictly_below: bool = False
    ) -> ScopedQuerySet[M]:
        return self.get_queryset().granted_to(user, domain, action, strictly_below=strictly_below)

    def held_by(self, user: AnyUser, domain: str, action: str) -> ScopedQuerySet[M]:
        return self.get_queryset().held_by(user, domain, action)

    def within(self, unit: Any) -> ScopedQuerySet[M]:
        return self.get_queryset().within(unit)


def get_scoped_or_404(
    queryset: models.QuerySet[M] | type[M], user: AnyUser, action: str = "view", **lookup: Any
) -> M:
    """The record, if the user may see it (else 404) and do `action` on it (else 403)."""
    qs: Any = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    try:
        obj = qs.visible_to(user, "view").get(**lookup)
    except (qs.model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if action != "view" and not may(user, action, obj):
        raise PermissionDenied
    return obj


def may(user: AnyUser, action: str, record: models.Model) -> bool:
    """Whether `user` may do `action` on this one record (one query)."""
    manager: Any = type(record)._default_manager
    return bool(manager.visible_to(user, action).filter(pk=record.pk).exists())
