from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengfa.core import followup, submission
from zhengfa.core.attachments import attachments_of, serve
from zhengfa.core.forms import add_service_errors
from zhengfa.core.generic import (
    PER_PAGE,
    form_page,
    form_post,
    is_id,
    paginate,
    transition_view,
    workflow_page,
)
from zhengfa.core.pagecache import public_page
from zhengfa.core.scope import can, get_scoped_or_404, grant_for, may, subtree_q
from zhengfa.org.directory import county_asked
from zhengfa.org.models import Officer, Unit

from . import selectors, services
from .forms import (
    DataElementForm,
    DataEntryForm,
    DataPeriodForm,
    ExemplarForm,
    GroupMemberForm,
    SplitForm,
    SuggestionForm,
    TaskFilterForm,
    TaskForm,
    TransferForm,
)
from .models import (
    Campaign,
    DataElement,
    DataReport,
    DataReportState,
    Exemplar,
    PeriodType,
    Suggestion,
    SuggestionState,
    Task,
    TaskState,
    period_containing,
    period_label,
)


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
                lead=data["lead"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)d tasks assigned.") % {"n": len(tasks)})
            return redirect("campaign:task_list")
    return form_page(request, form, title=_("Assign a task"), submit=_("Assign"))


def _split_units(user: Any, task: Task) -> QuerySet[Unit] | None:
    """The units below the task's that `user` may share it out to, or None if he may not."""
    if not task.is_open or task.state == TaskState.REPORTED:
        return None
    if not grant_for(user, "work", "assign").covers(task.unit):
        return None
    units = (
        Unit.objects.within(task.unit)
        .filter(is_active=True)
        .exclude(pk=task.unit_id)
        .order_by("path")
    )
    return units if units.exists() else None


def _task_page(
    request: HttpRequest, task: Task, split: SplitForm | None = None, **page: Any
) -> HttpResponse:
    units = _split_units(request.user, task)
    if split is None and units is not None:
        split = SplitForm(units=units)
    parts = task.parts.select_related("unit").order_by("unit__path")
    return workflow_page(
        request,
        "campaign/task_detail.html",
        task,
        url_name="campaign:task_transition",
        task=task,
        parts=parts,
        split=split,
        **page,
    )


