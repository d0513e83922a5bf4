"""What the org app plugs in: roles and the access provider, its pages, the demo county."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from zhengfa.core.generic import PER_PAGE
from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import (
    LEADERS,
    Audited,
    BenchPage,
    DemoBuilder,
    Identity,
    NavItem,
    Panel,
    Plugin,
)

from . import demo
from .access import ADMIN, CHANGE, REVEAL, VIEW, Role, own, provider
from .models import Area, Mediator, Officer, RoleAssignment, Unit, User


def _identity() -> Identity:
    """The root unit runs the site; the area it serves names the place."""
    root = Unit.objects.filter(parent=None, is_active=True).order_by("path").first()
    if root is None:
        return Identity()
    area = root.areas.order_by("code").first()
    return Identity(owner=root.name, area=area.name if area else "")


def _officers_page(user: Any) -> Any:
    """The officer list's rows, as the page reads them (the bench times them alone)."""
    return (
        Officer.objects.visible_to(user)
        .select_related("user", "unit")
        .defer(*Officer.ENCRYPTED)
        .order_by("unit__path", "staff_number")[:PER_PAGE]
    )


def _my_roles(request: HttpRequest) -> dict[str, Any]:
    return {
        "assignments": RoleAssignment.objects.filter(user=cast(Any, request.user))
        .select_related("unit")
        .order_by("unit__path", "role")
    }


PLUGIN = Plugin(
    name="org",
    access=provider,
    identity=_identity,
    domains={
        # Organisation data: units, officers, mediators, accounts.
        "org": {
            Role.COMMITTEE: {VIEW},
            Role.LEADER: {VIEW, CHANGE, REVEAL},
            Role.CLERK: {VIEW, CHANGE, REVEAL},
            Role.SUPERVISION: {VIEW},
            Role.SYSADMIN: {VIEW, CHANGE, ADMIN},
            Role.OFFICER: {own(VIEW)},
            Role.MEDIATOR: {own(VIEW)},
        },
        # Core's audit trail (its page is core's; the roles are ours).
        "audit": {Role.COMMITTEE: {VIEW}, Role.SYSADMIN: {VIEW}},
    },
    navigation=[
        # Offered only where they show something: an officer reaches his own record, not
        # his unit's page; a mediator has no officer record at all.
        NavItem(
            Pillar.RESPONSIBILITY,
            _("Units"),
            "org:unit_tree",
            "org",
            order=10,
            allowed=lambda u: Unit.objects.visible_to(u).exists(),
        ),
        NavItem(
            Pillar.RESPONSIBILITY,
            _("Officers"),
            "org:officer_list",
            "org",
            order=20,
            allowed=lambda u: Officer.objects.visible_to(u).exists(),
        ),
        NavItem(Pillar.SYSTEM, _("Accounts"), "org:account_list", "org", ADMIN, order=10),
    ],
    staff_panels=[Panel("org/partials/_my_roles.html", _my_roles, order=999)],
    demo=DemoBuilder(build=demo.build, order=10),
    audited=[
        Audited(Area),
        Audited(Unit, {"m2m_fields": {"areas"}}),
        Audited(User, {"exclude_fields": ["password", "last_login"]}),
        # Encrypted values never enter the audit log, only the fact that they changed.
        Audited(
            Officer,
            {"mask_fields": ["id_number", "work_phone"], "exclude_fields": ["id_number_hash"]},
        ),
        Audited(Mediator, {"mask_fields": ["phone"]}),
        Audited(RoleAssignment),
    ],
    bench_pages=[
        BenchPage("/staff/org/units/", who=LEADERS),
        BenchPage("/staff/org/officers/", who=LEADERS, main_query=_officers_page),
        BenchPage("/staff/org/officers/?q=民警", who=LEADERS),
    ],
)
