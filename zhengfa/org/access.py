"""Roles and what they grant.

A role is held at a unit and reaches that unit's subtree. What a role may do is declared per
*domain* of work by the module that owns the domain, in its ``plugin.py``
(``Plugin(domains={"work": {Role.LEADER: {VIEW, CHANGE}}})``). An action written ``own:view``
applies only to records whose owner is the user (see ``ScopeSpec.owner``). This module is
the access provider that ``core.scope`` asks.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengfa.core.registry import registry
from zhengfa.core.scope import Grant, kept_for


class Role(models.TextChoices):
    COMMITTEE = "committee", _("Political-legal committee")
    LEADER = "leader", _("Unit leader")
    CLERK = "clerk", _("Clerk")
    OFFICER = "officer", _("Officer")
    SUPERVISION = "supervision", _("Supervision staff")
    MEDIATOR = "mediator", _("Mediator")
    SYSADMIN = "sysadmin", _("System administrator")


VIEW, CHANGE, ASSIGN, ADMIN = "view", "change", "assign", "admin"
# Showing a masked value (ID number, phone) in full: audited, with a reason.
REVEAL = "reveal"


def own(action: str) -> str:
    return f"own:{action}"


def _assignments(user: Any) -> list[tuple[str, str]]:
    """(role, unit path) pairs of the user: kept on the user object for the request and in
    the cache until access changes (``core.scope.kept_for``)."""
    cached = getattr(user, "_zf_assignments", None)
    if cached is None:
        from .models import RoleAssignment

        cached = kept_for(
            user,
            "roles",
            lambda: list(
                RoleAssignment.objects.filter(user=user, unit__is_active=True).values_list(
                    "role", "unit__path"
                )
            ),
        )
        user._zf_assignments = cached
    return cached


def held_paths(user: Any) -> list[str]:
    """The unit paths where `user` holds any role: his own units."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    return sorted({path for _role, path in _assignments(user)})


def paths_held_as(user: Any, role: str) -> list[str]:
    """The unit paths where `user` holds `role` itself (not what other roles of his reach)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    return [path for held, path in _assignments(user) if held == role]


class RoleAccess:
    """The access provider: grants come from the roles a user holds and the domains'
    declarations in the registry."""

    def grant(self, user: Any, domain: str, action: str) -> Grant:
        grants = registry.grants.get(domain, {})
        grant = Grant([])
        for role, path in _assignments(user):
            actions = grants.get(role, frozenset())
            if action in actions:
                grant.unit_paths.append(path)
            if own(action) in actions:
                grant.own = True
        return grant

    def roles(self, user: Any) -> set[str]:
        return {role for role, _path in _assignments(user)}

    def fingerprint(self, user: Any) -> str:
        return ";".join(sorted(f"{role}@{path}" for role, path in _assignments(user)))


provider = RoleAccess()


def forget(user: Any) -> None:
    """Drop the cached roles (after a role change in the same request)."""
    if hasattr(user, "_zf_assignments"):
        del user._zf_assignments