@login_required
@require_POST
def task_split(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_scoped_or_404(
        Task.objects.select_related("unit", "issued_by", "campaign", "phase", "owner", "item"),
        request.user,
        pk=pk,
    )
    units = _split_units(request.user, task)
    if units is None:
        raise PermissionDenied
    form = SplitForm(request.POST, units=units)
    if form.is_valid():
        try:
            parts = services.task_split(
                task=task,
                units=list(form.cleaned_data["units"]),
                due_at=form.due_at,
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Shared out to %(n)d units.") % {"n": len(parts)})
            return redirect(task.get_absolute_url())
    return _task_page(request, task, split=form, status=400)


@login_required
@require_GET
def campaign_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The work plan as a matrix: units down, the plan's tasks across, each cell the unit's
    task with its state (overdue in red) and, for a task shared out, how many parts are
    accepted; a cell opens the task and the reports behind it. Scoped like the task list."""
    campaign = get_scoped_or_404(Campaign.objects.select_related("unit"), request.user, pk=pk)
    plan = selectors.work_plan(request.user, campaign)
    return render(request, "campaign/campaign_plan.html", {"campaign": campaign, "plan": plan})


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_scoped_or_404(
        Task.objects.select_related(
            "unit", "issued_by", "campaign", "phase", "owner", "item", "item__lead", "parent"
        ),
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
    where: dict[str, Any] = {"county": county, "several": several}
    if request.method == "POST":
        early = submission.before_reading(
            request,
            done="campaign:suggestion_done",
            # What he wrote is shown again to send later (files cannot be).
            refused=lambda why: render(
                request,
                "campaign/suggestion_new.html",
                {
                    "form": SuggestionForm(initial=request.POST.dict(), **where),
                    "refused": why,
                    **where,
                },
                status=429,
            ),
        )
        if early is not None:
            return early
    form = SuggestionForm(
        *((request.POST, request.FILES) if request.method == "POST" else ()), **where
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sent = submission.submit(
            request,
            form,
            create=lambda key: services.suggestion_submit(
                topic=data["topic"],
                # "I don't know" within a chosen county: that county's committee routes it.
                unit=data["unit"] or county,
                officer_named=data["officer_named"],
                content=data["content"],
                name=data["name"],
                phone=data["phone"],
                files=data["attachments"],
                submission=key,
            ),
            done="campaign:suggestion_done",
            already=_("This opinion was already sent. Its follow-up code was shown after sending."),
            text=lambda code: (
                followup.text_code(phone=data["phone"], code=code, what=_("Opinion received."))
                if data["phone"]
                else ""
            ),
        )
        if sent is not None:
            return sent
    status = 400 if request.method == "POST" else 200
    return render(request, "campaign/suggestion_new.html", {"form": form, **where}, status=status)


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


# --- Figures reported per unit and period ----------------------------------------------------


@login_required
@require_GET
def data_home(request: HttpRequest) -> HttpResponse:
    """The period's figures reports of the person's units: who has submitted, on time, and
    the way to each unit's form."""
    if not can(request.user, "figures", "view"):
        raise PermissionDenied
    units = Unit.objects.granted_to(request.user, "figures", "view").order_by("path")
    today = timezone.localdate()
    form = DataPeriodForm(
        request.GET or {"period_type": PeriodType.MONTH, "day": today}, units=units
    )
    period_type, day = PeriodType.MONTH, today
    paths = grant_for(request.user, "figures", "view").paths
    if form.is_valid():
        period_type, day = form.cleaned_data["period_type"], form.cleaned_data["day"]
        if form.cleaned_data["unit"] is not None:
            paths = [form.cleaned_data["unit"].path]
    start, _end = period_containing(period_type, day)
    status = selectors.period_status(paths, period_type, start)
    return render(
        request,
        "campaign/data_home.html",
        {
            "form": form,
            "status": status,
            "period_type": period_type,
            "start": start,
            "period": period_label(period_type, start),
            "may_define": can(request.user, "figures", "admin"),
            "to_approve": selectors.reports_to_approve(request.user)[:PER_PAGE],
            "to_correct": selectors.reports_to_correct(request.user)[:PER_PAGE],
        },
        status=200 if form.is_valid() else 400,
    )


def _data_page(
    request: HttpRequest,
    unit: Unit,
    period_type: str,
    start: dt.date,
    report: DataReport | None,
    entry: DataEntryForm | None = None,
    form: Any = None,
    status: int = 200,
) -> HttpResponse:
    """The figures of a unit and period: the entry form while the unit may change them,
    else the values; the approval buttons (`form`: the buttons' form, sent back) and history."""
    if entry is None:
        initial = (
            {v.element.code: v.value for v in report.values.select_related("element")}
            if report
            else {}
        )
        entry = DataEntryForm(initial=initial, elements=services.elements_for(unit, period_type))
    editable = grant_for(request.user, "figures", "change").covers(unit) and (
        report is None or report.state in (DataReportState.DRAFT, DataReportState.RETURNED)
    )
    context: dict[str, Any] = {
        "unit": unit,
        "period": period_label(period_type, start),
        "report": report,
        "entry": entry,
        "editable": editable,
    }
    if report is None:
        return render(request, "campaign/data_entry.html", context, status=status)
    return workflow_page(
        request,
        "campaign/data_entry.html",
        report,
        url_name="campaign:data_transition",
        form=form,
        status=status,
        **context,
    )


@login_required
@require_http_methods(["GET", "POST"])
def data_entry(request: HttpRequest, pk: int, period_type: str, start: str) -> HttpResponse:
    """A unit's figures for one period: entered, kept as a draft or submitted; the unit above
    approves or returns them here."""
    the_unit = _figures_unit(request.user, pk)
    if period_type not in PeriodType.values:
        raise Http404
    try:
        day = dt.date.fromisoformat(start)
        first, _last = services.period_open(period_type, day)
    except (ValueError, ValidationError) as exc:
        raise Http404 from exc
    if not services.elements_for(the_unit, period_type):
        raise Http404
    report = DataReport.objects.filter(
        unit=the_unit, period_type=period_type, period_start=first
    ).first()
    if request.method == "POST":
        form = DataEntryForm(request.POST, elements=services.elements_for(the_unit, period_type))
        if form.is_valid():
            try:
                report = services.data_save(
                    unit=the_unit,
                    period_type=period_type,
                    period_start=first,
                    values=form.values(),
                    by=request.user,
                    submit="submit" in request.POST,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Submitted to the unit above.") if "submit" in request.POST else _("Saved."),
                )
                return redirect(report.get_absolute_url())
        return _data_page(request, the_unit, period_type, first, report, entry=form, status=400)
    return _data_page(request, the_unit, period_type, first, report)


def _figures_unit(user: Any, pk: int) -> Unit:
    unit = Unit.objects.granted_to(user, "figures", "view").filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


data_transition = transition_view(
    DataReport.objects.select_related("unit"),
    apply=services.data_transition,
    page=lambda request, report, **kw: _data_page(
        request, report.unit, report.period_type, report.period_start, report, **kw
    ),
)


@login_required
@require_GET
def data_elements(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "figures", "admin"):
        raise PermissionDenied
    return render(request, "campaign/data_elements.html", {"elements": DataElement.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def data_element_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The committee defines the figures units report (the code stays once values exist)."""
    if not can(request.user, "figures", "admin"):
        raise PermissionDenied
    element = get_object_or_404(DataElement, pk=pk) if pk is not None else None
    form = DataElementForm(request.POST or None, instance=element)
    if element is not None and element.values.exists():
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("campaign:data_elements")
    return form_page(
        request,
        form,
        title=_("A figure units report") if element is None else str(element),
        back=reverse("campaign:data_elements"),
    )
