"""What changes mediation records: intake, the steps of a case, sessions, agreements and
referrals between organisations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengfa.core import followup, workflow
from zhengfa.core.attachments import attach
from zhengfa.core.notifications import notify
from zhengfa.core.scope import grant_for, may
from zhengfa.core.validators import (
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_mobile,
)
from zhengfa.org.access import Role
from zhengfa.org.directory import county_of, handlers_for
from zhengfa.org.models import Area, Unit

from .models import (
    NUMBER_WORD,
    Agreement,
    Case,
    CaseNumber,
    CaseState,
    DisputeType,
    Party,
    PartyRole,
    Referral,
    Session,
    Source,
    channel_of,
)

HANDLERS = (Role.MEDIATOR, Role.CLERK, Role.LEADER)
# Days to mediate, by the case's source: invited mediation after filing is 15 days, the rest
# 30 (practice, not statute). ZHENGFA_DEADLINES='{"mediation.source": {"entrusted": 10}}'.
SOURCE_DAYS: dict[str, int] = {Source.ENTRUSTED: 15}
DEFAULT_DAYS = 30


def days_for(source: str) -> int:
    configured = settings.ZHENGFA_DEADLINES.get("mediation.source", {})
    days = configured.get(source, configured.get("default", SOURCE_DAYS.get(source, DEFAULT_DAYS)))
    return int(days or DEFAULT_DAYS)


@dataclass(frozen=True)
class PartyData:
    role: str
    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""
    is_organisation: bool = False


def _clean_party(party: PartyData) -> PartyData:
    name = party.name.strip()
    if not name:
        raise ValidationError({"parties": _("Each party needs a name.")})
    phone = normalize_phone(party.phone)
    if phone:
        try:
            validate_mobile(phone)
        except ValidationError as exc:
            raise ValidationError({"parties": f"{name}: {exc.messages[0]}"}) from exc
    number = normalize_id_number(party.id_number)
    if number and not party.is_organisation:
        try:
            validate_id_number(number)
        except ValidationError as exc:
            raise ValidationError({"parties": f"{name}: {exc.messages[0]}"}) from exc
    return PartyData(party.role, name, phone, number, party.address.strip(), party.is_organisation)


def case_abbreviation(organisation: Unit) -> str:
    """The place word of a case number: the first character of the county's area (康 for
    康保县), else of the organisation's name."""
    county = county_of(organisation)
    area = county.areas.order_by("code").first() if county is not None else None
    name = (area.name if area is not None else "") or organisation.name
    return name[:1]


def next_number(organisation: Unit, year: int) -> str:
    """（2021）康人调字第0012号: per organisation and year, never reused. The counter row is
    held for the rest of the transaction, so two cases created at once get two numbers."""
    channel = channel_of(organisation)
    if channel is None:
        raise ValidationError(_("This unit does not mediate disputes."))
    CaseNumber.objects.get_or_create(organisation=organisation, year=year)
    counter = CaseNumber.objects.select_for_update().get(organisation=organisation, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    word = NUMBER_WORD[channel]
    return f"（{year}）{case_abbreviation(organisation)}{word}字第{counter.last:04d}号"


@transaction.atomic
def case_create(
    *,
    organisation: Unit,
    dispute_type: DisputeType,
    source: str,
    facts: str,
    parties: Sequence[PartyData],
    by: Any = None,
    requests: str = "",
    amount: Decimal | None = None,
    village: Area | None = None,
    files: Sequence[Any] = (),
) -> tuple[Case, str]:
    """A case taken in by staff (`by`) or applied for online by a citizen (`by` None, who then
    gets a follow-up code). Returns the case and the code ("" for staff intake)."""
    if by is not None and not grant_for(by, "mediation", "change").covers(organisation):
        raise PermissionDenied
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    cleaned = [_clean_party(p) for p in parties]
    if not any(p.role == PartyRole.APPLICANT for p in cleaned):
        raise ValidationError({"parties": _("Name at least one applicant.")})
    channel = channel_of(organisation)
    if channel is None:
        raise ValidationError({"organisation": _("This unit does not mediate disputes.")})
    case = Case(
        number=next_number(organisation, timezone.localdate().year),
        organisation=organisation,
        channel=channel,
        dispute_type=dispute_type,
        source=source,
        amount=amount,
        village=village,
        facts=facts.strip(),
        requests=requests.strip(),
    )
    case.full_clean(exclude=["state", "due_at", "mediator"])
    workflow.start(record=case, by=by, public=True)
    for p in cleaned:
        Party.objects.create(
            case=case,
            role=p.role,
            name=p.name,
            phone=p.phone,
            id_number=p.id_number,
            address=p.address,
            is_organisation=p.is_organisation,
        )
    for f in files:
        attach(record=case, upload=f, by=by, purpose="application")
    code = followup.issue(case) if by is None else ""
    notify(
        users=handlers_for(organisation, roles=HANDLERS),
        title=_("A new mediation case: %(number)s") % {"number": case.number},
        url=case.get_absolute_url(),
        key=f"mediation-new:{case.pk}",
    )
    return case, code


def _mediating_due(case: Case) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days_for(case.source))


@transaction.atomic
def case_transition(
    *, record: Case, name: str, by: Any, comment: str = "", files: Sequence[Any] = ()
) -> Case:
    """Accept (the time limit of its source starts), decline, begin, end without agreement or
    record the applicant's withdrawal."""
    fields: dict[str, Any] = {}
    due_at = None
    if name == "accept":
        fields["mediator"] = record.mediator or by
        due_at = _mediating_due(record)
    elif name == "begin":
        due_at = record.due_at
    if name in {"fail", "withdraw", "decline"}:
        fields["closed_at"] = timezone.now()
    workflow.transition(
        record=record,
        name=name,
        by=by,
        comment=comment,
        files=files,
        fields=fields,
        due_at=due_at,
    )
    record.refresh_from_db()
    return record


