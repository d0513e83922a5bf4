from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengfa.core import followup, ratelimit
from zhengfa.core.attachments import attachments_of, serve
from zhengfa.core.context_processors import LARGE_TYPE_COOKIE
from zhengfa.core.forms import add_service_errors
from zhengfa.core.net import is_own_path
from zhengfa.core.pagecache import public_page
from zhengfa.core.panels import render_panels
from zhengfa.core.registry import registry
from zhengfa.core.workflow import timeline_for

from .forms import QueryForm, RatingForm, SupplementForm


def _entries() -> list[dict[str, Any]]:
    out = []
    for entry in registry.public_entries:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        out.append({"label": entry.label, "description": entry.description, "url": url})
    return out


@require_GET
@public_page
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/home.html",
        {"entries": _entries(), "panels": render_panels(request, registry.public_panels)},
    )


@require_POST
def large_type(request: HttpRequest) -> HttpResponse:
    """Switch large type on or off; remembered in a cookie for a year (works without script)."""
    target = request.POST.get("next", "/")
    if not is_own_path(request, target):
        target = "/"
    response = redirect(target)
    on = request.POST.get("on") == "1"
    response.set_cookie(
        LARGE_TYPE_COOKIE,
        "1" if on else "0",
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
    )
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception as exc:
        database = f"error: {exc.__class__.__name__}"
    healthy = database == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "vendor": connection.vendor},
        status=200 if healthy else 503,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@public_page
def query(request: HttpRequest) -> HttpResponse:
    """查询进度: enter a follow-up code. Wrong and unknown codes answer alike."""
    form = QueryForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if followup.blocked(request):
            _limit, window = settings.FOLLOWUP_RATE_LIMIT
            form.errors.clear()
            form.add_error(
                None,
                _(
                    "Too many tries from this connection. Please wait %(m)d minutes "
                    "and try again, or ask at any service window."
                )
                % {"m": max(1, window // 60)},
            )
            status = 429
        elif form.is_valid():
            record = followup.find(form.cleaned_data["code"])
            if record is not None:
                followup.unlock(request, record)
                return redirect("portal:query_record")
            followup.failed_attempt(request)
            form.add_error(
                "code", _("No request matches this code. Check each character and try again.")
            )
        # An empty or malformed entry is no guess: only codes that match nothing count.
    return render(request, "portal/query.html", {"form": form}, status=status)


@never_cache
@require_GET
def query_record(request: HttpRequest) -> HttpResponse:
    record = followup.unlocked(request)
    if record is None:
        return redirect("portal:query")
    return _record_page(request, record, SupplementForm())


def _record_page(
    request: HttpRequest,
    record: Any,
    form: SupplementForm,
    status: int = 200,
    refused: str = "",
    rating_form: RatingForm | None = None,
    step_error: str = "",
) -> HttpResponse:
    """What the citizen sees: the answer first, then what he sent, then the history.

    The history names units, never staff accounts (``TimelineEvent.unit_name``).
    """
    view = followup.public_view(record)
    timeline = timeline_for(record, public_only=True)
    answers = [e for e in timeline if e.transition in view.answers and e.comment]
    # The files he sent with it (additions carry theirs in the history).
    own_files = attachments_of(record).filter(by_citizen=True, event__isnull=True)
    return render(
        request,
        "portal/query_record.html",
        {
            "title": view.title(record),
            "status": view.status(record),
            "details": view.details(record),
            "answer": answers[-1] if answers else None,
            "expected_by": view.expected_by(record),
            "submission": view.submission(record),
            "own_files": list(own_files.order_by("uploaded_at")),
            "is_open": view.is_open(record),
            "takes_additions": view.is_open(record) and view.supplement is not None,
            "timeline": timeline,
            "public_view": True,
            "form": form,
            "refused": refused,
            "rating_form": rating_form
            or (RatingForm() if view.rate is not None and view.may_rate(record) else None),
            "rating": view.rating(record),
            "steps": citizen_steps(record),
            "step_error": step_error,
        },
        status=status,
    )


def citizen_steps(record: Any) -> list[Any]:
    """The steps the citizen holding the code may take on the record now."""
    view = followup.public_view(record)
    if view.act is None or not hasattr(record, "workflow") or not view.may_act(record):
        return []
    return [t for t in record.workflow.available(record.state) if t.by_citizen]


@never_cache
@require_GET
def query_file(request: HttpRequest, pk: int) -> FileResponse:
    """A file the citizen himself sent with the record his code opened; anything else 404."""
    record = followup.unlocked(request)
    if record is None:
        raise Http404
    attachment = attachments_of(record).filter(pk=pk, by_citizen=True).first()
    if attachment is None:
        raise Http404
    return serve(attachment)


@never_cache
@require_POST
def query_close(request: HttpRequest) -> HttpResponse:
    """ "I am done": this browser forgets the record (a shared computer at a service window)."""
    followup.lock(request)
    messages.success(request, _("Closed. To look again, enter the code."))
    return redirect("portal:home")


@never_cache
@require_POST
def query_supplement(request: HttpRequest) -> HttpResponse:
    record = followup.unlocked(request)
    if record is None:
        return redirect("portal:query")
    view = followup.public_view(record)
    refused = ratelimit.submissions_refused(request)
    if refused:
        form = SupplementForm()
        return _record_page(request, record, form, status=429, refused=refused)
    form = SupplementForm(request.POST, request.FILES)
    if not (view.is_open(record) and view.supplement is not None):
        form.add_error(None, _("This request is closed and takes no more additions."))
        return _record_page(request, record, form, status=400)
    if not form.is_valid():
        return _record_page(request, record, form, status=400)
    view.supplement(record, form.cleaned_data["comment"], form.cleaned_data["attachments"])
    messages.success(request, _("Added. The staff handling your request will see it."))
    return redirect("portal:query_record")


@never_cache
@require_POST
def query_rate(request: HttpRequest) -> HttpResponse:
    """The citizen's rating of the result, once, after his request is closed."""
    record = followup.unlocked(request)
    if record is None:
        return redirect("portal:query")
    view = followup.public_view(record)
    form = RatingForm(request.POST)
    if view.rate is None or not view.may_rate(record):
        form.add_error(None, _("This request cannot be rated now."))
        return _record_page(request, record, SupplementForm(), status=400, rating_form=form)
    if not form.is_valid():
        return _record_page(request, record, SupplementForm(), status=400, rating_form=form)
    try:
        view.rate(record, form.cleaned_data["rating"], form.cleaned_data["comment"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _record_page(request, record, SupplementForm(), status=400, rating_form=form)
    messages.success(request, _("Thank you. Your rating has been recorded."))
    return redirect("portal:query_record")


@never_cache
@require_POST
def query_step(request: HttpRequest, name: str) -> HttpResponse:
    """A step the citizen takes himself (cancelling his booking), through the module."""
    record = followup.unlocked(request)
    if record is None:
        return redirect("portal:query")
    view = followup.public_view(record)
    step = next((t for t in citizen_steps(record) if t.name == name), None)
    if step is None or view.act is None:
        return _record_page(
            request, record, SupplementForm(), status=400, step_error=_("This cannot be done now.")
        )
    try:
        view.act(record, name)
    except ValidationError as exc:
        return _record_page(
            request, record, SupplementForm(), status=400, step_error=" ".join(exc.messages)
        )
    messages.success(request, _("Done: %(step)s.") % {"step": step.label})
    return redirect("portal:query_record")
