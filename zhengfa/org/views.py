from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhengfa.core.scope import can, get_scoped_or_404

from . import roster, services
from .forms import OfficerFilterForm, OfficerForm, RosterUploadForm
from .models import Officer, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def unit_tree(request: HttpRequest) -> HttpResponse:
    units = list(
        Unit.objects.visible_to(request.user)
        .annotate(officer_count=Count("officers", filter=Q(officers__status="active")))
        .order_by("path")
    )
    if not units:
        raise Http404
    top = min(u.depth for u in units)
    for u in units:
        u.indent = u.depth - top  # type: ignore[attr-defined]
    return render(request, "org/unit_tree.html", {"units": units})


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_scoped_or_404(Unit, request.user, "view", pk=pk)
    officers = Officer.objects.visible_to(request.user).filter(unit=unit).select_related("user")
    children = Unit.objects.visible_to(request.user).filter(parent=unit).order_by("path")
    ancestors = (
        Unit.objects.visible_to(request.user)
        .filter(pk__in=[int(p) for p in unit.path.split(".") if p][:-1])
        .order_by("path")
    )
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "officers": officers,
            "children": children,
            "ancestors": ancestors,
            "areas": unit.areas.order_by("code")[:50],
            "area_count": unit.areas.count(),
            "can_change": Unit.objects.visible_to(request.user, "change")
            .filter(pk=unit.pk)
            .exists(),
        },
    )


def _filtered_officers(request: HttpRequest) -> tuple[OfficerFilterForm, QuerySet[Officer]]:
    units = Unit.objects.visible_to(request.user).order_by("path")
    form = OfficerFilterForm(request.GET or None, units=units)
    qs = Officer.objects.visible_to(request.user).select_related("user", "unit")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = qs.filter(
                Q(user__name__icontains=data["q"])
                | Q(staff_number__icontains=data["q"])
                | Q(position__icontains=data["q"])
            )
        if data["unit"]:
            qs = qs.filter(unit__path__startswith=data["unit"].path)
        if data["auxiliary"]:
            qs = qs.filter(is_auxiliary=data["auxiliary"] == "1")
        if data["status"]:
            qs = qs.filter(status=data["status"])
    elif form.is_bound:
        qs = qs.none()
    return form, qs.order_by("unit__path", "staff_number")


@login_required
@require_GET
def officer_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered_officers(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_change": can(request.user, "org", "change"),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "org/partials/_officer_rows.html", context)
    return render(request, "org/officer_list.html", context)


@login_required
@require_GET
def officer_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _filtered_officers(request)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _xlsx(roster.export_workbook(qs), f"officers-{stamp}.xlsx")


@login_required
@require_GET
def officer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    officer = get_scoped_or_404(
        Officer.objects.select_related("user", "unit"), request.user, "view", pk=pk
    )
    return render(
        request,
        "org/officer_detail.html",
        {
            "officer": officer,
            "can_change": Officer.objects.visible_to(request.user, "change")
            .filter(pk=officer.pk)
            .exists(),
            "roles": officer.user.role_assignments.select_related("unit"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def officer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    officer = get_scoped_or_404(
        Officer.objects.select_related("user", "unit"), request.user, "change", pk=pk
    )
    units = Unit.objects.visible_to(request.user, "change").order_by("path")
    initial = {
        "name": officer.user.name,
        "unit": officer.unit,
        "position": officer.position,
        "staff_number": officer.staff_number,
        "is_auxiliary": officer.is_auxiliary,
        "work_phone": officer.work_phone,
        "id_number": officer.id_number,
        "status": officer.status,
        "left_on": officer.left_on,
    }
    form = OfficerForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        units=units,
        instance=officer,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        name = data.pop("name")
        services.officer_update(officer=officer, by=request.user, name=name, **data)
        messages.success(request, _("Saved."))
        return redirect("org:officer_detail", pk=officer.pk)
    return render(request, "org/officer_form.html", {"form": form, "officer": officer})


@login_required
@require_http_methods(["GET", "POST"])
def officer_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "org", "change"):
        raise PermissionDenied
    units = Unit.objects.visible_to(request.user, "change").order_by("path")
    form = OfficerForm(request.POST if request.method == "POST" else None, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("status")
        data.pop("left_on")
        officer = services.officer_create(by=request.user, **data)
        messages.success(request, _("Officer added."))
        return redirect("org:officer_detail", pk=officer.pk)
    return render(request, "org/officer_form.html", {"form": form, "officer": None})


@login_required
@require_http_methods(["GET", "POST"])
def officer_import(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "org", "change"):
        raise PermissionDenied
    form = RosterUploadForm(
        *((request.POST, request.FILES) if request.method == "POST" else (None, None))
    )
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = roster.import_roster(file=upload, size=upload.size, by=request.user)
        if result.ok:
            messages.success(request, _("%(n)d officers imported.") % {"n": result.created})
            return redirect("org:officer_list")
    status = 400 if result is not None and not result.ok else 200
    return render(
        request, "org/officer_import.html", {"form": form, "result": result}, status=status
    )


@login_required
@require_GET
def officer_import_template(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "org", "change"):
        raise PermissionDenied
    return _xlsx(roster.template_workbook(), "officer-roster-template.xlsx")
