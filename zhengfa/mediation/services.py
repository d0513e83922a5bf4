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
from django.utils.translation import gettext_lazy

from zhengfa.core import challenge, followup, workflow
from zhengfa.core.attachments import attach
from zhengfa.core.notifications import notify
from zhengfa.core.scope import grant_for, may
from zhengfa.core.validators import (
    normalize_id_number,
    normalize_phone,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from zhengfa.org.access import Role
from zhengfa.org.directory import county_of, handlers_for, root_unit
from zhengfa.org.models import Area, AreaLevel, Mediator, Unit, UnitKind

from .models import (
    ACCEPT_DAYS,
    APPLY_DAYS,
    NUMBER_WORD,
    RULE_DAYS,
    RULE_EXTENSION_DAYS,
    Agreement,
    Case,
    CaseNumber,
    CaseState,
    Confirmation,
    ConfirmationState,
    DisputeType,
    NextStep,
    Party,
    PartyRole,
    Performance,
    Referral,
    RosterEntry,
    Session,
    Source,
    Visit,
    channel_of,
)

HANDLERS = (Role.MEDIATOR, Role.CLERK, Role.LEADER)
# Organisations that serve the whole county: their numbers carry the county's word alone.
COUNTY_LEVEL = {
    UnitKind.COURT,
    UnitKind.LITIGATION_MEDIATION,
    UnitKind.LAWYER_STUDIO,
    UnitKind.ADMIN_DISPUTE_CENTRE,
}
# The police's mediation of minor disputes is numbered 治调, apart from the justice office's.
WORD_OF_KIND: dict[str, str] = {UnitKind.POLICE_STATION: "治调"}
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
            validate_phone(phone)  # a mobile, or a company's landline
        except ValidationError as exc:
            raise ValidationError({"parties": f"{name}: {exc.messages[0]}"}) from exc
    number = normalize_id_number(party.id_number)
    if number:
        try:
            (validate_credit_code if party.is_organisation else validate_id_number)(number)
        except ValidationError as exc:
            raise ValidationError({"parties": f"{name}: {exc.messages[0]}"}) from exc
    return PartyData(party.role, name, phone, number, party.address.strip(), party.is_organisation)


def case_abbreviation(organisation: Unit) -> str:
    """The place words of a case number, one set per organisation of a channel: the first
    character of the county's area (康 for 康保县), else of the organisation's name; then for
    an organisation below the county its township (张纪 for the tribunal and the justice office
    of 张纪镇) and for a village's committee also its village (张纪东营)."""
    county = county_of(organisation)
    area = county.areas.order_by("code").first() if county is not None else None
    words = [_county_word(area) if area is not None else organisation.name[:1]]
    if organisation.kind in COUNTY_LEVEL:
        return "".join(words)
    place = organisation.areas.filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE])
    found = place.select_related("parent").order_by("code").first()
    if found is None:
        # No place set: the organisation's own name tells it from the county's studio.
        name = organisation.name
        for suffix in ("人民调解委员会", "调解委员会", "人民法庭", "司法所", "派出所"):
            name = name.removesuffix(suffix)
        words.append(name[:6])
    elif found.level == AreaLevel.VILLAGE:
        town = found.parent.name if found.parent is not None else ""
        words += [_short(town), found.name.removesuffix("村")]
    else:
        words.append(_short(found.name))
    return "".join(words)


def _county_word(area: Area) -> str:
    """康 for 康保县; on a province's site where another county starts with the same
    character, the county's name without 县 (长城 and 长阳), so numbers never meet."""
    short = area.name
    for suffix in ("自治县", "县", "市", "区", "旗"):
        if short.endswith(suffix) and len(short) > len(suffix) + 1:
            short = short.removesuffix(suffix)
            break
    alike = (
        Area.objects.filter(level=area.level, name__startswith=short[:1])
        .exclude(pk=area.pk)
        .exists()
    )
    return short if alike else short[:1]


def _short(town: str) -> str:
    for suffix in ("镇", "乡"):
        if town.endswith(suffix) and len(town) > 2:
            return town.removesuffix(suffix)
    return town