@transaction.atomic
def case_extend(*, case: Case, by: Any, days: int, consent: str) -> Case:
    """Extend the time limit with the parties' consent, recorded on the timeline."""
    if not may(by, "change", case) or case.state not in {CaseState.ACCEPTED, CaseState.MEDIATING}:
        raise PermissionDenied
    if days < 1 or days > 90:
        raise ValidationError({"days": _("Extend by 1 to 90 days.")})
    if not consent.strip():
        raise ValidationError({"consent": _("Write how the parties agreed to the extension.")})
    start = max(case.due_at or timezone.now(), timezone.now())
    Case.objects.filter(pk=case.pk).update(due_at=start + dt.timedelta(days=days), extended=True)
    workflow.note(
        record=case,
        by=by,
        comment=_("Time limit extended by %(n)d days with the parties' consent: %(how)s")
        % {"n": days, "how": consent.strip()},
        kind="extension",
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def session_record(
    *,
    case: Case,
    by: Any,
    held_at: dt.datetime,
    participants: str,
    record: str,
    place: str = "",
    online: bool = False,
) -> Session:
    """A mediation session; the first one begins the mediation."""
    if not may(by, "change", case):
        raise PermissionDenied
    if case.state == CaseState.ACCEPTED:
        case_transition(record=case, name="begin", by=by)
    if case.state != CaseState.MEDIATING:
        raise ValidationError(_("Sessions are recorded while the case is being mediated."))
    if not place.strip() and not online:
        raise ValidationError({"place": _("Say where it was held, or that it was online.")})
    session = Session(
        case=case,
        organisation=case.organisation,
        held_at=held_at,
        place=place.strip(),
        online=online,
        participants=participants.strip(),
        record=record.strip(),
        by=by,
    )
    session.full_clean(exclude=["case", "organisation", "by"])
    session.save()
    return session


@transaction.atomic
def agreement_record(
    *,
    case: Case,
    by: Any,
    issues: str,
    terms: str,
    performance: str,
    agreed_on: dt.date,
    oral: bool = False,
) -> Agreement:
    """The agreement: the case is settled."""
    if agreed_on > timezone.localdate():
        raise ValidationError({"agreed_on": _("The agreement cannot be dated in the future.")})
    agreement = Agreement(
        case=case,
        organisation=case.organisation,
        issues=issues.strip(),
        terms=terms.strip(),
        performance=performance.strip(),
        oral=oral,
        agreed_on=agreed_on,
        by=by,
    )
    agreement.full_clean(exclude=["case", "organisation", "by"])
    workflow.transition(record=case, name="settle", by=by, fields={"closed_at": timezone.now()})
    agreement.save()
    case.refresh_from_db()
    return agreement


@transaction.atomic
def case_refer(*, case: Case, to: Unit, by: Any, reason: str) -> Referral:
    """Refer a case to another organisation of any channel (对接); it waits there to be
    taken or returned, and stays the same case with the same history."""
    to_channel = channel_of(to)
    if to_channel is None or not to.is_active:
        raise ValidationError({"to": _("Choose an organisation that mediates disputes.")})
    if to.pk == case.organisation_id:
        raise ValidationError({"to": _("The case is already with this organisation.")})
    referral = Referral(
        case=case,
        from_organisation=case.organisation,
        to_organisation=to,
        from_channel=case.channel,
        to_channel=to_channel,
        reason=reason.strip(),
        from_state=case.state,
        by=by,
    )
    workflow.transition(
        record=case,
        name="refer",
        by=by,
        comment=reason,
        fields={"organisation": to, "channel": to_channel, "mediator": None},
    )
    referral.save()
    workflow.note(
        record=case,
        by=by,
        comment=_("Referred to %(unit)s.") % {"unit": to.name},
        public=True,
        unit_name=referral.from_organisation.name,
    )
    notify(
        users=handlers_for(to, roles=HANDLERS),
        title=_("A case referred to your organisation: %(number)s") % {"number": case.number},
        url=case.get_absolute_url(),
        key=f"mediation-referred:{referral.pk}",
    )
    case.refresh_from_db()
    return referral


def pending_referral(case: Case) -> Referral | None:
    return case.referrals.filter(answer=Referral.Answer.PENDING).order_by("-pk").first()


@transaction.atomic
def referral_answer(*, case: Case, by: Any, take: bool, comment: str = "") -> Case:
    """The receiving organisation takes the case (its time limit starts anew) or returns it
    to the one that referred it, as it was there."""
    referral = pending_referral(case)
    if referral is None:
        raise ValidationError(_("No referral is waiting for an answer."))
    if take:
        workflow.transition(
            record=case,
            name="take",
            by=by,
            comment=comment,
            fields={"mediator": by},
            due_at=_mediating_due(case),
        )
    else:
        workflow.transition(
            record=case,
            name="return",
            by=by,
            comment=comment,
            fields={
                "organisation": referral.from_organisation,
                "channel": referral.from_channel,
            },
        )
    Referral.objects.filter(pk=referral.pk).update(
        answer=Referral.Answer.TAKEN if take else Referral.Answer.RETURNED,
        answered_at=timezone.now(),
    )
    case.refresh_from_db()
    return case
