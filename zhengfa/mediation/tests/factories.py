from __future__ import annotations

from typing import Any

from django.utils import timezone

from zhengfa.mediation import services
from zhengfa.mediation.models import Case, DisputeType, Source
from zhengfa.org import services as org
from zhengfa.org.access import Role
from zhengfa.org.models import MediatorKind, Unit, User


def lawyer_studio(p: Any) -> tuple[Unit, User]:
    """A court with a lawyer mediation studio and its mediator (the persona county has none)."""
    found = Unit.objects.filter(code="LSTJ").first()
    if found is not None:
        return found, User.objects.get(username="lawyer_a")
    court = org.unit_create(name="测试县人民法院", code="FY", kind="court", parent=p.root)
    studio = org.unit_create(name="律师调解工作室", code="LSTJ", kind="lawyer_studio", parent=court)
    mediator = org.mediator_create(
        organisation=studio, name="甲律师", kind=MediatorKind.LAWYER, username="lawyer_a"
    )
    return studio, mediator.user


def court_clerk(p: Any) -> User:
    """The clerk of the persona county's court, who registers judicial confirmations."""
    lawyer_studio(p)
    found = User.objects.filter(username="court_clerk").first()
    if found is not None:
        return found
    user = org.user_create(username="court_clerk", name="法院书记员")
    org.role_assign(user=user, role=Role.CLERK, unit=Unit.objects.get(code="FY"))
    return user


def case_at_committee(p: Any, **extra: Any) -> Case:
    """A case taken in by the village mediation committee's mediator."""
    case, _code = services.case_create(
        organisation=p.mediation_committee,
        dispute_type=DisputeType.objects.get(code="neighbours"),
        source=extra.pop("source", Source.APPLICATION),
        facts="两户因宅基地界墙发生争执。",
        parties=[
            services.PartyData("applicant", "张三", "13900003333", "130723199901010015"),
            services.PartyData("respondent", "李四"),
        ],
        by=p.mediator,
        **extra,
    )
    return case


def settled_at_committee(p: Any) -> Case:
    """A case mediated to an agreement at the village committee."""
    case = case_at_committee(p)
    services.case_transition(record=case, name="accept", by=p.mediator)
    services.session_record(
        case=case,
        by=p.mediator,
        held_at=timezone.now(),
        place="村委会",
        participants="张三、李四",
        record="双方同意各退一步。",
    )
    services.agreement_record(
        case=case,
        by=p.mediator,
        issues="界墙位置有争议。",
        terms="界墙按原址重砌,费用各半。",
        performance="一个月内完成。",
        agreed_on=timezone.localdate(),
    )
    return case
