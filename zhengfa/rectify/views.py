from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengfa.campaign.models import Campaign
from zhengfa.core.forms import add_service_errors
from zhengfa.core.generic import (
    form_page,
    form_post,
    is_id,
    paginate,
    transition_view,
    workflow_page,
)
from zhengfa.core.responses import xlsx_response
from zhengfa.core.scope import can, get_scoped_or_404, grant_for, may
from zhengfa.org.models import Officer, Unit

from . import exports, selectors, services
from .forms import (
    OVERDUE,
    CategoryForm,
    DeadlineForm,
    DeclarationForm,
    FiveForm,
    InquiryForm,
    ItemForm,
    LedgerFilterForm,
    NoteForm,
    RoundForm,
)
from .models import AskerKind, Declaration, Inquiry, LedgerItem, ProblemCategory, Round, Source

ITEMS = LedgerItem.objects.select_related("category", "unit", "responsible", "officer__user")

# --- The ledger ----------------------------------------------------------------------------


def _filtered_items(request: HttpRequest) -> tuple[LedgerFilterForm, QuerySet[LedgerItem]]:
    units = Unit.objects.visible_to(request.user).order_by("path")
    form = LedgerFilterForm(request.GET or None, units=units)
    qs = LedgerItem.objects.visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            qs = qs.within(data["unit"])
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["source"]:
            qs = qs.filter(source=data["source"])
        if data["state"] == "open":
            qs = qs.open()
        elif data["state"]:
            qs = qs.filter(state=data["state"])
        if data["due"] == OVERDUE:
            qs = qs.overdue()
    elif form.is_bound:
        qs = qs.none()
    return form, qs.order_by("due_at", "pk")


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered_items(request)
    page, query = paginate(request, qs.select_related("category", "unit", "responsible"))
    return render(
        request,
        "rectify/ledger.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_add": can(request.user, "rectify", "assign"),
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def ledger_print(request: HttpRequest) -> HttpResponse:
    """The ledger as a page to print: every item the filters find, in the export's columns
    (at most PRINT_ROWS; more is for the .xlsx)."""
    _form, qs = _filtered_items(request)
    items = list(qs.select_related("category", "unit", "responsible")[: PRINT_ROWS + 1])
    progress = exports.latest_progress([i.pk for i in items[:PRINT_ROWS]])
    return render(
        request,
        "rectify/ledger_print.html",
        {
            "rows": [(i, progress.get(i.pk, "")) for i in items[:PRINT_ROWS]],
            "more": len(items) > PRINT_ROWS,
            "columns": exports.columns(),
            "today": timezone.localdate(),
        },
    )


PRINT_ROWS = 500


@login_required
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _filtered_items(request)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(
        exports.ledger_workbook(qs), _("Problem ledger %(date)s.xlsx") % {"date": stamp}
    )


def _assign_units(user: Any) -> QuerySet[Unit]:
    return (
        Unit.objects.granted_to(user, "rectify", "assign").filter(is_active=True).order_by("path")
    )


def _officers_for(user: Any) -> QuerySet[Officer]:
    return Officer.objects.visible_to(user)


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    units = _assign_units(request.user)
    if not units.exists():
        raise PermissionDenied
    form = ItemForm(
        request.POST if request.method == "POST" else None,
        units=units,
        officers=_officers_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_create(
                by=request.user, **(data | {"responsible": data["responsible"].user})
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Put on the ledger."))
            return redirect(item.get_absolute_url())
    return form_page(request, form, title=_("Put a problem on the ledger"), submit=_("Save"))


def _item_page(request: HttpRequest, item: LedgerItem, **page: Any) -> HttpResponse:
    change = item.is_open and may(request.user, "change", item)
    declaration = None
    if item.declaration_id is not None:
        declaration = (
            Declaration.objects.visible_to(request.user).filter(pk=item.declaration_id).first()
        )
    # Where it was found (a report from the public), linked for those who may see that record.
    origin = None
    if item.origin_type is not None:
        model = item.origin_type.model_class()
        manager = getattr(model, "_default_manager", None)
        if manager is not None and hasattr(manager, "visible_to"):
            origin = manager.visible_to(request.user).filter(pk=item.origin_id).first()
    return workflow_page(
        request,
        "rectify/item_detail.html",
        item,
        url_name="rectify:item_transition",
        item=item,
        can_set_five=services.may_set_five(request.user, item),
        can_move_deadline=services.may_move_deadline(request.user, item),
        declaration=declaration,
        origin=origin,
        note_form=page.pop("note_form", None) or (NoteForm(prefix="progress") if change else None),
        **page,
    )


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, get_scoped_or_404(ITEMS, request.user, pk=pk))


item_transition = transition_view(ITEMS, apply=services.item_transition, page=_item_page)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(ITEMS, request.user, "change", pk=pk)
    if not services.may_set_five(request.user, item):
        raise PermissionDenied
    form = FiveForm(
        request.POST if request.method == "POST" else None,
        initial={
            "problem": item.problem,
            "measures": item.measures,
            "standard": item.standard,
            "responsible": item.responsible.officer.staff_number
            if item.responsible and hasattr(item.responsible, "officer")
            else "",
        },
        officers=_officers_for(request.user),
        with_deadline=item.due_at is None,
        problem_fixed=item.source == Source.SELF,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.item_update(
                item=item,
                by=request.user,
                problem=data["problem"],
                measures=data["measures"],
                standard=data["standard"],
                responsible=data["responsible"].user,
                deadline=data.get("deadline"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(item.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("Problem, measures, deadline, responsible person, standard"),
        back=item.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(ITEMS, request.user, "change", pk=pk)
    if not services.may_move_deadline(request.user, item):
        raise PermissionDenied
    form = DeadlineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_deadline(
                item=item,
                by=request.user,
                deadline=form.cleaned_data["deadline"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Deadline moved."))
            return redirect(item.get_absolute_url())
    return form_page(request, form, title=_("Move the deadline"), back=item.get_absolute_url())


@login_required
@require_POST
def item_note(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_scoped_or_404(ITEMS, request.user, "change", pk=pk)
    return form_post(
        request,
        NoteForm(request.POST, request.FILES, prefix="progress"),
        lambda data: services.item_note(
            item=item,
            by=request.user,
            comment=data["comment"],
            files=data.get("attachments") or [],
        ),
        done=_("Progress recorded."),
        to=item.get_absolute_url(),
        again=lambda form: _item_page(request, item, note_form=form, status=400),
    )


# --- Self-inspection ---------------------------------------------------------------------------


def _round_units(user: Any) -> QuerySet[Unit]:
    return (
        Unit.objects.granted_to(user, "inspection", "change")
        .filter(is_active=True)
        .order_by("path")
    )


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    officer = selectors.serving_officer(request.user)
    rounds = Round.objects.visible_to(request.user).select_related("campaign", "unit")
    mine = []
    if officer is not None:
        for r in selectors.rounds_for(officer).select_related("campaign"):
            mine.append((r, services.current_declaration(r, officer)))
    return render(
        request,
        "rectify/round_list.html",
        {
            "rounds": rounds,
            "mine": mine,
            "can_open": _round_units(request.user).exists(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    units = _round_units(request.user)
    if not units.exists():
        raise PermissionDenied
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        campaigns=Campaign.objects.visible_to(request.user),
        units=units,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opened = services.round_open(
                by=request.user,
                campaign=data["campaign"],
                unit=data["unit"],
                title=data["title"],
                deadline=data["deadline"],
                units=list(data["units"]),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Self-inspection opened."))
            return redirect(opened.get_absolute_url())
    return form_page(request, form, title=_("Open a self-inspection round"), submit=_("Open"))


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_scoped_or_404(
        Round.objects.select_related("campaign", "unit"), request.user, pk=pk
    )
    under = None
    if is_id(request.GET.get("unit", "")):
        under = get_object_or_404(Unit.objects.visible_to(request.user), pk=request.GET["unit"])
    rows = selectors.completion(round_, request.user, under)
    people: list[tuple[Officer, bool, int | None]] = []
    if under is not None and grant_for(request.user, "inspection", "assign").covers(under):
        officers = (
            selectors.covered_officers(round_)
            .filter(unit=under)
            .select_related("user")
            .order_by("staff_number")
        )
        submitted = Declaration.objects.filter(
            round=round_, officer__in=officers, submitted_at__isnull=False
        )
        done = set(submitted.values_list("officer_id", flat=True))
        # Who may read the forms gets a link to each officer's latest one.
        readable = dict(
            Declaration.objects.visible_to(request.user)
            .filter(pk__in=submitted.values("pk"))
            .order_by("officer_id", "version")
            .values_list("officer_id", "pk")
        )
        people = [(o, o.pk in done, readable.get(o.pk)) for o in officers]
    officer = selectors.serving_officer(request.user)
    return render(
        request,
        "rectify/round_detail.html",
        {
            "round": round_,
            "rows": rows,
            "expected": sum(r.expected for r in rows),
            "submitted": sum(r.submitted for r in rows),
            "under": under,
            "people": people,
            "covers_me": officer is not None and services.round_covers(round_, officer),
        },
    )


def _my_round(request: HttpRequest, pk: int) -> tuple[Round, Officer]:
    officer = selectors.serving_officer(request.user)
    if officer is None:
        raise Http404
    round_ = get_object_or_404(selectors.rounds_for(officer), pk=pk)
    return round_, officer


@login_required
@require_http_methods(["GET", "POST"])
def declaration_mine(request: HttpRequest, pk: int) -> HttpResponse:
    """His own form in a round: fill in, save, submit; after submitting, read it."""
    round_, officer = _my_round(request, pk)
    current = services.current_declaration(round_, officer)
    if current is not None and current.is_submitted and request.method == "GET":
        return redirect(current.get_absolute_url())
    texts = {i.category_id: i.description for i in current.items.all()} if current else {}
    form = DeclarationForm(
        request.POST if request.method == "POST" else None,
        categories=ProblemCategory.objects.filter(is_active=True),
        initial_text=texts,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                saved = services.declaration_save(
                    round_=round_,
                    officer=officer,
                    entries=form.entries(),
                    submit=submit,
                    by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if submit:
                    messages.success(request, _("Submitted. Thank you."))
                    return redirect(saved.get_absolute_url())
                messages.success(request, _("Saved. You can change it until you submit."))
                return redirect("rectify:declaration_mine", pk=round_.pk)
    return render(
        request,
        "rectify/declaration_form.html",
        {"round": round_, "form": form, "declaration": current},
        status=status,
    )


@login_required
@require_POST
def declaration_amend(request: HttpRequest, pk: int) -> HttpResponse:
    round_, officer = _my_round(request, pk)
    try:
        services.declaration_amend(round_=round_, officer=officer, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("rectify:declaration_mine", pk=round_.pk)


@login_required
@require_GET
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    forms = Declaration.objects.select_related("round", "officer__user", "unit")
    mine = forms.filter(officer__user=cast(Any, request.user))
    # A form not yet submitted is its writer's alone: he may still change or withdraw it.
    readable = mine | forms.filter(submitted_at__isnull=False)
    declaration = get_scoped_or_404(readable, request.user, pk=pk)
    versions = readable.filter(round=declaration.round, officer=declaration.officer).order_by(
        "-version"
    )
    return render(
        request,
        "rectify/declaration_detail.html",
        {
            "declaration": declaration,
            "items": declaration.items.select_related("category"),
            "versions": versions,
            "mine": declaration.officer.user_id == request.user.pk,
            "ledger": LedgerItem.objects.visible_to(request.user).filter(declaration=declaration),
        },
    )


# --- The "three rules" register --------------------------------------------------------------


@login_required
@require_GET
def inquiry_list(request: HttpRequest) -> HttpResponse:
    qs = Inquiry.objects.visible_to(request.user).select_related("officer__user", "unit")
    page, query = paginate(request, qs)
    return render(
        request,
        "rectify/inquiry_list.html",
        {
            "page": page,
            "query": query,
            "by_unit": selectors.inquiries_by_branch(qs, request.user),
            "kinds": AskerKind.choices,
            "can_record": selectors.serving_officer(request.user) is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_create(request: HttpRequest) -> HttpResponse:
    officer = selectors.serving_officer(request.user)
    if officer is None:
        raise PermissionDenied
    form = InquiryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = services.inquiry_record(officer=officer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded."))
            return redirect(inquiry.get_absolute_url())
    return form_page(
        request,
        form,
        title=_("Record an inquiry into a case"),
        hint=_(
            "Every inquiry into or interference with a case is recorded (逢问必录). Only you, "
            "supervision staff and the committee read it."
        ),
    )


@login_required
@require_GET
def inquiry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = get_scoped_or_404(
        Inquiry.objects.select_related("officer__user", "unit"), request.user, pk=pk
    )
    return render(request, "rectify/inquiry_detail.html", {"inquiry": inquiry})


# --- Problem categories ----------------------------------------------------------------------


@login_required
@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "rectify", "view"):
        raise PermissionDenied
    return render(
        request,
        "rectify/category_list.html",
        {
            "categories": ProblemCategory.objects.all(),
            "can_keep": services.may_keep_categories(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not services.may_keep_categories(request.user):
        raise PermissionDenied
    category = get_object_or_404(ProblemCategory, pk=pk) if pk is not None else None
    form = CategoryForm(request.POST if request.method == "POST" else None, instance=category)
    if category is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.category_save(
                by=request.user,
                category=category,
                code=data["code"],
                name=data["name"],
                order=data["order"],
                is_active=data["is_active"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("rectify:category_list")
    title = _("Edit a problem category") if category else _("Add a problem category")
    return form_page(request, form, title=title, back=reverse("rectify:category_list"))
