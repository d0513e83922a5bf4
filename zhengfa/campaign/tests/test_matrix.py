"""Every staff view of campaign: success, wrong method, out of scope (404), read-only (403)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from zhengfa.campaign.models import Campaign, DataElement, DataReport, Exemplar, Suggestion, Task
from zhengfa.campaign.services import (
    campaign_create,
    data_save,
    exemplar_save,
    suggestion_submit,
    task_assign,
    task_transition,
)
from zhengfa.campaign.tests.factories import county_campaign, task_for_unit_a
from zhengfa.core.testing import ViewCase
from zhengfa.org.testing import MatrixTestCase

OWN_SCOPE = "a list shows each person what his roles reach"


class CampaignMatrix(MatrixTestCase):
    campaign: Campaign
    local: Campaign
    task: Task
    suggestion: Suggestion
    reported: Task
    exemplar: Exemplar
    bureau_task: Task
    element: DataElement
    submitted: DataReport

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.campaign = county_campaign(cls.p)
        today = timezone.localdate()
        cls.local = campaign_create(
            name="乙所作风整顿",
            unit=cls.p.unit_b,
            phases=[("study", "学习", today, today + dt.timedelta(days=30))],
        )
        cls.task = task_for_unit_a(cls.p, cls.campaign)
        cls.reported = task_for_unit_a(cls.p, cls.campaign)
        task_transition(record=cls.reported, name="report", by=cls.p.leader_a, comment="已完成")
        cls.suggestion, _code = suggestion_submit(
            topic="service", content="窗口排队太久,希望增加人手。"
        )
        cls.exemplar = exemplar_save(
            exemplar=Exemplar(
                name="甲所民警", unit=cls.p.unit_a, honour="先进个人", deeds="调处纠纷百余起。"
            ),
            by=cls.p.leader_a,
        )
        [cls.bureau_task] = task_assign(
            campaign=cls.campaign,
            title="落实方案",
            description="",
            units=[cls.p.bureau],
            due_at=timezone.now() + dt.timedelta(days=20),
            by=cls.p.committee,
        )
        cls.element = DataElement.objects.create(
            code="cases", name="刑事案件", measure="起", unit_kinds=["police_station"]
        )
        last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        cls.submitted = data_save(
            unit=cls.p.unit_a,
            period_type="month",
            period_start=last_month,
            values={cls.element: Decimal(12)},
            by=cls.p.leader_a,
            submit=True,
        )

    cases = [
        ViewCase(
            "campaign:campaign_plan",
            ok=["committee", "officer_b"],
            args=lambda t: [t.local.pk],
            out_of_scope=["officer_a", "leader_a"],
        ),
        ViewCase(
            "campaign:task_split",
            ok=["committee"],
            args=lambda t: [t.bureau_task.pk],
            method="post",
            data=lambda t: {
                "units": [t.p.unit_a.pk],
                "due_on": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            },
            out_of_scope=["leader_a", "officer_b"],
        ),
        ViewCase(
            "campaign:data_home",
            ok=["committee", "leader_a", "clerk_a"],
            no_scope=OWN_SCOPE,
            read_only=["officer_a", "mediator"],
        ),
        ViewCase(
            "campaign:data_elements",
            ok=["committee"],
            no_scope="the figures reported are the site's, defined by its committee",
            read_only=["leader_a"],
        ),
        ViewCase(
            "campaign:data_element_new",
            ok=["committee"],
            allowed=["post"],
            no_scope="the figures reported are the site's, defined by its committee",
            read_only=["leader_a"],
        ),
        ViewCase(
            "campaign:data_element_edit",
            ok=["committee"],
            args=lambda t: [t.element.pk],
            allowed=["post"],
            no_scope="the figures reported are the site's, defined by its committee",
            read_only=["leader_a"],
        ),
        ViewCase(
            "campaign:data_entry",
            ok=["leader_a", "clerk_a", "committee"],
            args=lambda t: [t.p.unit_a.pk, "month", timezone.localdate().replace(day=1)],
            allowed=["post"],
            out_of_scope=["leader_b", "officer_a"],
        ),
        ViewCase(
            "campaign:data_entry",
            name="campaign:data_entry (kept)",
            ok=["leader_a", "clerk_a"],
            args=lambda t: [t.p.unit_a.pk, "month", timezone.localdate().replace(day=1)],
            method="post",
            allowed=["get"],
            data=lambda t: {"cases": "3", "save": ""},
            out_of_scope=["leader_b"],
        ),
        ViewCase(
            "campaign:data_transition",
            ok=["committee"],
            args=lambda t: [t.submitted.pk, "approve"],
            method="post",
            out_of_scope=["leader_b", "officer_b"],
            read_only=["leader_a", "clerk_a"],
        ),
        ViewCase(
            "campaign:campaign_group",
            ok=["committee"],
            args=lambda t: [t.campaign.pk],
            allowed=["post"],
            out_of_scope=["mediator"],
            read_only=["leader_a"],
        ),
        ViewCase(
            "campaign:exemplar_list",
            ok=["leader_a", "committee", "officer_a"],
            no_scope=OWN_SCOPE,
            read_only=["mediator"],
        ),
        ViewCase(
            "campaign:exemplar_new",
            ok=["leader_a", "committee"],
            allowed=["post"],
            no_scope="a new model belongs to one of the person's units",
            read_only=["officer_a"],
        ),
        ViewCase(
            "campaign:exemplar_edit",
            ok=["leader_a", "committee"],
            args=lambda t: [t.exemplar.pk],
            allowed=["post"],
            out_of_scope=["leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "campaign:campaign_list",
            ok=["committee", "officer_a", "mediator"],
            no_scope=OWN_SCOPE,
        ),
        ViewCase(
            "campaign:campaign_detail",
            ok=["committee", "officer_b"],
            args=lambda t: [t.local.pk],
            out_of_scope=["officer_a", "leader_a"],
        ),
        ViewCase("campaign:task_list", ok=["committee", "leader_a"], no_scope=OWN_SCOPE),
        ViewCase(
            "campaign:task_create",
            ok=["committee"],
            allowed=["post"],
            no_scope="nothing to be out of: people who assign nothing below get 403",
            read_only=["leader_a", "officer_a"],
        ),
        ViewCase(
            "campaign:task_detail",
            ok=["leader_a", "committee", "officer_a"],
            args=lambda t: [t.task.pk],
            out_of_scope=["officer_b", "leader_b"],
        ),
        ViewCase(
            "campaign:task_transition",
            ok=["leader_a"],
            args=lambda t: [t.task.pk, "report"],
            method="post",
            data=lambda t: {"comment": "已完成自查"},
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "campaign:task_transition",
            name="campaign:task_transition (accepting is the issuer's)",
            ok=["committee"],
            args=lambda t: [t.reported.pk, "accept"],
            method="post",
            out_of_scope=["leader_b", "officer_b"],
            read_only=["leader_a", "clerk_a"],
        ),
        ViewCase("campaign:suggestion_list", ok=["committee", "supervision"], no_scope=OWN_SCOPE),
        ViewCase(
            "campaign:suggestion_detail",
            ok=["committee", "supervision"],
            args=lambda t: [t.suggestion.pk],
            out_of_scope=["officer_a", "leader_a"],
        ),
        ViewCase(
            "campaign:suggestion_transition",
            ok=["committee"],
            args=lambda t: [t.suggestion.pk, "accept"],
            method="post",
            out_of_scope=["officer_a", "leader_a"],
            read_only=["supervision"],
        ),
        ViewCase(
            "campaign:suggestion_transfer",
            ok=["committee"],
            args=lambda t: [t.suggestion.pk],
            method="post",
            data=lambda t: {"unit": t.p.unit_b.pk, "reason": "属乙镇辖区"},
            out_of_scope=["officer_a", "leader_a"],
            read_only=["supervision"],
        ),
    ]