def next_number(organisation: Unit, year: int, word: str = "") -> str:
    """（2021）康人调字第0012号: per organisation, year and word (the channel's, or 调确 for
    judicial confirmation), never reused. The counter row is held for the rest of the
    transaction, so two cases created at once get two numbers."""
    if not word:
        channel = channel_of(organisation)
        if channel is None:
            raise ValidationError(_("This unit does not mediate disputes."))
        word = WORD_OF_KIND.get(organisation.kind, NUMBER_WORD[channel])
    CaseNumber.objects.get_or_create(organisation=organisation, year=year, word=word)
    counter = CaseNumber.objects.select_for_update().get(
        organisation=organisation, year=year, word=word
    )
    counter.last += 1
    counter.save(update_fields=["last"])
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
    previous: Case | None = None,
    submission: str = "",
    received_on: dt.date | None = None,
) -> tuple[Case, str]:
    """A case taken in by staff (`by`) or applied for online by a citizen (`by` None, who then
    gets a follow-up code). Returns the case and the code ("" for staff intake). The same
    citizen's form sent twice (`submission`, its key) raises DuplicateSubmission.
    `received_on`: the day a paper application came in, whose year numbers the case."""
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
    if village is None and organisation.kind == UnitKind.MEDIATION_COMMITTEE:
        # A village's committee: the dispute is of its village.
        village = organisation.areas.filter(level=AreaLevel.VILLAGE).order_by("code").first()
    case = Case(
        number=next_number(organisation, (received_on or timezone.localdate()).year),
        organisation=organisation,
        channel=channel,
        dispute_type=dispute_type,
        source=source,
        amount=amount,
        village=village,
        facts=facts.strip(),
        requests=requests.strip(),
        previous=previous,
        submission=submission or None,
    )
    case.full_clean(exclude=["state", "due_at", "mediator", "previous", "submission"])
    if submission and Case.objects.filter(submission=submission).exists():
        raise challenge.DuplicateSubmission
    with challenge.made_once(Case, submission):
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


def intake_for(chosen: Unit | None, county: Unit | None) -> Unit:
    """Where a citizen's application goes: the organisation he chose, or when he was not sure,
    the court's litigation mediation studio of his county (which passes it on), else the
    first people's mediation organisation there."""
    if chosen is not None:
        return chosen
    within = county or root_unit()
    units = Unit.objects.filter(
        is_active=True, path__startswith=within.path if within else ""
    ).order_by("path")
    found = (
        units.filter(kind=UnitKind.LITIGATION_MEDIATION).first()
        or units.filter(kind=UnitKind.MEDIATION_COMMITTEE).first()
    )
    if found is None:
        raise ValidationError({"organisation": _("Please choose where to apply.")})
    return found


@transaction.atomic
def party_add(*, case: Case, by: Any, party: PartyData) -> Party:
    """A further applicant or respondent of an open case."""
    if not grant_for(by, "mediation", "change").covers(case.organisation) or not case.is_open:
        raise PermissionDenied
    p = _clean_party(party)
    if p.role not in PartyRole.values:
        raise ValidationError({"role": _("Choose a side.")})
    added = Party.objects.create(
        case=case,
        role=p.role,
        name=p.name,
        phone=p.phone,
        id_number=p.id_number,
        address=p.address,
        is_organisation=p.is_organisation,
    )
    workflow.note(
        record=case,
        by=by,
        comment=_("Party added: %(name)s (%(side)s)")
        % {"name": p.name, "side": added.get_role_display()},
    )
    return added


