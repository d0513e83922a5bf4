from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengfa.campaign.models import Suggestion
from zhengfa.core import challenge, followup, ratelimit, submission
from zhengfa.core.attachments import attachments_of
from zhengfa.core.forms import add_service_errors
from zhengfa.core.generic import (
    form_page,
    form_post,
    paginate,
    transition_view,
    workflow_page,
)
from zhengfa.core.pagecache import public_page
from zhengfa.core.scope import can, get_scoped_or_404, may
from zhengfa.core.workflow import timeline_for, transition_panel
from zhengfa.org.directory import county_asked
from zhengfa.org.models import Officer, OfficerStatus, Unit

from . import selectors, services
from .forms import (
    AssignForm,
    ConcludeForm,
    ConferenceForm,
    FeedbackForm,
    FromOpinionForm,
    MergeForm,
    QuestionForm,
    ReportFilterForm,
    ReportForm,
    VerificationForm,
)
from .models import Conference, Question, QuestionState, Report, ReportState

REPORTS = Report.objects.select_related(
    "unit", "about_unit", "about_officer__user", "verifier_unit"
)

# --- The citizen's side ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@public_page
def report_new(request: HttpRequest) -> HttpResponse:
    """举报投诉: the report form, for a phone. The same form sent twice makes one report and
    shows the same code."""
    # On a province's site the citizen first says which county (or that he does not know).
    asked = county_asked(
        request.POST if request.method == "POST" else request.GET,
        first_visit=request.method == "GET",
    )
    if asked.ask:
        return render(
            request,
            "org/county_choice.html",
            {"counties": asked.counties, "title": _("Report or complain about an officer")},
        )
    where: dict[str, Any] = {"county": asked.county, "several": asked.several}
    if request.method == "POST":
        early = submission.before_reading(
            request,
            done="supervision:report_done",
            # What he wrote is shown again to send later (files cannot be).
            refused=lambda why: render(
                request,
                "supervision/report_new.html",
                {"form": ReportForm(initial=request.POST.dict(), **where), "refused": why, **where},
                status=429,
            ),
        )
        if early is not None:
            return early
    form = ReportForm(*((request.POST, request.FILES) if request.method == "POST" else ()), **where)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sent = submission.submit(
            request,
            form,
            create=lambda key: services.report_submit(
                kind=data["kind"],
                category=data["category"],
                story=data["story"],
                about_unit=data["unit"],
                # "Not sure" within a chosen county: that county's committee holds it.
                county=asked.county,
                officer_named=data["officer_named"],
                happened_on=data["happened_on"],
                place=data["place"],
                real_name=data["identity"] == "real",
                name=data["name"],
                phone=data["phone"],
                id_number=data["id_number"],
                files=data["attachments"],
                submission=key,
            ),
            done="supervision:report_done",
            already=_("This report was already sent. Its follow-up code was shown after sending."),
            # A real-name reporter gets the code by text too (he gave the number for that).
            text=lambda code: (
                followup.text_code(phone=data["phone"], code=code, what=_("Report received."))
                if data["identity"] == "real" and data["phone"]
                else ""
            ),
        )
        if sent is not None:
            return sent
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/report_new.html", {"form": form, **where}, status=status)


@require_GET
def report_done(request: HttpRequest) -> HttpResponse:
    return followup.confirmation(request, _("Your report has been received."))


@require_GET
def conference_public_list(request: HttpRequest) -> HttpResponse:
    conferences = Conference.objects.filter(published=True).select_related("unit")[:50]
    return render(request, "supervision/conference_public_list.html", {"conferences": conferences})


