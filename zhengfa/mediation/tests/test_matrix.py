"""Every staff view of mediation: success, wrong method, out of scope (404), read-only (403)."""

from __future__ import annotations

from zhengfa.core.testing import ViewCase
from zhengfa.mediation.models import Case
from zhengfa.org.testing import MatrixTestCase

from .factories import case_at_committee, settled_at_committee

OTHERS = ["officer_a", "leader_a", "leader_b", "supervision"]


class MediationMatrix(MatrixTestCase):
    case: Case

    settled: Case

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.case = case_at_committee(cls.p)
        cls.settled = settled_at_committee(cls.p)

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
    ]
