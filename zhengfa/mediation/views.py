from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengfa.core import followup, submission
from zhengfa.core.forms import add_service_errors
from zhengfa.core.generic import form_page, form_post, paginate, transition_view, workflow_page
from zhengfa.core.pagecache import public_page
from zhengfa.core.scope import can, get_scoped_or_404, grant_for, may, subtree_q
from zhengfa.core.workflow import end_of_day, start_of_day
from zhengfa.org.directory import county_asked
from zhengfa.org.forms import UnitPeriodForm
from zhengfa.org.models import Unit, UnitKind

from . import documents, selectors, services
from .forms import (
    AgreementForm,
    ApplicationForm,
    CaseForm,
    ConfirmationApplyForm,
    ConfirmationStepForm,
    ExtendForm,
    PartyForm,
    ReferForm,
    RosterForm,
    SessionForm,
    VisitForm,
    mediating_units,
)
from .models import (
    CONFIRMATION_OPEN,
    Case,
    CaseState,
    Channel,
    Confirmation,
    ConfirmationState,
    Party,
    PartyRole,
    RosterEntry,
    Source,
)

CASES = Case.objects.select_related(
    "organisation", "dispute_type", "mediator", "previous", "confirmation__court"
)


# --- The citizen's side ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@public_page
def apply(request: HttpRequest) -> HttpResponse:
    """申请调解: a citizen applies on a phone and follows the case with a code. The same form
    sent twice makes one case and shows the same code."""
    asked = county_asked(
        request.POST if request.method == "POST" else request.GET,
        first_visit=request.method == "GET",
    )
    title = _("Apply for mediation")
    if asked.ask:
        return render(
            request, "org/county_choice.html", {"counties": asked.counties, "title": title}
        )
    where: dict[str, Any] = {"county": asked.county, "several": asked.several}
    if request.method == "POST":
        early = submission.before_reading(
            request,
            done="mediation:apply_done",
            refused=lambda why: render(
                request,
                "mediation/apply.html",
                {
                    "form": ApplicationForm(initial=request.POST.dict(), **where),
                    "refused": why,
                    **where,
                },
                status=429,
            ),
        )
        if early is not None:
            return early
    form = ApplicationForm(
        *((request.POST, request.FILES) if request.method == "POST" else ()), **where
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sent = submission.submit(
            request,
            form,
            create=lambda key: services.case_create(
                organisation=services.intake_for(data["organisation"], asked.county),
                dispute_type=data["dispute_type"],
                source=Source.APPLICATION,
                facts=data["facts"],
                requests=data["requests"],
                amount=data["amount"],
                files=data["attachments"],
                submission=key,
                parties=[
                    services.PartyData(
                        PartyRole.APPLICANT, data["name"], data["phone"], data["id_number"]
                    ),
                    services.PartyData(
                        PartyRole.RESPONDENT,
                        data["respondent"],
                        data["respondent_phone"],
                        is_organisation=data["respondent_is_organisation"],
                    ),
                ],
            ),
            done="mediation:apply_done",
            already=_(
                "This application was already sent. Its follow-up code was shown after sending."
            ),
            text=lambda code: followup.text_code(
                phone=data["phone"], code=code, what=_("Application for mediation received.")
            ),
        )
        if sent is not None:
            return sent
    status = 400 if request.method == "POST" else 200
    return render(request, "mediation/apply.html", {"form": form, **where}, status=status)


@require_GET
def apply_done(request: HttpRequest) -> HttpResponse:
    return followup.confirmation(request, _("Your application for mediation has been received."))


# --- Staff ------------------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    qs = Case.objects.visible_to(request.user).select_related("organisation", "dispute_type")
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.open()
    elif state in CaseState.values:
        qs = qs.filter(state=state)
    channel = request.GET.get("channel", "")
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    overdue = request.GET.get("due") == "overdue"
    if overdue:
        qs = qs.overdue()
    number = request.GET.get("number", "").strip()[:40]
    if number:
        qs = qs.filter(number__contains=number)
    page, query = paginate(request, qs.order_by("-created_at", "-pk"))
    return render(
        request,
        "mediation/case_list.html",
        {
            "page": page,
            "query": query,
            "states": CaseState.choices,
            "state": state,
            "channels": Channel.choices,
            "channel": channel,
            "overdue": overdue,
            "number": number,
            "can_add": can(request.user, "mediation", "change"),
        },
    )


def _own_units(user: Any) -> Any:
    return mediating_units().filter(
        pk__in=Unit.objects.granted_to(user, "mediation", "change").values("pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    units = _own_units(request.user)
    if not units.exists():
        raise PermissionDenied
    form = CaseForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case, _code = services.case_create(
                organisation=data["organisation"],
                dispute_type=data["dispute_type"],
                source=data["source"],
                facts=data["facts"],
                requests=data["requests"],
                amount=data["amount"],
                by=request.user,
                parties=[
                    services.PartyData(
                        PartyRole.APPLICANT,
                        data["applicant_name"],
                        data["applicant_phone"],
                        data["applicant_id"],
                    ),
                    services.PartyData(
                        PartyRole.RESPONDENT,
                        data["respondent_name"],
                        data["respondent_phone"],
                        data["respondent_id"],
                    ),
                ],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Case %(number)s taken in.") % {"number": case.number})
            return redirect(case.get_absolute_url())
    return form_page(request, form, title=_("Take in a mediation case"))


def _holds(user: Any, case: Case) -> bool:
    return grant_for(user, "mediation", "view").covers(case.organisation)


def _own_part(case: Case, paths: list[str], events: list[Any]) -> list[Any]:
    """What an organisation that held the case before reads of its history: the events up to
    its last referral of the case away (the court that confirms it: its own notes alone).
    The n-th referral of a case is its n-th "refer" event."""
    referrals = list(
        case.referrals.select_related("from_organisation").order_by("created_at", "pk")
    )
    mine = [i for i, r in enumerate(referrals) if _under(r.from_organisation.path, paths)]
    if not mine:
        return [e for e in events if e.transition == "confirmation"]
    refers = [e for e in events if e.transition == "refer"]
    if len(refers) <= mine[-1]:
        return []
    cutoff = refers[mine[-1]].pk
    return [e for e in events if e.pk <= cutoff]


def _under(path: str, paths: list[str]) -> bool:
    return any(path.startswith(p) for p in paths)


def _case_page(request: HttpRequest, case: Case, **page: Any) -> HttpResponse:
    holds = _holds(request.user, case)
    # An organisation that held the case before reads its own part of the history.
    paths = grant_for(request.user, "mediation", "view").paths
    change = holds and case.is_open and may(request.user, "change", case)
    confirmation = getattr(case, "confirmation", None)
    court = confirmation is not None and grant_for(request.user, "mediation", "view").covers(
        confirmation.court
    )
    settled_here = holds and case.state == CaseState.SETTLED
    return workflow_page(
        request,
        "mediation/case_detail.html",
        case,
        url_name="mediation:case_transition",
        timeline=None if holds else (lambda events: _own_part(case, paths, events)),
        case=case,
        holds=holds,
        parties=Party.objects.filter(case=case) if holds else [],
        sessions=case.sessions.all() if holds else [],
        referral=services.pending_referral(case),
        can_change=change,
        can_answer=holds and case.state == CaseState.REFERRED,
        # The court reads the agreement it is asked to confirm.
        agreement=getattr(case, "agreement", None) if holds or court else None,
        confirmation=confirmation if holds or court else None,
        court_decides=court
        and confirmation is not None
        and confirmation.is_open
        and grant_for(request.user, "mediation", "change").covers(confirmation.court),
        may_apply=settled_here
        and may(request.user, "change", case)
        and not services.confirmation_refusal(case),
        may_visit=settled_here and may(request.user, "change", case),
        visits=case.visits.select_related("new_case") if holds else [],
        may_reveal=holds and may(request.user, "reveal", case),
        step_form=page.pop("step_form", None)
        or ConfirmationStepForm(initial={"on": timezone.localdate()}),
        **page,
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, get_scoped_or_404(CASES, request.user, pk=pk))


case_transition = transition_view(CASES, apply=services.case_transition, page=_case_page)


def _held_case(request: HttpRequest, pk: int) -> Case:
    case = get_scoped_or_404(CASES, request.user, "change", pk=pk)
    if not _holds(request.user, case):
        raise PermissionDenied
    return case


def _case_form(
    request: HttpRequest,
    case: Case,
    form: Any,
    apply: Callable[[dict[str, Any]], object],
    *,
    title: str,
    done: str,
    hint: str = "",
) -> HttpResponse:
    """One of a case's forms: shown, or sent to the module's service (nothing saved when the
    form or the service refuses it)."""
    if request.method == "POST":
        return form_post(
            request,
            form,
            apply,
            done=done,
            to=case.get_absolute_url(),
            again=lambda f: form_page(request, f, title=title, hint=hint, status=400),
        )
    return form_page(request, form, title=title, hint=hint, back=case.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    return _case_form(
        request,
        case,
        SessionForm(request.POST or None),
        lambda d: services.session_record(case=case, by=request.user, **d),
        title=_("Record a session"),
        done=_("Session recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def party_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    if not case.is_open:
        raise PermissionDenied
    return _case_form(
        request,
        case,
        PartyForm(request.POST or None),
        lambda d: services.party_add(case=case, by=request.user, party=services.PartyData(**d)),
        title=_("Add a party"),
        done=_("Party added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    return _case_form(
        request,
        case,
        AgreementForm(request.POST or None),
        lambda d: services.agreement_record(case=case, by=request.user, **d),
        title=_("Record the agreement"),
        done=_("Agreement recorded: the case is settled."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_refer(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    units = mediating_units(case.organisation).exclude(pk=case.organisation_id)
    return _case_form(
        request,
        case,
        ReferForm(request.POST or None, units=units),
        lambda d: services.case_refer(case=case, to=d["to"], by=request.user, reason=d["reason"]),
        title=_("Refer the case"),
        done=_("Referred."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    return _case_form(
        request,
        case,
        ExtendForm(request.POST or None),
        lambda d: services.case_extend(case=case, by=request.user, **d),
        title=_("Extend the time limit"),
        done=_("Time limit extended."),
        hint=_("Only with the consent of the parties; it is recorded in the history."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirmation_apply(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    refusal = services.confirmation_refusal(case)
    return _case_form(
        request,
        case,
        ConfirmationApplyForm(
            request.POST or None,
            initial={"applied_on": timezone.localdate(), "applicants": _party_names(case)},
        ),
        lambda d: services.confirmation_apply(case=case, by=request.user, **d),
        title=_("Apply for judicial confirmation"),
        done=_("Sent to the court for judicial confirmation."),
        hint=refusal
        or _(
            "Both parties apply together within 30 days of the agreement. The court decides "
            "on acceptance within 3 days and rules within 15 days."
        ),
    )


def _party_names(case: Case) -> str:
    return "、".join(Party.objects.filter(case=case).values_list("name", flat=True))


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    return _case_form(
        request,
        case,
        VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()}),
        lambda d: services.visit_record(case=case, by=request.user, **d),
        title=_("Record a follow-up visit"),
        done=_("Follow-up visit recorded."),
        hint=_(
            "If the agreement was not performed, the case can be mediated again or the parties "
            "guided to the court."
        ),
    )


@login_required
@require_POST
def confirmation_step(request: HttpRequest, pk: int) -> HttpResponse:
    """The court's decision on an application for judicial confirmation."""
    case = get_scoped_or_404(CASES, request.user, pk=pk)
    confirmation = getattr(case, "confirmation", None)
    if confirmation is None or not grant_for(request.user, "mediation", "change").covers(
        confirmation.court
    ):
        raise Http404
    form = ConfirmationStepForm(request.POST)
    return form_post(
        request,
        form,
        lambda d: services.confirmation_step(confirmation=confirmation, by=request.user, **d),
        done=_("Recorded."),
        to=case.get_absolute_url(),
        again=lambda f: _case_page(request, case, step_form=f, status=400),
    )


@login_required
@require_POST
def referral_answer(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    take = request.POST.get("answer") == "take"
    try:
        services.referral_answer(
            case=case, by=request.user, take=take, comment=request.POST.get("comment", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _case_page(request, case, status=400)
    messages.success(request, _("Taken.") if take else _("Returned."))
    return redirect(case.get_absolute_url() if take else "mediation:case_list")


def _agreement_of(request: HttpRequest, pk: int) -> Any:
    case = get_scoped_or_404(CASES, request.user, pk=pk)
    confirmation = getattr(case, "confirmation", None)
    court = confirmation is not None and grant_for(request.user, "mediation", "view").covers(
        confirmation.court
    )
    if not (_holds(request.user, case) or court) or not hasattr(case, "agreement"):
        raise Http404
    return case


@login_required
@require_GET
def agreement_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The 调解协议书 as a page to print, for signatures or fingerprints."""
    case = _agreement_of(request, pk)
    organisation, number, body, signatures = documents.sections(case.agreement)
    return render(
        request,
        "mediation/agreement_print.html",
        {
            "case": case,
            "organisation": organisation,
            "number": number,
            "body": body,
            "signatures": signatures,
            "copies": case.parties.count() + 1,
        },
    )


@login_required
@require_GET
def agreement_docx(request: HttpRequest, pk: int) -> HttpResponse:
    case = _agreement_of(request, pk)
    response = HttpResponse(
        documents.agreement_docx(case.agreement),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"{_('Mediation agreement')}{case.number}.docx"
    )
    return response


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """The figures of the cases a person sees: a unit below his and a period to choose (by
    default this year so far); the referrals between channels as from → to counts."""
    units = Unit.objects.granted_to(request.user, "mediation", "view")
    if not units.exists():
        raise PermissionDenied
    today = timezone.localdate()
    form = UnitPeriodForm(
        request.GET or {"start": today.replace(month=1, day=1), "end": today}, units=units
    )
    # The cases the person's organisations hold (as the named indicators count them), not
    # those they only read: referred away, or sent to the court for confirmation.
    cases = Case.objects.visible_to(request.user).filter(
        subtree_q("organisation", grant_for(request.user, "mediation", "view").paths)
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["unit"] is not None:
            cases = cases.filter(organisation__path__startswith=data["unit"].path)
        if data["start"]:
            cases = cases.filter(created_at__gte=start_of_day(data["start"]))
        if data["end"]:
            cases = cases.filter(created_at__lte=end_of_day(data["end"]))
    return render(
        request,
        "mediation/figures.html",
        {"form": form, "figures": selectors.figures(cases) if form.is_valid() else None},
        status=200 if form.is_valid() else 400,
    )


# --- The court: judicial confirmations and the roster of invited mediation ----------------


@login_required
@require_GET
def confirmation_list(request: HttpRequest) -> HttpResponse:
    if not selectors.at_a_court(request.user):
        raise Http404
    qs = Confirmation.objects.visible_to(request.user).select_related("case", "court")
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.filter(state__in=CONFIRMATION_OPEN)
    elif state in ConfirmationState.values:
        qs = qs.filter(state=state)
    page, query = paginate(request, qs.order_by("-applied_on", "-pk"))
    return render(
        request,
        "mediation/confirmation_list.html",
        {"page": page, "query": query, "states": ConfirmationState.choices, "state": state},
    )


@login_required
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    """特邀调解名册: who the court may send cases to, with specialties and availability."""
    if not selectors.at_a_court(request.user):
        raise Http404
    entries = (
        RosterEntry.objects.visible_to(request.user)
        .select_related("court", "organisation", "mediator__user")
        .prefetch_related("specialties")
    )
    page, query = paginate(request, entries)
    return render(
        request,
        "mediation/roster.html",
        {
            "page": page,
            "query": query,
            "can_add": selectors.courts_of(request.user, "change").exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def roster_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    entry = (
        get_scoped_or_404(RosterEntry.objects.all(), request.user, "change", pk=pk)
        if pk is not None
        else None
    )
    court = (
        entry.court if entry is not None else selectors.courts_of(request.user, "change").first()
    )
    if court is None:
        raise PermissionDenied
    initial = (
        {
            "organisation": entry.organisation,
            "mediator": entry.mediator,
            "specialties": list(entry.specialties.all()),
            "hours": entry.hours,
            "available": entry.available,
        }
        if entry is not None
        else None
    )
    units = mediating_units(court).exclude(kind__in=[UnitKind.COURT, UnitKind.TRIBUNAL])
    form = RosterForm(request.POST or None, initial=initial, units=units)
    title = _("Roster of invited mediation")
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.roster_save(entry=entry, court=court, by=request.user, **d),
            done=_("Saved."),
            to=reverse("mediation:roster"),
            again=lambda f: form_page(request, f, title=title, status=400),
        )
    return form_page(request, form, title=title, back=reverse("mediation:roster"))