@require_http_methods(["GET", "POST"])
def conference_public(request: HttpRequest, pk: int) -> HttpResponse:
    conference = Conference.objects.filter(pk=pk, published=True).first()
    if conference is None:
        raise Http404
    form: QuestionForm | None = None
    status = 200
    if conference.questions_open:
        if request.method == "POST":
            earlier = challenge.code_sent_for(request)
            if earlier:  # sent twice: it is in already, and here is its code again
                return _question_code_page(earlier)
            if earlier is not None:
                messages.success(request, _("Thank you. Your question has been received."))
                return redirect(reverse("supervision:conference_public", args=[pk]))
            refused = ratelimit.submissions_refused(request)
            if refused:
                messages.error(request, refused)
                return redirect(reverse("supervision:conference_public", args=[pk]))
            form = QuestionForm(request.POST)
            if form.is_valid():
                try:
                    with transaction.atomic():
                        _question, code = services.question_submit(
                            conference=conference,
                            text=form.cleaned_data["text"],
                            signed=form.cleaned_data["signed"],
                            want_code=form.cleaned_data["want_code"],
                            submission=challenge.submission_key(form),
                        )
                        # A code is kept before the commit (see core.submission); "no code"
                        # after it, as nothing then tells a rolled-back question apart.
                        if code:
                            challenge.remember_code(form, code)
                except challenge.DuplicateSubmission:
                    # The same form again: in already; its code if it had one.
                    code = challenge.code_sent_for(request, wait=3.0) or ""
                except ValidationError as exc:
                    add_service_errors(form, exc)
                    code = None
                else:
                    if not code:
                        challenge.remember_code(form, "")
                if code:
                    return _question_code_page(code)
                if code is not None:
                    messages.success(request, _("Thank you. Your question has been received."))
                    return redirect(reverse("supervision:conference_public", args=[pk]))
            status = 400
        else:
            form = QuestionForm()
    elif request.method == "POST":
        messages.info(request, _("This conference takes no more questions."))
        return redirect(reverse("supervision:conference_public", args=[pk]))
    return render(
        request,
        "supervision/conference_public.html",
        {
            "conference": conference,
            "answered": services.answered_questions(conference),
            "form": form,
        },
        status=status,
    )


def _question_code_page(code: str) -> HttpResponse:
    response = redirect("supervision:question_done")
    followup.remember_for_display(response, code)
    return response


@require_GET
def question_done(request: HttpRequest) -> HttpResponse:
    return followup.confirmation(request, _("Your question has been received."))


# --- Staff: reports ---------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[ReportFilterForm, QuerySet[Report]]:
    form = ReportFilterForm(request.GET or None, supervisor=_is_supervisor(request.user))
    qs = Report.objects.visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["state"] == "open":
            qs = qs.open()
        elif data["state"]:
            qs = qs.filter(state=data["state"])
        if data["kind"]:
            qs = qs.filter(kind=data["kind"])
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data.get("name"):
            qs = qs.filter(real_name=data["name"] == "real")
        if data["due"] == "overdue":
            qs = qs.overdue()
        elif data["due"] == "uncontacted":
            qs = selectors.uncontacted(qs)
    elif form.is_bound:
        qs = qs.none()
    return form, qs.order_by("-created_at", "-pk")


def _is_supervisor(user: Any) -> bool:
    return can(user, "supervision", "change")


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page, query = paginate(request, qs.select_related("about_unit", "verifier_unit"))
    return render(
        request,
        "supervision/report_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "supervisor": _is_supervisor(request.user),
            "now": timezone.now(),
        },
    )


def _county_officers(report: Report) -> QuerySet[Officer]:
    return Officer.objects.filter(
        unit__path__startswith=report.unit.path, status=OfficerStatus.ACTIVE
    ).select_related("user")


def _assign_form(report: Report, data: Any = None) -> AssignForm:
    return AssignForm(
        data,
        at=report.unit,
        officers=_county_officers(report),
        days=services.default_verification_days(),
        prefix="assign",
    )


def _conclude_form(report: Report, data: Any = None) -> ConcludeForm:
    return ConcludeForm(data, officers=_county_officers(report), prefix="conclude")


