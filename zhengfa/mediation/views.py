from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengfa.core.forms import add_service_errors
from zhengfa.core.generic import form_page, form_post, paginate, transition_view, workflow_page
from zhengfa.core.scope import can, get_scoped_or_404, grant_for, may
from zhengfa.org.models import Unit

from . import documents, services
from .forms import AgreementForm, CaseForm, ReferForm, SessionForm, mediating_units
from .models import Case, CaseState, Party, PartyRole

CASES = Case.objects.select_related("organisation", "dispute_type", "mediator")


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    qs = Case.objects.visible_to(request.user).select_related("organisation", "dispute_type")
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.open()
    elif state in CaseState.values:
        qs = qs.filter(state=state)
    page, query = paginate(request, qs.order_by("-created_at", "-pk"))
    return render(
        request,
        "mediation/case_list.html",
        {
            "page": page,
            "query": query,
            "states": CaseState.choices,
            "state": state,
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


def _case_page(request: HttpRequest, case: Case, **page: Any) -> HttpResponse:
    holds = _holds(request.user, case)
    # An organisation that held the case before reads its own part of the history.
    mine = {u.name for u in Unit.objects.granted_to(request.user, "mediation", "view")}
    change = holds and case.is_open and may(request.user, "change", case)
    return workflow_page(
        request,
        "mediation/case_detail.html",
        case,
        url_name="mediation:case_transition",
        timeline=None if holds else (lambda events: [e for e in events if e.unit_name in mine]),
        case=case,
        holds=holds,
        parties=Party.objects.filter(case=case) if holds else [],
        sessions=case.sessions.all() if holds else [],
        referral=services.pending_referral(case),
        can_change=change,
        can_answer=holds and case.state == CaseState.REFERRED,
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


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.session_record(case=case, by=request.user, **d),
            done=_("Session recorded."),
            to=case.get_absolute_url(),
            again=lambda f: form_page(request, f, title=_("Record a session"), status=400),
        )
    return form_page(request, form, title=_("Record a session"), back=case.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    form = AgreementForm(request.POST or None)
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.agreement_record(case=case, by=request.user, **d),
            done=_("Agreement recorded: the case is settled."),
            to=case.get_absolute_url(),
            again=lambda f: form_page(request, f, title=_("Record the agreement"), status=400),
        )
    return form_page(request, form, title=_("Record the agreement"), back=case.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def case_refer(request: HttpRequest, pk: int) -> HttpResponse:
    case = _held_case(request, pk)
    form = ReferForm(request.POST or None)
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.case_refer(
                case=case, to=d["to"], by=request.user, reason=d["reason"]
            ),
            done=_("Referred."),
            to=case.get_absolute_url(),
            again=lambda f: form_page(request, f, title=_("Refer the case"), status=400),
        )
    return form_page(request, form, title=_("Refer the case"), back=case.get_absolute_url())


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
    if not _holds(request.user, case) or not hasattr(case, "agreement"):
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
