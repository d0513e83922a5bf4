"""What the mediation module plugs in: cases across the four channels and the referrals
between them. (Issue 13, continued: the citizen's application, agreements as .docx,
judicial confirmation, follow-up, figures, demo and bench come next.)"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import Audited, NavItem, Plugin, PublicView
from zhengfa.org.access import ASSIGN, CHANGE, VIEW, Role

from .models import Agreement, Case, DisputeType, Party, Referral, Session

PLUGIN = Plugin(
    name="mediation",
    domains={
        # Cases are the mediators' of the organisation holding them, and its leaders' and
        # clerks'; the committee sees them all.
        "mediation": {
            Role.MEDIATOR: {VIEW, CHANGE},
            Role.LEADER: {VIEW, CHANGE, ASSIGN},
            Role.CLERK: {VIEW, CHANGE},
            Role.COMMITTEE: {VIEW},
        },
    },
    navigation=[
        NavItem(
            Pillar.PROFESSION, _("Mediation cases"), "mediation:case_list", "mediation", order=50
        )
    ],
    followups={
        Case: PublicView(
            title=lambda c: str(_("Mediation case %(number)s") % {"number": c.number}),
            is_open=lambda c: c.is_open,
            details=lambda c: [
                (_("Organisation"), c.organisation.name),
                (_("Kind of dispute"), c.dispute_type.name),
                (_("Applied on"), c.created_at),
            ],
            submission=lambda c: c.facts,
            answers=("decline", "fail", "settle"),
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
    ],
)
