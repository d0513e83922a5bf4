"""Roles and what they grant.

A role is held at a unit and reaches that unit's subtree. Grants are declared per *domain*
of work (org data, campaign work, audit, and whatever domains later modules register with
:func:`register_domain`). An action marked ``own:`` applies only to records whose owner is
the user (see ``ScopeSpec.owner``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhengfa.core.scope import Grant


class Role(models.TextChoices):
    COMMITTEE = "committee", _("County committee")
    LEADER = "leader", _("Unit leader")
    CLERK = "clerk", _("Clerk")
    OFFICER = "officer", _("Officer")
    SUPERVISION = "supervision", _("Supervision staff")
    MEDIATOR = "mediator", _("Mediator")
    SYSADMIN = "sysadmin", _("System administrator")


VIEW, CHANGE, ASSIGN, ADMIN = "view", "change", "assign", "admin"
# Showing a masked value (ID number, phone) in full: audited, with a reason.
REVEAL = "reveal"

GRANTS: dict[str, dict[str, frozenset[str]]] = {}


def register_domain(domain: str, grants: dict[str, set[str]]) -> None:
    """Declare which role may do which action in a domain. Modules call this in ready()."""
    GRANTS[domain] = {role: frozenset(actions) for role, actions in grants.items()}


# Organisation data: units, officers, mediators, accounts.
register_domain(
    "org",
    {
        Role.COMMITTEE: {VIEW},
        Role.LEADER: {VIEW, CHANGE, REVEAL},
        Role.CLERK: {VIEW, CHANGE, REVEAL},
        Role.SUPERVISION: {VIEW},
        Role.SYSADMIN: {VIEW, CHANGE, ADMIN},
        Role.OFFICER: {"own:view"},
        Role.MEDIATOR: {"own:view"},
    },
)
# Campaign work: campaigns, phases, tasks, indicators.
register_domain(
    "work",
    {
        Role.COMMITTEE: {VIEW, CHANGE, ASSIGN, REVEAL},
        Role.LEADER: {VIEW, CHANGE, ASSIGN, REVEAL},
        Role.CLERK: {VIEW, CHANGE, REVEAL},
        Role.SUPERVISION: {VIEW},
        Role.OFFICER: {VIEW},
        Role.MEDIATOR: {VIEW},
    },
)
# The audit trail.
register_domain("audit", {Role.COMMITTEE: {VIEW}, Role.SYSADMIN: {VIEW}})


def _assignments(user: Any) -> list[tuple[str, str]]:
    """(role, unit path) pairs of the user, cached on the user object for the request."""
    cached = getattr(user, "_zf_assignments", None)
    if cached is None:
        from .models import RoleAssignment

        cached = list(
            RoleAssignment.objects.filter(user=user, unit__is_active=True).values_list(
                "role", "unit__path"
            )
        )
        user._zf_assignments = cached
    return cached


def resolve(user: Any, domain: str, action: str) -> Grant:
    grants = GRANTS.get(domain, {})
    grant = Grant()
    for role, path in _assignments(user):
        actions = grants.get(role, frozenset())
        if action in actions:
            grant.unit_paths.append(path)
        if f"own:{action}" in actions:
            grant.own = True
    return grant


def roles_of(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return {role for role, _path in _assignments(user)}


def forget(user: Any) -> None:
    """Drop the cached roles (after a role change in the same request)."""
    if hasattr(user, "_zf_assignments"):
        del user._zf_assignments