@transaction.atomic
def case_supplement(*, case: Case, comment: str, files: Sequence[Any] = ()) -> None:
    """The applicant adds information or files while the case is open (follow-up page)."""
    if not case.is_open:
        raise ValidationError(_("This request is closed and takes no more additions."))
    workflow.note(record=case, by=None, comment=comment, public=True, files=files)
    notify(
        users=handlers_for(case.organisation, roles=HANDLERS),
        title=_("The applicant added information: %(number)s") % {"number": case.number},
        url=case.get_absolute_url(),
    )


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
    if held_at > timezone.now() + dt.timedelta(hours=1):
        raise ValidationError({"held_at": _("Record a session after it was held.")})
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
    first = case.sessions.order_by("held_at").values_list("held_at", flat=True).first()
    if first is not None and agreed_on < timezone.localdate(first):
        raise ValidationError(
            {"agreed_on": _("The agreement cannot come before the first session.")}
        )
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
    to the one that referred it, where it waits to be accepted again (the reasons are
    between the organisations; the citizen reads who holds his case)."""
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
    workflow.note(
        record=case,
        by=by,
        comment=(_("Taken up by %(unit)s.") if take else _("Back with %(unit)s."))
        % {"unit": (referral.to_organisation if take else referral.from_organisation).name},
        public=True,
    )
    case.refresh_from_db()
    return case


# --- Judicial confirmation (司法确认) ----------------------------------------------------------
CONFIRMATION_WORD = "调确"


def court_for(case: Case) -> Unit | None:
    """The county court that confirms the case's agreement (on a site whose county has no
    area set, the one tree is the county)."""
    county = county_of(case.organisation)
    return (
        Unit.objects.filter(
            kind=UnitKind.COURT, is_active=True, path__startswith=county.path if county else ""
        )
        .order_by("path")
        .first()
    )


def confirmation_refusal(case: Case, on: dt.date | None = None) -> str:
    """Why the agreement of `case` cannot be sent for confirmation now ("" when it can)."""
    on = on or timezone.localdate()
    agreement = getattr(case, "agreement", None)
    if case.state != CaseState.SETTLED or agreement is None:
        return _("Only the agreement of a settled case can be confirmed.")
    if hasattr(case, "confirmation"):
        return _("Judicial confirmation has already been applied for.")
    if not case.dispute_type.confirmable:
        return _(
            "The law does not allow judicial confirmation of a dispute about identity, "
            "marriage or adoption."
        )
    if on > agreement.agreed_on + dt.timedelta(days=APPLY_DAYS):
        return _(
            "The parties may apply within 30 days of the agreement (by %(day)s); that time "
            "has passed."
        ) % {"day": agreement.agreed_on + dt.timedelta(days=APPLY_DAYS)}
    if on < agreement.agreed_on:
        return _("The application cannot come before the agreement.")
    if court_for(case) is None:
        return _("No court of this county is set up on the platform.")
    return ""


@transaction.atomic
def confirmation_apply(
    *, case: Case, by: Any, applied_on: dt.date, applicants: str
) -> Confirmation:
    """The parties' joint application, registered with the court under a 调确字 number; the
    court decides on acceptance within 3 days."""
    if not grant_for(by, "mediation", "change").covers(case.organisation):
        raise PermissionDenied
    if applied_on > timezone.localdate():
        raise ValidationError({"applied_on": _("The date cannot be in the future.")})
    refusal = confirmation_refusal(case, applied_on)
    if refusal:
        raise ValidationError(refusal)
    if not applicants.strip():
        raise ValidationError({"applicants": _("Name the parties who applied.")})
    court = court_for(case)
    assert court is not None
    confirmation = Confirmation.objects.create(
        case=case,
        court=court,
        number=next_number(court, applied_on.year, CONFIRMATION_WORD),
        applied_on=applied_on,
        applicants=applicants.strip(),
        accept_by=applied_on + dt.timedelta(days=ACCEPT_DAYS),
        by=by,
    )
    workflow.note(
        record=case,
        by=by,
        comment=_("Judicial confirmation applied for at %(court)s: %(number)s")
        % {"court": court.name, "number": confirmation.number},
        public=True,
        kind="confirmation",
    )
    notify(
        users=handlers_for(court, roles=HANDLERS),
        title=_("An agreement to confirm: %(number)s") % {"number": confirmation.number},
        url=case.get_absolute_url(),
        key=f"mediation-confirm:{confirmation.pk}",
    )
    return confirmation


CONFIRMATION_STEPS: dict[str, tuple[set[str], str]] = {
    "accept": ({ConfirmationState.APPLIED}, ConfirmationState.ACCEPTED),
    "refuse": ({ConfirmationState.APPLIED}, ConfirmationState.NOT_ACCEPTED),
    "extend": ({ConfirmationState.ACCEPTED}, ConfirmationState.ACCEPTED),
    "confirm": ({ConfirmationState.ACCEPTED}, ConfirmationState.CONFIRMED),
    "reject": ({ConfirmationState.ACCEPTED}, ConfirmationState.REJECTED),
}
STEP_NOTES = {
    "accept": gettext_lazy("The court accepted the application for judicial confirmation."),
    "refuse": gettext_lazy("The court did not accept the application for judicial confirmation."),
    "extend": gettext_lazy("The court extended the time for its ruling by 10 days."),
    "confirm": gettext_lazy("The court confirmed the agreement as valid."),
    "reject": gettext_lazy("The court rejected the application for judicial confirmation."),
}


@transaction.atomic
def confirmation_step(
    *, confirmation: Confirmation, by: Any, step: str, on: dt.date, reason: str = ""
) -> Confirmation:
    """The court's decisions: accept or refuse (within 3 days), then confirm or reject (within
    15 days of acceptance, once extended by 10)."""
    confirmation = Confirmation.objects.select_for_update().get(pk=confirmation.pk)
    if not grant_for(by, "mediation", "change").covers(confirmation.court):
        raise PermissionDenied
    allowed, to = CONFIRMATION_STEPS.get(step, (set(), ""))
    if confirmation.state not in allowed:
        raise ValidationError(_("This step is not possible now."))
    if step == "extend" and confirmation.extended:
        raise ValidationError(_("The time for the ruling can be extended once."))
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < (confirmation.accepted_on or confirmation.applied_on):
        raise ValidationError({"on": _("The date cannot come before the previous step.")})
    if step in {"refuse", "reject", "extend"} and not reason.strip():
        raise ValidationError({"reason": _("Please write the reason.")})
    confirmation.state = to
    confirmation.reason = reason.strip() or confirmation.reason
    if step == "accept":
        confirmation.accepted_on = on
        confirmation.rule_by = on + dt.timedelta(days=RULE_DAYS)
    elif step == "extend":
        confirmation.extended = True
        assert confirmation.rule_by is not None
        confirmation.rule_by += dt.timedelta(days=RULE_EXTENSION_DAYS)
    else:
        confirmation.ruled_on = on
    confirmation.save()
    note = str(STEP_NOTES[step])
    workflow.note(
        record=confirmation.case,
        by=by,
        comment=f"{note} {reason.strip()}".strip(),
        public=True,
        unit_name=confirmation.court.name,
        kind="confirmation",
    )
    return confirmation


# --- Follow-up visits (回访) --------------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    case: Case,
    by: Any,
    visited_on: dt.date,
    performance: str,
    note: str,
    next_step: str = NextStep.NONE,
) -> Visit:
    """Was the agreement performed? If not, the case may be mediated again (a new case with
    the same parties, linked to this one) or the parties guided to the court."""
    if not grant_for(by, "mediation", "change").covers(case.organisation):
        raise PermissionDenied
    if case.state != CaseState.SETTLED:
        raise ValidationError(_("A follow-up visit is about the agreement of a settled case."))
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("The date cannot be in the future.")})
    if visited_on < case.agreement.agreed_on:
        raise ValidationError({"visited_on": _("The visit cannot come before the agreement.")})
    if next_step and performance == Performance.PERFORMED:
        raise ValidationError(
            {"next_step": _("The agreement was performed: there is nothing further to do.")}
        )
    visit = Visit(
        case=case,
        organisation=case.organisation,
        visited_on=visited_on,
        performance=performance,
        note=note.strip(),
        next_step=next_step,
        by=by,
    )
    visit.full_clean(exclude=["case", "organisation", "by", "new_case"])
    if next_step == NextStep.REMEDIATE:
        visit.new_case, _code = case_create(
            organisation=case.organisation,
            dispute_type=case.dispute_type,
            source=Source.OWN,
            facts=_("The agreement of %(number)s was not performed: %(note)s")
            % {"number": case.number, "note": visit.note},
            requests=case.requests,
            amount=case.amount,
            village=case.village,
            by=by,
            previous=case,
            parties=[
                PartyData(p.role, p.name, p.phone, p.id_number, p.address, p.is_organisation)
                for p in Party.objects.filter(case=case)
            ],
        )
    visit.save()
    comment = _("Follow-up visit: %(performance)s.") % {
        "performance": visit.get_performance_display()
    }
    if next_step:
        comment += " " + str(visit.get_next_step_display())
    workflow.note(record=case, by=by, comment=comment, public=True, kind="visit")
    return visit


# --- The court's roster (特邀调解名册) -----------------------------------------------------------


@transaction.atomic
def roster_save(
    *,
    entry: RosterEntry | None,
    court: Unit,
    by: Any,
    organisation: Unit,
    mediator: Mediator | None = None,
    specialties: Sequence[DisputeType] = (),
    hours: str = "",
    available: bool = True,
) -> RosterEntry:
    """Put an organisation, or one of its mediators, on the court's roster (or change it)."""
    if not grant_for(by, "mediation", "change").covers(court):
        raise PermissionDenied
    if channel_of(organisation) is None or organisation.kind in {UnitKind.COURT, UnitKind.TRIBUNAL}:
        raise ValidationError({"organisation": _("Choose an organisation that mediates.")})
    if mediator is not None and mediator.organisation_id != organisation.pk:
        raise ValidationError({"mediator": _("This mediator works for another organisation.")})
    entry = entry or RosterEntry(court=court)
    clash = RosterEntry.objects.filter(
        court=entry.court, organisation=organisation, mediator=mediator
    ).exclude(pk=entry.pk)
    if clash.exists():
        raise ValidationError({"organisation": _("This entry is already on the roster.")})
    entry.organisation, entry.mediator = organisation, mediator
    entry.hours, entry.available = hours.strip(), available
    entry.save()
    entry.specialties.set(specialties)
    return entry
