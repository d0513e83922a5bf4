"""What the mediation module plugs in: cases across the four channels, the referrals between
them, agreements, judicial confirmation by the court and its roster, follow-up visits, the
citizen's application online, figures, the demo year and the bench pages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengfa.core.generic import PER_PAGE
from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import (
    COMMITTEES,
    Audited,
    BenchPage,
    DemoBuilder,
    Indicator,
    NavItem,
    Plugin,
    PublicEntry,
    PublicView,
    Todo,
    Workbench,
    listed_at,
)
from zhengfa.core.workbench import todo
from zhengfa.org.access import ASSIGN, CHANGE, REVEAL, VIEW, Role
from zhengfa.org.models import Unit

from . import demo, selectors, services
from .models import (
    CONFIRMATION_OPEN,
    Agreement,
    Case,
    CaseState,
    Confirmation,
    DisputeType,
    Party,
    Referral,
    RosterEntry,
    Session,
    Visit,
)

CASES = _("cases")


def _todos(user: Any) -> list[Todo]:
    cases = Case.objects.visible_to(user, CHANGE)
    held = cases.filter(
        organisation__in=Unit.objects.granted_to(user, "mediation", CHANGE).values("pk")
    )
    url = reverse("mediation:case_list")
    lines = [
        todo(
            _("Applications to accept or decline"),
            held.filter(state=CaseState.APPLIED),
            f"{url}?state={CaseState.APPLIED}",
        ),
        todo(
            _("Cases referred to us, to take or return"),
            held.filter(state=CaseState.REFERRED),
            f"{url}?state={CaseState.REFERRED}",
        ),
        todo(
            _("Cases being mediated"),
            held.filter(state__in=[CaseState.ACCEPTED, CaseState.MEDIATING]),
            f"{url}?state=open",
        ),
    ]
    if selectors.at_a_court(user):
        # The court's deadlines are days (3 to accept, 15 to rule), not a due time.
        waiting = list(
            Confirmation.objects.visible_to(user, CHANGE).filter(state__in=list(CONFIRMATION_OPEN))
        )
        late = [c.due for c in waiting if c.is_overdue]
        lines.append(
            Todo(
                _("Agreements waiting for the court's confirmation"),
                len(waiting),
                f"{reverse('mediation:confirmation_list')}?state=open",
                overdue=len(late),
                days_over=(timezone.localdate() - min(late)).days if late else 0,
            )
        )
    return lines


PLUGIN = Plugin(
    name="mediation",
    domains={
        # Cases are the mediators' of the organisation holding them, and its leaders' and
        # clerks'; the committee sees them all.
        "mediation": {
            # Reveal: the parties' phone, ID and address, with a reason, audited.
            Role.MEDIATOR: {VIEW, CHANGE, REVEAL},
            Role.LEADER: {VIEW, CHANGE, ASSIGN, REVEAL},
            Role.CLERK: {VIEW, CHANGE, REVEAL},
            Role.COMMITTEE: {VIEW},
        },
    },
    navigation=[
        NavItem(
            Pillar.PROFESSION, _("Mediation cases"), "mediation:case_list", "mediation", order=50
        ),
        NavItem(
            Pillar.PROFESSION,
            _("Mediation figures"),
            "mediation:figures",
            "mediation",
            order=53,
        ),
        NavItem(
            Pillar.PROFESSION,
            _("Judicial confirmations"),
            "mediation:confirmation_list",
            "mediation",
            order=51,
            allowed=selectors.at_a_court,
        ),
        NavItem(
            Pillar.PROFESSION,
            _("Roster of invited mediation"),
            "mediation:roster",
            "mediation",
            order=52,
            allowed=selectors.at_a_court,
        ),
    ],
    public_entries=[
        PublicEntry(
            label=_("Apply for mediation"),
            url_name="mediation:apply",
            description=_(
                "A dispute with a neighbour, over land, wages or a contract: a mediator helps "
                "both sides agree, free of charge."
            ),
            order=40,
        ),
    ],
    workbench=[Workbench(_todos, order=30)],
    demo=DemoBuilder(build=demo.build, order=55, county=demo.build_county),
    indicators=[
        Indicator(
            "mediation.cases",
            _("mediation cases received"),
            CASES,
            selectors.received,
            rows=selectors.received_cases,
            records=listed_at("mediation:case_list"),
        ),
        Indicator(
            "mediation.cases_closed",
            _("mediation cases mediated to an outcome"),
            CASES,
            selectors.cases_closed,
            rows=selectors.closed_in,
        ),
        Indicator(
            "mediation.settled",
            _("disputes settled by agreement"),
            CASES,
            selectors.settled,
            rows=selectors.settled_cases,
            records=listed_at("mediation:case_list", CaseState.SETTLED),
        ),
        Indicator(
            "mediation.success_rate", _("mediation success rate"), _("%"), selectors.success_rate
        ),
        Indicator(
            "mediation.referrals",
            _("cases referred between mediation organisations"),
            CASES,
            selectors.referrals,
            rows=selectors.referrals_sent,
        ),
        Indicator(
            "mediation.confirmed",
            _("agreements confirmed by the court"),
            CASES,
            selectors.confirmed,
            rows=selectors.confirmations,
        ),
    ],
    bench_pages=[
        BenchPage("/mediation/apply/"),
        BenchPage(
            "/staff/mediation/",
            who=("tiaojie",),
            main_query=lambda user: (
                Case.objects.visible_to(user)
                .select_related("organisation", "dispute_type")
                .order_by("-created_at", "-pk")[:PER_PAGE]
            ),
        ),
        BenchPage("/staff/mediation/figures/", who=COMMITTEES),
    ],
    followups={
        Case: PublicView(
            title=lambda c: str(_("Mediation case %(number)s") % {"number": c.number}),
            is_open=lambda c: c.is_open,
            details=lambda c: [
                (_("Case number"), c.number),
                (_("Organisation"), c.organisation.name),
                (_("Kind of dispute"), c.dispute_type.name),
                (_("Applied on"), c.created_at),
            ],
            submission=lambda c: c.facts,
            answers=("decline", "fail"),
            supplement=lambda c, text, files: services.case_supplement(
                case=c, comment=text, files=files
            ),
        ),
    },
    audited=[
        Audited(DisputeType),
        Audited(Case, {"mask_fields": ["facts", "requests"]}),
        Audited(
            Party,
            {
                "mask_fields": ["name", "phone", "id_number", "address"],
                "exclude_fields": ["phone_hash", "id_number_hash"],
            },
        ),
        Audited(Referral),
        Audited(Session, {"mask_fields": ["record", "participants"]}),
        Audited(Agreement, {"mask_fields": ["issues", "terms", "performance"]}),
        Audited(Confirmation, {"mask_fields": ["applicants", "reason"]}),
        Audited(Visit, {"mask_fields": ["note"]}),
        Audited(RosterEntry),
    ],
)
