"""Every staff view of mediation: success, wrong method, out of scope (404), read-only (403)."""

from __future__ import annotations

from django.utils import timezone

from zhengfa.core.testing import ViewCase
from zhengfa.mediation import services
from zhengfa.mediation.models import Case, RosterEntry
from zhengfa.org.models import Unit
from zhengfa.org.testing import MatrixTestCase

from .factories import case_at_committee, court_clerk, settled_at_committee

OTHERS = ["officer_a", "leader_a", "leader_b", "supervision"]


class MediationMatrix(MatrixTestCase):
    case: Case

    settled: Case
    confirmed: Case
    entry: RosterEntry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.case = case_at_committee(cls.p)
        cls.settled = settled_at_committee(cls.p)
        # The court's clerk, and an agreement sent to the court.
        setattr(cls.p, "court_clerk", court_clerk(cls.p))  # noqa: B010 - a persona of ours
        cls.confirmed = settled_at_committee(cls.p)
        services.confirmation_apply(
            case=cls.confirmed,
            by=cls.p.mediator,
            applied_on=timezone.localdate(),
            applicants="张三、李四",
        )
        cls.entry = RosterEntry.objects.create(
            court=Unit.objects.get(code="FY"), organisation=cls.p.mediation_committee
        )

    cases = [
        ViewCase(
            "mediation:agreement_print",
            ok=["mediator", "committee"],
            args=lambda t: [t.settled.pk],
            out_of_scope=OTHERS,
        ),
        ViewCase(
            "mediation:agreement_docx",
            ok=["mediator"],
            args=lambda t: [t.settled.pk],
            out_of_scope=OTHERS,
        ),
        ViewCase("mediation:case_list", ok=["mediator", "committee"], no_scope="each sees his own"),
        ViewCase(
            "mediation:case_create",
            ok=["mediator"],
            allowed=["post"],
            no_scope="nothing to be out of: people who mediate nothing get 403",
            read_only=["officer_a", "committee"],
        ),
        ViewCase(
            "mediation:case_detail",
            ok=["mediator", "committee"],
            args=lambda t: [t.case.pk],
            out_of_scope=OTHERS,
        ),
        ViewCase(
            "mediation:case_transition",
            ok=["mediator"],
            args=lambda t: [t.case.pk, "accept"],
            method="post",
            out_of_scope=OTHERS,
            read_only=["committee"],
        ),
        ViewCase(
            "mediation:session_create",
            ok=["mediator"],
            args=lambda t: [t.case.pk],
            allowed=["post"],
            out_of_scope=OTHERS,
            read_only=["committee"],
        ),
        ViewCase(
            "mediation:agreement_create",
            ok=["mediator"],
            args=lambda t: [t.case.pk],
            allowed=["post"],
            out_of_scope=OTHERS,
            read_only=["committee"],
        ),
        ViewCase(
            "mediation:case_refer",
            ok=["mediator"],
            args=lambda t: [t.case.pk],
            allowed=["post"],
            out_of_scope=OTHERS,
            read_only=["committee"],
        ),
        ViewCase(
            "mediation:referral_answer",
            ok=["mediator"],
            args=lambda t: [t.case.pk],
            method="post",
            # Nothing is waiting: a clear message at the page.
            status=400,
            out_of_scope=OTHERS,
            read_only=["committee"],
        ),
        ViewCase(
            "mediation:case_extend",
            ok=["mediator"],
            args=lambda t: [t.case.pk],
            allowed=["post"],
            out_of_scope=OTHERS,
            read_only=["committee"],
        ),
        ViewCase(
            "mediation:party_add",
            ok=["mediator"],
            args=lambda t: [t.case.pk],
            allowed=["post"],
            out_of_scope=OTHERS,
            read_only=["committee"],
        ),
        ViewCase(
            "mediation:visit_create",
            ok=["mediator"],
            args=lambda t: [t.settled.pk],
            allowed=["post"],
            out_of_scope=OTHERS,
            read_only=["committee"],
        ),
        ViewCase(
            "mediation:confirmation_apply",
            ok=["mediator"],
            args=lambda t: [t.settled.pk],
            allowed=["post"],
            out_of_scope=OTHERS,
            read_only=["committee"],
        ),
        ViewCase(
            "mediation:confirmation_step",
            ok=["court_clerk"],
            args=lambda t: [t.confirmed.pk],
            method="post",
            data=lambda t: {"step": "accept", "on": str(timezone.localdate())},
            # The committee's mediator sent it and reads it; the court alone decides.
            out_of_scope=[*OTHERS, "mediator"],
        ),
        ViewCase(
            "mediation:confirmation_list",
            ok=["court_clerk", "committee"],
            no_scope="each court sees its own",
            out_of_scope=["mediator", "officer_a"],
        ),
        ViewCase(
            "mediation:roster",
            ok=["court_clerk", "committee"],
            no_scope="each court sees its own",
            out_of_scope=["mediator", "officer_a"],
        ),
        ViewCase(
            "mediation:roster_new",
            ok=["court_clerk"],
            allowed=["post"],
            no_scope="a court adds to its own",
            read_only=["mediator", "committee"],
        ),
        ViewCase(
            "mediation:roster_edit",
            ok=["court_clerk"],
            args=lambda t: [t.entry.pk],
            allowed=["post"],
            out_of_scope=["leader_a", "mediator"],
            read_only=["committee"],
        ),
        ViewCase(
            "mediation:figures",
            ok=["mediator", "committee", "court_clerk"],
            no_scope="each counts what he sees",
            read_only=["officer_a"],
        ),
    ]
