from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengfa.core import followup
from zhengfa.core.forms import add_service_errors
from zhengfa.core.scope import get_scoped_or_404
from zhengfa.core.workflow import allowed_transitions, timeline_for
from zhengfa.org.models import Unit
from zhengfa.org.selectors import units_where

from . import services
from .forms import SuggestionForm, TaskFilterForm, TaskForm, TransitionForm
from .models import Campaign, Suggestion, SuggestionState, Task
from .selectors import current_campaign


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.visible_to(request.user).select_related("unit")
    return render(request, "campaign/campaign_list.html", {"campaigns": campaigns})


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_scoped_or_404(Campaign.objects.select_related("unit"), request.user, pk=pk)
    return render(
        request,
        "campaign/campaign_detail.html",
        {
            "campaign": campaign,
            "phases": campaign.phases.all(),
            "current": campaign.current_phase(),
            "today": timezone.localdate(),
        },
    )


# --- Tasks ----------------------------------------------------------------------------------


def _task_units(user: Any) -> QuerySet[Unit]:
    """Units below those where the user may assign work."""
    return units_where(user, "work", "assign", below_only=True)


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.visible_to(request.user).order_by("path")
    form = TaskFilterForm(request.GET or None, units=units)
    qs = Task.objects.visible_to(request.user).select_related("unit", "campaign", "owner")
    if form.is_valid():
        data = form.cleaned_data
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data["due"] == "overdue":
            qs = qs.overdue()
        elif data["due"] == "soon":
            qs = qs.due_within(3)
        if data["unit"]:
            qs = qs.filter(unit__path__startswith=data["unit"].path)
    elif form.is_bound:
        qs = qs.none()
    page = Paginator(qs.order_by("due_at", "pk"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "campaign/task_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_assign": _task_units(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    units = _task_units(request.user)
    if not units.exists():
        raise PermissionDenied
    campaigns = Campaign.objects.visible_to(request.user)
    form = TaskForm(
        request.POST if request.method == "POST" else None, campaigns=campaigns, units=units
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tasks = services.task_assign(
                campaign=data["campaign"],
                phase=data["phase"],
                title=data["title"],
                description=data["description"],
                units=list(data["units"]),
                due_at=form.due_at,
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(n)d tasks assigned.") % {"n": len(tasks)})
            return redirect("campaign:task_list")
    return render(request, "campaign/task_form.html", {"form": form})


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_scoped_or_404(
        Task.objects.select_related("unit", "issued_by", "campaign", "phase", "owner"),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "campaign/task_detail.html",
        {
            "task": task,
            "timeline": timeline_for(task),
            "transitions": allowed_transitions(task, request.user),
            "form": TransitionForm(),
        },
    )


@login_required
@require_POST
def task_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    task = get_scoped_or_404(Task.objects.select_related("issued_by"), request.user, pk=pk)
    form = TransitionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.task_transition(
                task=task,
                name=name,
                by=request.user,
                comment=form.cleaned_data["comment"],
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Done."))
            return redirect("campaign:task_detail", pk=task.pk)
    task.refresh_from_db()
    return render(
        request,
        "campaign/task_detail.html",
        {
            "task": task,
            "timeline": timeline_for(task),
            "transitions": allowed_transitions(task, request.user),
            "form": form,
            "failed": name,
        },
        status=400,
    )


# --- Opinions: staff ---------------------------------------------------------------------


@login_required
@require_GET
def suggestion_list(request: HttpRequest) -> HttpResponse:
    qs = Suggestion.objects.visible_to(request.user).select_related("handler")
    state = request.GET.get("state", "")
    if state in dict(SuggestionState.choices):
        qs = qs.filter(state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "campaign/suggestion_list.html",
        {
            "page": page,
            "query": f"state={state}" if state else "",
            "state": state,
            "states": SuggestionState.choices,
        },
    )


@login_required
@require_GET
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_scoped_or_404(Suggestion, request.user, pk=pk)
    return _suggestion_page(request, suggestion, TransitionForm())


def _suggestion_page(
    request: HttpRequest, suggestion: Suggestion, form: Any, status: int = 200
) -> HttpResponse:
    from zhengfa.core.attachments import attachments_of

    return render(
        request,
        "campaign/suggestion_detail.html",
        {
            "s": suggestion,
            "timeline": timeline_for(suggestion),
            "transitions": allowed_transitions(suggestion, request.user),
            "form": form,
            "files": attachments_of(suggestion).filter(event__isnull=True),
            "reveal_url": reverse(
                "core:reveal_value", args=["campaign.suggestion", suggestion.pk, "phone"]
            ),
            "name_reveal_url": reverse(
                "core:reveal_value", args=["campaign.suggestion", suggestion.pk, "name"]
            ),
        },
        status=status,
    )


@login_required
@require_POST
def suggestion_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    suggestion = get_scoped_or_404(Suggestion, request.user, pk=pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.suggestion_transition(
                suggestion=suggestion,
                name=name,
                by=request.user,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Done."))
            return redirect("campaign:suggestion_detail", pk=suggestion.pk)
    suggestion.refresh_from_db()
    return _suggestion_page(request, suggestion, form, status=400)


# --- Opinions: the public form --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def suggestion_new(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign()
    if campaign is None:
        raise Http404
    form = SuggestionForm(
        *((request.POST, request.FILES) if request.method == "POST" else (None, None))
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _suggestion, code = services.suggestion_submit(
            campaign=campaign,
            topic=data["topic"],
            content=data["content"],
            name=data["name"],
            phone=data["phone"],
            files=data["attachments"],
        )
        response = redirect("campaign:suggestion_done")
        followup.remember_for_display(response, code)
        return response
    return render(request, "campaign/suggestion_new.html", {"form": form, "campaign": campaign})


@require_GET
def suggestion_done(request: HttpRequest) -> HttpResponse:
    """The confirmation: the follow-up code, shown this once, with a copy button and a QR code."""
    code = followup.code_to_display(request)
    if code is None:
        return redirect("portal:query")
    page = render(
        request,
        "core/followup_code.html",
        {**followup.display_context(request, code), "what": _("Your opinion has been received.")},
    )
    followup.displayed(request, page)
    return page
