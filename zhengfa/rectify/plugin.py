"""What the rectification app plugs in: four access domains (rounds, the declarations'
contents, the inquiry register, the ledger), its menu, the workbench lines, figures for the
reports, its demo part and its busiest pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.generic import PER_PAGE
from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import (
    COMMITTEES,
    LEADERS,
    Audited,
    BenchPage,
    DemoBuilder,
    Indicator,
    NavItem,
    Plugin,
    Todo,
    Workbench,
)
from zhengfa.core.scope import grant_for
from zhengfa.core.workbench import todo
from zhengfa.org.access import ASSIGN, CHANGE, VIEW, Role, own, paths_held_as

from . import demo, selectors, services
from .models import (
    Declaration,
    DeclarationItem,
    Inquiry,
    LedgerItem,
    LedgerState,
    ProblemCategory,
    Round,
)

COUNT = _("items")
PEOPLE = pgettext_lazy("unit of count", "officers")
RECORDS = _("records")
PERCENT = _("%")


def _my_forms(user: Any) -> Todo | None:
    """His forms not yet submitted, late ones counted as overdue."""
    officer = selectors.serving_officer(user)
    if officer is None:
        return None
    today = timezone.localdate()
    submitted = Declaration.objects.filter(officer=officer, submitted_at__isnull=False)
    waiting = list(
        selectors.rounds_for(officer).exclude(pk__in=submitted.values("round")).order_by("deadline")
    )
    late = [r for r in waiting if r.deadline < today]
    url = (
        reverse("rectify:declaration_mine", args=[waiting[0].pk])
        if len(waiting) == 1
        else reverse("rectify:round_list")
    )
    return Todo(
        label=_("My self-inspection form to fill in"),
        count=len(waiting),
        url=url,
        overdue=len(late),
        days_over=(today - late[0].deadline).days if late else 0,
    )


def _to_verify(user: Any) -> Any:
    """Items awaiting verification that `user` may verify: strictly below where he may
    assign, or anywhere in his scope for supervision staff; never his own."""
    awaiting = LedgerItem.objects.visible_to(user).filter(state=LedgerState.AWAITING)
    awaiting = awaiting.exclude(responsible=user).exclude(submitted_by=user)
    reach = Q(pk__in=[])
    for path in grant_for(user, "rectify", ASSIGN).paths:
        reach |= Q(unit__path__startswith=path) & ~Q(unit__path=path)
    for path in paths_held_as(user, Role.SUPERVISION):
        reach |= Q(unit__path__startswith=path)
    return awaiting.filter(reach)


def _todos(user: Any) -> list[Todo]:
    ledger = reverse("rectify:ledger")
    lines = []
    mine = _my_forms(user)
    if mine is not None:
        lines.append(mine)
    lines.append(
        todo(
            _("Ledger items I answer for"),
            LedgerItem.objects.open().filter(responsible=user),
            f"{ledger}?state=open",
        )
    )
    if not grant_for(user, "rectify", ASSIGN).empty:
        # Setting the 五定 is the leaders' (who may change the items), not supervision's.
        lines.append(
            todo(
                _("Problems on the ledger still to be given measures"),
                LedgerItem.objects.visible_to(user, CHANGE).filter(state=LedgerState.PENDING),
                f"{ledger}?state={LedgerState.PENDING}",
            )
        )
        lines.append(
            todo(
                _("Rectifications for me to verify"),
                _to_verify(user),
                f"{ledger}?state={LedgerState.AWAITING}",
            )
        )
    return lines


def _ledger_records(field: str, value: str) -> Any:
    def url(unit: Any, start: Any, end: Any) -> str:
        return f"{reverse('rectify:ledger')}?unit={unit.pk}&{field}={value}"

    return url


PLUGIN = Plugin(
    name="rectify",
    domains={
        # Rounds are seen by everyone below the committee that opened them; completion by
        # unit (counts, never contents) by those who follow it up.
        "inspection": {
            Role.COMMITTEE: {VIEW, CHANGE, ASSIGN},
            Role.LEADER: {VIEW, ASSIGN},
            Role.CLERK: {VIEW, ASSIGN},
            Role.SUPERVISION: {VIEW, ASSIGN},
            Role.OFFICER: {VIEW},
        },
        # What an officer declared: himself, the leaders of his unit and above, supervision.
        "declarations": {
            Role.COMMITTEE: {VIEW},
            Role.LEADER: {VIEW},
            Role.SUPERVISION: {VIEW},
            Role.OFFICER: {own(VIEW)},
        },
        # The "three rules" register: the officer who recorded, supervision, the committee.
        "inquiries": {
            Role.COMMITTEE: {VIEW},
            Role.SUPERVISION: {VIEW},
            Role.OFFICER: {own(VIEW)},
        },
        # The ledger: leaders and the committee keep it, supervision follows and verifies,
        # the responsible person works on his own items.
        "rectify": {
            Role.COMMITTEE: {VIEW, CHANGE, ASSIGN},
            Role.LEADER: {VIEW, CHANGE, ASSIGN},
            Role.SUPERVISION: {VIEW, ASSIGN},
            Role.OFFICER: {own(VIEW), own(CHANGE)},
        },
    },
    navigation=[
        NavItem(
            Pillar.DISCIPLINE, _("Self-inspection"), "rectify:round_list", "inspection", order=10
        ),
        NavItem(Pillar.DISCIPLINE, _("Problem ledger"), "rectify:ledger", "rectify", order=20),
        NavItem(
            Pillar.DISCIPLINE,
            _("Inquiries into cases"),
            "rectify:inquiry_list",
            "inquiries",
            order=30,
        ),
        NavItem(
            Pillar.SYSTEM,
            _("Problem categories"),
            "rectify:category_list",
            "rectify",
            order=60,
            allowed=services.may_keep_categories,
        ),
    ],
    workbench=[Workbench(_todos, order=25)],
    indicators=[
        Indicator(
            "rectify.items",
            _("problems on the ledger"),
            COUNT,
            selectors.items_count,
            rows=selectors.ledger_in,
            records=_ledger_records("state", ""),
        ),
        Indicator(
            "rectify.closed",
            _("problems rectified and closed"),
            COUNT,
            selectors.closed_count,
            rows=selectors.closed_items,
            records=_ledger_records("state", LedgerState.CLOSED),
        ),
        Indicator("rectify.closure_rate", _("closure rate"), PERCENT, selectors.closure_rate),
        Indicator(
            "rectify.overdue",
            _("problems past their deadline"),
            COUNT,
            selectors.overdue_count,
            rows=selectors.overdue_items,
            records=_ledger_records("due", "overdue"),
        ),
        Indicator(
            "rectify.self_declared",
            _("problems declared by officers themselves"),
            COUNT,
            selectors.self_declared_count,
            rows=selectors.self_declared_items,
            records=_ledger_records("source", "self"),
        ),
        Indicator(
            "rectify.completion",
            _("self-inspection forms submitted of those due"),
            PERCENT,
            selectors.completion_in,
        ),
        Indicator(
            "rectify.declarations",
            _("officers who submitted a self-inspection form"),
            PEOPLE,
            selectors.declarations_submitted,
        ),
        Indicator(
            "rectify.inquiries",
            _("inquiries into cases recorded"),
            RECORDS,
            selectors.inquiries_count,
            rows=selectors.inquiries_in,
        ),
    ],
    demo=DemoBuilder(build=demo.build, order=40, county=demo.build_county),
    bench_pages=[
        BenchPage(
            "/staff/rectify/ledger/",
            who=LEADERS,
            main_query=lambda user: (
                LedgerItem.objects.visible_to(user)
                .select_related("category", "unit", "responsible")
                .order_by("due_at", "pk")[:PER_PAGE]
            ),
        ),
        BenchPage("/staff/rectify/ledger/export/", who=COMMITTEES, download=True),
        BenchPage(
            lambda: reverse(
                "rectify:round_detail",
                args=[Round.objects.order_by("pk").values_list("pk", flat=True).first() or 0],
            ),
            # The demo county's round: its committee and the province's.
            who=("zfw", "zfw_province"),
        ),
        BenchPage(
            "/staff/rectify/inquiries/",
            who=COMMITTEES,
            main_query=lambda user: Inquiry.objects.visible_to(user).select_related(
                "officer__user", "unit"
            )[:PER_PAGE],
        ),
    ],
    audited=[
        Audited(ProblemCategory),
        Audited(Round),
        # Contents are confidential: the log records that they changed, not what they say.
        Audited(LedgerItem, {"mask_fields": ["problem", "measures", "standard"]}),
        Audited(Declaration),
        Audited(DeclarationItem, {"mask_fields": ["description"]}),
        Audited(
            Inquiry, {"mask_fields": ["asker", "case_number", "case_organ", "content", "handling"]}
        ),
    ],
)