def _report_page(request: HttpRequest, report: Report, **page: Any) -> HttpResponse:
    user = request.user
    supervisor = may(user, "change", report)
    alike = selectors.same_matter(report, user) if supervisor else []
    items: list[Any] = []
    try:
        from zhengfa.rectify.models import LedgerItem
        from zhengfa.rectify.services import items_from
    except ImportError:  # pragma: no cover - the ledger module is not installed
        pass
    else:
        items = list(
            LedgerItem.objects.visible_to(user).filter(pk__in=items_from(report).values("pk"))
        )
    state = report.state
    return workflow_page(
        request,
        "supervision/report_detail.html",
        report,
        url_name="supervision:report_transition",
        timeline=None if supervisor else _facts_only,
        report=report,
        supervisor=supervisor,
        may_reveal=may(user, "reveal", report),
        files=attachments_of(report).filter(by_citizen=True, event__isnull=True),
        alike=alike,
        items=items,
        assign_form=page.pop("assign_form", None)
        or (
            _assign_form(report)
            if supervisor and state in {ReportState.ACCEPTED, ReportState.VERIFYING}
            else None
        ),
        conclude_form=page.pop("conclude_form", None)
        or (
            _conclude_form(report)
            if supervisor and state in {ReportState.ACCEPTED, ReportState.VERIFYING}
            else None
        ),
        feedback_form=page.pop("feedback_form", None)
        or (
            FeedbackForm(prefix="feedback")
            if supervisor and state == ReportState.CONCLUDED and report.real_name
            else None
        ),
        merge_form=page.pop("merge_form", None)
        or (
            MergeForm(candidates=targets, prefix="merge")
            if supervisor and (targets := selectors.merge_targets(report, alike))
            else None
        ),
        note_form=page.pop("note_form", None)
        or (
            VerificationForm(prefix="note")
            if report.is_open and (supervisor or services.may_verify(user, report))
            else None
        ),
        **page,
    )


# What the verifying unit reads of a report's history: its own part, never the steps that
# speak of the reporter (feedback to him, his additions, his rating).
VERIFIER_SEES = {"assign", "verification"}


def _facts_only(events: list[Any]) -> list[Any]:
    return [e for e in events if e.transition in VERIFIER_SEES]


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, get_scoped_or_404(REPORTS, request.user, pk=pk))


report_transition = transition_view(REPORTS, apply=services.report_transition, page=_report_page)


def _report_form_post(
    request: HttpRequest,
    pk: int,
    form_name: str,
    make: Any,
    apply: Any,
    done: str,
    action: str = "change",
) -> HttpResponse:
    """The POST of one of a report's own forms: valid, the service runs; else the page again
    with the form and its errors (400)."""
    report = get_scoped_or_404(REPORTS, request.user, action, pk=pk)

    def again(form: Any) -> HttpResponse:
        report.refresh_from_db()
        return _report_page(request, report, status=400, **{form_name: form})

    return form_post(
        request,
        make(report),
        lambda data: apply(report, data),
        done=done,
        to=report.get_absolute_url(),
        again=again,
    )


@login_required
@require_POST
def report_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_form_post(
        request,
        pk,
        "assign_form",
        lambda r: _assign_form(r, request.POST),
        lambda r, d: services.report_assign(
            report=r,
            by=request.user,
            unit=d["unit"],
            method=d["method"],
            deadline=d["deadline"],
            comment=d["comment"],
            officer=d["officer"],
        ),
        _("Sent for verification."),
        action="assign",
    )


@login_required
@require_POST
def report_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_form_post(
        request,
        pk,
        "conclude_form",
        lambda r: _conclude_form(r, request.POST),
        lambda r, d: services.report_conclude(
            report=r,
            by=request.user,
            conclusion=d["conclusion"],
            finding=d["finding"],
            reply=d["reply"],
            method=d["method"],
            officer=d["officer"],
        ),
        _("Concluded."),
    )


@login_required
@require_POST
def report_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_form_post(
        request,
        pk,
        "feedback_form",
        lambda r: FeedbackForm(request.POST, prefix="feedback"),
        lambda r, d: services.report_feedback(
            report=r, by=request.user, method=d["method"], note=d["note"]
        ),
        _("Feedback recorded; the report is closed."),
    )


@login_required
@require_POST
def report_merge(request: HttpRequest, pk: int) -> HttpResponse:
    def make(report: Report) -> MergeForm:
        alike = selectors.same_matter(report, request.user)
        return MergeForm(
            request.POST, candidates=selectors.merge_targets(report, alike), prefix="merge"
        )

    return _report_form_post(
        request,
        pk,
        "merge_form",
        make,
        lambda r, d: services.report_merge(
            report=r, into=d["into"], by=request.user, reason=d["reason"]
        ),
        _("It is handled with the same matter now."),
    )


