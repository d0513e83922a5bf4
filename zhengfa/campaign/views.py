from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengfa.core import followup, ratelimit
from zhengfa.core.attachments import attachments_of, serve
from zhengfa.core.forms import add_service_errors
from zhengfa.core.generic import (
    form_page,
    form_post,
    is_id,
    paginate,
    transition_view,
    workflow_page,
)
from zhengfa.core.pagecache import public_page
from zhengfa.core.scope import can, get_scoped_or_404, may, subtree_q
from zhengfa.org.directory import county_asked
from zhengfa.org.models import Officer, Unit

from . import selectors, services
from .forms import (
    ExemplarForm,
    GroupMemberForm,
    SuggestionForm,
    TaskFilterForm,
    TaskForm,
    TransferForm,
)
from .models import Campaign, Exemplar, Suggestion, SuggestionState, Task


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
            "group": services.group_of(campaign),
            "may_change": may(request.user, "change", campaign),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_group(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's leading group (领导小组) and its office: add or remove a member."""
    campaign = get_scoped_or_404(
        Campaign.objects.select_related("unit"), request.user, "change", pk=pk
    )
    officers = (
        Officer.objects.filter(unit__path__startswith=campaign.unit.path, status="active")
        .select_related("user", "unit")
        .order_by("unit__path", "staff_number")
    )
    form = GroupMemberForm(request.POST or None, officers=officers)
    status = 200
    if request.method == "POST":
        if "remove" in request.POST:
            found = (
                campaign.group.filter(pk=request.POST["remove"]).first()
                if is_id(request.POST["remove"])
                else None
            )
            if found is not None:
                services.group_remove(member=found, by=request.user)
                messages.success(request, _("Removed."))
            return redirect("campaign:campaign_group", pk=campaign.pk)
        if form.is_valid():
            member = form.save(commit=False)
            member.campaign = campaign
            try:
                services.group_add(member=member, by=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("campaign:campaign_group", pk=campaign.pk)
        status = 400
    return render(
        request,
        "campaign/campaign_group.html",
        {"campaign": campaign, "group": services.group_of(campaign), "form": form},
        status=status,
    )


# --- Tasks ----------------------------------------------------------------------------------


def _task_units(user: Any) -> QuerySet[Unit]:
    """Units below those where the user may assign work."""
    return (
        Unit.objects.granted_to(user, "work", "assign", strictly_below=True)
        .filter(is_active=True)
        .order_by("path")
    )


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.visible_to(request.user).order_by("path")
    form = TaskFilterForm(request.GET or None, units=units)
    qs = Task.objects.visible_to(request.user).select_related("unit", "campaign", "owner")
    if form.is_valid():
        data = form.cleaned_data
        if data["work"] == "report":
            qs = selectors.tasks_to_report(request.user, qs)
        elif data["work"] == "check":
            qs = selectors.tasks_to_check(request.user, qs)
        if data["state"] == "open":
            qs = qs.open()
        elif data["state"]:
            qs = qs.filter(state=data["state"])
        if data["due"] == "overdue":
            qs = qs.overdue()
        elif data["due"] == "soon":
            qs = qs.due_within(3)
        if data["unit"]:
            qs = qs.within(data["unit"])
    elif form.is_bound:
        qs = qs.none()
    page, query = paginate(request, qs.order_by("due_at", "pk"))
    return render(
        request,
        "campaign/task_list.html",
        {
            "form": form,
            "page": page,
            "query": query,
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
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)d tasks assigned.") % {"n": len(tasks)})
            return redirect("campaign:task_list")
    return form_page(request, form, title=_("Assign a task"), submit=_("Assign"))


def _task_page(request: HttpRequest, task: Task, **page: Any) -> HttpResponse:
    return workflow_page(
        request,
        "campaign/task_detail.html",
        task,
        url_name="campaign:task_transition",
        task=task,
        **page,
    )


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_scoped_or_404(
        Task.objects.select_related("unit", "issued_by", "campaign", "phase", "owner"),
        request.user,
        pk=pk,
    )
    return _task_page(request, task)


task_transition = transition_view(
    Task.objects.select_related("unit", "issued_by", "campaign", "phase", "owner"),
    apply=services.task_transition,
    page=_task_page,
)


# --- Opinions: staff ---------------------------------------------------------------------


@login_required
@require_GET
def suggestion_list(request: HttpRequest) -> HttpResponse:
    qs = Suggestion.objects.visible_to(request.user).select_related("handler", "unit")
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.open()
    elif state in SuggestionState.values:
        qs = qs.filter(state=state)
    work = request.GET.get("work", "")
    if work == "answer":
        qs = selectors.opinions_to_answer(request.user, qs)
    if request.GET.get("due") == "overdue":
        qs = qs.overdue()
    unit = None
    if is_id(request.GET.get("unit", "")):
        unit = Unit.objects.visible_to(request.user).filter(pk=request.GET["unit"]).first()
        qs = qs.within(unit) if unit is not None else qs.none()
    page, query = paginate(request, qs)
    return render(
        request,
        "campaign/suggestion_list.html",
        {
            "page": page,
            "query": query,
            "state": state,
            "states": SuggestionState.choices,
            "work": work,
            "unit": unit,
            "overdue": request.GET.get("due") == "overdue",
        },
    )


def _suggestion_page(
    request: HttpRequest,
    suggestion: Suggestion,
    transfer_form: TransferForm | None = None,
    **page: Any,
) -> HttpResponse:
    can_transfer = suggestion.is_open and may(request.user, "change", suggestion)
    return workflow_page(
        request,
        "campaign/suggestion_detail.html",
        suggestion,
        url_name="campaign:suggestion_transition",
        s=suggestion,
        transfer_form=(transfer_form or TransferForm(at=suggestion.unit)) if can_transfer else None,
        can_reveal=may(request.user, "reveal", suggestion),
        files=attachments_of(suggestion).filter(event__isnull=True),
        reveal_url=reverse(
            "core:reveal_value", args=["campaign.suggestion", suggestion.pk, "phone"]
        ),
        name_reveal_url=reverse(
            "core:reveal_value", args=["campaign.suggestion", suggestion.pk, "name"]
        ),
        **page,
    )


@login_required
@require_GET
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _suggestion_page(request, get_scoped_or_404(Suggestion, request.user, pk=pk))


suggestion_transition = transition_view(
    Suggestion, apply=services.suggestion_transition, page=_suggestion_page
)


@login_required
@require_POST
def suggestion_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """转办: pass the opinion on to the unit it concerns; it then leaves this user's list
    unless his reach covers that unit too."""
    suggestion = get_scoped_or_404(Suggestion, request.user, pk=pk)
    form = TransferForm(request.POST, at=suggestion.unit)
    if form.is_valid():
        to = form.cleaned_data["unit"]
        try:
            services.suggestion_transfer(
                record=suggestion, to=to, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Transferred to %(unit)s.") % {"unit": to.name})
            if Suggestion.objects.visible_to(request.user).filter(pk=pk).exists():
                return redirect(suggestion.get_absolute_url())
            return redirect("campaign:suggestion_list")
    suggestion.refresh_from_db()
    return _suggestion_page(request, suggestion, transfer_form=form, status=400)


# --- Opinions: the public form --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@public_page
def suggestion_new(request: HttpRequest) -> HttpResponse:
    # On a province's site the citizen first says which county (or that he does not know).
    asked = county_asked(
        request.POST if request.method == "POST" else request.GET,
        first_visit=request.method == "GET",
    )
    county, several = asked.county, asked.several
    if asked.ask:
        return render(
            request,
            "org/county_choice.html",
            {"counties": asked.counties, "title": _("Give your opinion")},
        )
    refused = ratelimit.submissions_refused(request) if request.method == "POST" else ""
    if refused:
        context = {
            "form": SuggestionForm(county=county, several=several),
            "refused": refused,
            "county": county,
        }
        return render(request, "campaign/suggestion_new.html", context, status=429)
    form = SuggestionForm(
        *((request.POST, request.FILES) if request.method == "POST" else (None, None)),
        county=county,
        several=several,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _suggestion, code = services.suggestion_submit(
            topic=data["topic"],
            # "I don't know" within a chosen county: that county's committee routes it.
            unit=data["unit"] or county,
            officer_named=data["officer_named"],
            content=data["content"],
            name=data["name"],
            phone=data["phone"],
            files=data["attachments"],
        )
        texted_to = (
            followup.text_code(phone=data["phone"], code=code, what=_("Opinion received."))
            if data["phone"]
            else ""
        )
        response = redirect("campaign:suggestion_done")
        followup.remember_for_display(response, code, texted_to=texted_to)
        return response
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "county": county, "several": several}
    return render(request, "campaign/suggestion_new.html", context, status=status)


@require_GET
def suggestion_done(request: HttpRequest) -> HttpResponse:
    """The confirmation: the follow-up code, shown this once."""
    return followup.confirmation(request, _("Your opinion has been received."))


# --- Advanced models (弘扬英模精神) ------------------------------------------------------------


@require_GET
@public_page
def exemplars_public(request: HttpRequest) -> HttpResponse:
    """The county's models: the heroes the campaign studies and those of its own ranks."""
    asked = county_asked(request.GET, first_visit=True)
    title = _("Our models")
    if asked.ask:
        return render(
            request, "org/county_choice.html", {"counties": asked.counties, "title": title}
        )
    published = Exemplar.objects.filter(published=True).select_related("unit")
    if asked.county is not None:
        published = published.filter(unit__path__startswith=asked.county.path)
    shown = list(published)
    with_photo = services.with_portraits([e.pk for e in shown])
    return render(
        request,
        "campaign/exemplars_public.html",
        {
            "local": [e for e in shown if e.local],
            "heroes": [e for e in shown if not e.local],
            "with_photo": with_photo,
        },
    )


@require_GET
def exemplar_photo(request: HttpRequest, pk: int) -> FileResponse:
    exemplar = Exemplar.objects.filter(pk=pk, published=True).first() if is_id(str(pk)) else None
    found = services.portrait(exemplar) if exemplar else None
    if found is None:
        raise Http404
    return serve(found)


@login_required
@require_GET
def exemplar_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "work", "view"):
        raise PermissionDenied
    page, query = paginate(
        request,
        Exemplar.objects.visible_to(request.user)
        .select_related("unit")
        .order_by("local", "-awarded_on", "pk"),
    )
    return render(
        request,
        "campaign/exemplar_list.html",
        {"page": page, "query": query, "may_add": can(request.user, "work", "change")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemplar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    exemplar = get_scoped_or_404(Exemplar, request.user, "change", pk=pk) if pk else None
    units = Unit.objects.granted_to(request.user, "work", "change")
    if not units.exists():
        raise PermissionDenied
    every = Unit.objects.filter(subtree_q("", [u.path for u in units])).order_by("path")
    form = ExemplarForm(request.POST or None, request.FILES or None, instance=exemplar, units=every)
    title = _("Model figure or collective") if exemplar is None else str(exemplar)
    back = reverse("campaign:exemplar_list")
    if request.method == "POST":

        def save(d: dict[str, Any]) -> Any:
            photos = d["photo"]
            return services.exemplar_save(
                exemplar=form.save(commit=False),
                by=request.user,
                photo=photos[0] if photos else None,
            )

        return form_post(
            request,
            form,
            save,
            done=_("Saved."),
            to=back,
            again=lambda f: form_page(request, f, title=title, status=400),
        )
    return form_page(request, form, title=title, back=back)
