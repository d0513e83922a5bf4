"""Every staff view of rectification: success, wrong method, out of scope (404), read-only (403)."""

from __future__ import annotations

from zhengfa.core.testing import ViewCase
from zhengfa.org.testing import MatrixTestCase
from zhengfa.rectify.models import Declaration, Inquiry, LedgerItem, Round
from zhengfa.rectify.services import item_transition

from .factories import county_round, declare, inquiry_by_a, item_at_a

OWN_SCOPE = "a list shows each person what his roles reach"


class RectifyMatrix(MatrixTestCase):
    round: Round
    declaration: Declaration
    item: LedgerItem
    awaiting: LedgerItem
    inquiry: Inquiry

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.round = county_round(cls.p)
        cls.declaration = declare(cls.p, cls.round)
        cls.item = item_at_a(cls.p)
        # Officer A answers for it: his leader sees it but, of the same unit, cannot verify.
        cls.awaiting = item_at_a(cls.p, responsible=cls.p.officer_a)
        item_transition(record=cls.awaiting, name="start", by=cls.p.officer_a)
        item_transition(record=cls.awaiting, name="submit", by=cls.p.officer_a, comment="已整改")
        cls.inquiry = inquiry_by_a(cls.p)

    cases = [
        ViewCase("rectify:ledger", ok=["committee", "leader_a", "officer_a"], no_scope=OWN_SCOPE),
        ViewCase("rectify:ledger_print", ok=["committee", "leader_b"], no_scope=OWN_SCOPE),
        ViewCase("rectify:ledger_export", ok=["committee", "supervision"], no_scope=OWN_SCOPE),
        ViewCase(
            "rectify:item_create",
            ok=["committee", "leader_a"],
            allowed=["post"],
            no_scope="nothing to be out of: people who keep no ledger get 403",
            read_only=["officer_a", "clerk_a"],
        ),
        ViewCase(
            "rectify:item_detail",
            ok=["committee", "leader_a", "supervision"],
            args=lambda t: [t.item.pk],
            out_of_scope=["leader_b", "officer_b", "officer_a", "clerk_a"],
        ),
        ViewCase(
            "rectify:item_edit",
            ok=["leader_a"],
            args=lambda t: [t.item.pk],
            allowed=["post"],
            out_of_scope=["leader_b", "officer_b"],
            read_only=["supervision"],
        ),
        ViewCase(
            "rectify:item_deadline",
            ok=["committee"],
            args=lambda t: [t.item.pk],
            allowed=["post"],
            out_of_scope=["leader_b", "officer_b"],
            read_only=["supervision", "leader_a"],  # leader A answers for the item
        ),
        ViewCase(
            "rectify:item_note",
            ok=["leader_a"],
            args=lambda t: [t.item.pk],
            method="post",
            data=lambda t: {"progress-comment": "已排班"},
            out_of_scope=["leader_b", "officer_b"],
            read_only=["supervision"],
        ),
        ViewCase(
            "rectify:item_transition",
            ok=["leader_a"],
            args=lambda t: [t.item.pk, "start"],
            method="post",
            out_of_scope=["leader_b", "officer_b"],
            read_only=["supervision"],
        ),
        ViewCase(
            "rectify:item_transition",
            name="rectify:item_transition (verifying is for a unit above)",
            ok=["committee", "supervision"],
            args=lambda t: [t.awaiting.pk, "close"],
            method="post",
            out_of_scope=["leader_b", "officer_b"],
            read_only=["leader_a"],
        ),
        ViewCase(
            "rectify:round_list",
            ok=["committee", "officer_a", "clerk_a"],
            no_scope=OWN_SCOPE,
        ),
        ViewCase(
            "rectify:round_create",
            ok=["committee"],
            allowed=["post"],
            no_scope="nothing to be out of: people who open no round get 403",
            read_only=["leader_a", "supervision"],
        ),
        ViewCase(
            "rectify:round_detail",
            ok=["committee", "leader_a", "officer_b"],
            args=lambda t: [t.round.pk],
            out_of_scope=["mediator"],
        ),
        ViewCase(
            "rectify:declaration_mine",
            ok=["officer_b", "leader_a"],
            args=lambda t: [t.round.pk],
            allowed=["post"],
            out_of_scope=["mediator", "sysadmin"],
        ),
        ViewCase(
            "rectify:declaration_amend",
            ok=["officer_a"],
            args=lambda t: [t.round.pk],
            method="post",
            out_of_scope=["mediator"],
        ),
        ViewCase(
            "rectify:declaration_detail",
            ok=["officer_a", "leader_a", "committee", "supervision"],
            args=lambda t: [t.declaration.pk],
            out_of_scope=["officer_b", "leader_b", "clerk_a"],
        ),
        ViewCase(
            "rectify:inquiry_list",
            ok=["officer_a", "committee", "supervision"],
            no_scope=OWN_SCOPE,
        ),
        ViewCase(
            "rectify:inquiry_create",
            ok=["officer_b"],
            allowed=["post"],
            no_scope="an officer records what reached him; others have no officer record: 403",
            read_only=["sysadmin", "mediator"],
        ),
        ViewCase(
            "rectify:inquiry_detail",
            ok=["officer_a", "committee", "supervision"],
            args=lambda t: [t.inquiry.pk],
            out_of_scope=["leader_a", "officer_b", "clerk_a"],
        ),
        ViewCase(
            "rectify:category_list",
            ok=["committee", "leader_a"],
            no_scope="reference data: the same for everyone who keeps a ledger",
            read_only=["mediator"],
        ),
        ViewCase(
            "rectify:category_create",
            ok=["committee"],
            allowed=["post"],
            no_scope="reference data kept by the committee at the top: others get 403",
            read_only=["leader_a", "supervision"],
        ),
        ViewCase(
            "rectify:category_edit",
            ok=["committee"],
            args=lambda t: [1],
            allowed=["post"],
            no_scope="reference data kept by the committee at the top: others get 403",
            read_only=["leader_a"],
        ),
    ]