@login_required
@require_POST
def report_note(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_scoped_or_404(REPORTS, request.user, pk=pk)
    if not (may(request.user, "change", report) or services.may_verify(request.user, report)):
        raise PermissionDenied
    return form_post(
        request,
        VerificationForm(request.POST, request.FILES, prefix="note"),
        lambda data: services.verification_note(
            report=report,
            by=request.user,
            comment=data["comment"],
            files=data.get("attachments") or [],
        ),
        done=_("Recorded."),
        to=report.get_absolute_url(),
        again=lambda form: _report_page(request, report, note_form=form, status=400),
    )


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    if not selectors.may_see_figures(request.user):
        raise PermissionDenied
    return render(
        request,
        "supervision/figures.html",
        {
            "figures": selectors.figures(
                selectors.figures_scope(request.user), selectors.figures_paths(request.user)
            )
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def from_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn an opinion that alleges misconduct into a report (its holder's staff)."""
    opinion = get_scoped_or_404(Suggestion.objects.all(), request.user, "change", pk=pk)
    if not opinion.is_open:
        raise PermissionDenied
    form = FromOpinionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_from_opinion(
                opinion=opinion,
                by=request.user,
                kind=form.cleaned_data["kind"],
                category=form.cleaned_data["category"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Passed to supervision staff. The citizen's code now shows the report."),
            )
            return redirect(opinion.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("Pass to supervision as a report of misconduct"),
        hint=_(
            "Supervision staff will hold it from now on; you will no longer see it, and the "
            "citizen's name and phone leave the opinion."
        ),
        submit=_("Pass on"),
        back=opinion.get_absolute_url(),
    )


# --- Staff: press conferences -------------------------------------------------------------------


def _press_units(user: Any) -> QuerySet[Unit]:
    return Unit.objects.granted_to(user, "press", "change").filter(is_active=True).order_by("path")


@login_required
@require_GET
def conference_list(request: HttpRequest) -> HttpResponse:
    qs = Conference.objects.visible_to(request.user).select_related("unit")
    page, query = paginate(request, qs)
    return render(
        request,
        "supervision/conference_list.html",
        {"page": page, "query": query, "can_add": can(request.user, "press", "change")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def conference_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    conference = (
        get_scoped_or_404(Conference.objects.all(), request.user, "change", pk=pk)
        if pk is not None
        else None
    )
    units = _press_units(request.user)
    unit = conference.unit if conference else units.first()
    if unit is None:
        raise PermissionDenied
    initial = (
        {
            name: getattr(conference, name)
            for name in ("topic", "held_on", "place", "speakers", "summary")
        }
        | {"questions_open": conference.questions_open, "published": conference.published}
        if conference
        else {"questions_open": True}
    )
    form = ConferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.conference_save(
                by=request.user, unit=unit, conference=conference, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(saved.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("Press conference"),
        back=conference.get_absolute_url()
        if conference
        else reverse("supervision:conference_list"),
    )


@login_required
@require_GET
def conference_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conference = get_scoped_or_404(Conference.objects.select_related("unit"), request.user, pk=pk)
    return _conference_page(request, conference)


def _conference_page(
    request: HttpRequest, conference: Conference, status: int = 200, **forms: Any
) -> HttpResponse:
    questions = list(conference.questions.order_by("created_at", "pk"))
    rows = [
        {
            "question": q,
            "panel": transition_panel(
                q,
                request.user,
                url_name="supervision:question_transition",
                form=forms.get(f"q{q.pk}"),
            ),
            "timeline": timeline_for(q) if q.state != QuestionState.SUBMITTED else [],
        }
        for q in questions
    ]
    return render(
        request,
        "supervision/conference_detail.html",
        {
            "conference": conference,
            "rows": rows,
            "can_change": may(request.user, "change", conference),
        },
        status=status,
    )


def _question_page(
    request: HttpRequest, question: Question, form: Any = None, status: int = 200
) -> HttpResponse:
    return _conference_page(
        request, question.conference, status=status, **{f"q{question.pk}": form}
    )


question_transition = transition_view(
    Question.objects.select_related("conference"),
    apply=services.question_transition,
    page=_question_page,
)
