from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengfa.core.forms import add_service_errors
from zhengfa.core.generic import form_page, is_id, paginate, render_page
from zhengfa.core.responses import xlsx_response
from zhengfa.core.scope import can, get_scoped_or_404, may, path_ancestors

from . import roster, services
from .access import ADMIN, CHANGE, REVEAL, VIEW
from .forms import (
    AccountFilterForm,
    OfficerFilterForm,
    OfficerForm,
    RoleGrantForm,
    RosterUploadForm,
    UnitForm,
)
from .models import Officer, OfficerStatus, RoleAssignment, Unit, User

TREE_LEVELS = 2


@login_required
@require_GET
def unit_tree(request: HttpRequest) -> HttpResponse:
    """The units the person may see, TREE_LEVELS deep from the top of what he sees (or from
    the unit ``?under=`` names): a county's organs and stations, a province's cities and
    counties. A unit at the last level opens as the top of its own tree."""
    visible = Unit.objects.visible_to(request.user)
    under = request.GET.get("under", "")
    top: Unit | None = (
        get_scoped_or_404(Unit, request.user, "view", pk=under)
        if is_id(under)
        else visible.order_by("depth", "path").first()
    )
    if top is None:
        raise Http404
    within = visible.filter(path__startswith=top.path) if under else visible
    units = list(
        within.filter(depth__lte=top.depth + TREE_LEVELS)
        .annotate(
            officer_count=Coalesce(
                Subquery(
                    Officer.objects.filter(unit=OuterRef("pk"), status=OfficerStatus.ACTIVE)
                    .values("unit")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            below_count=Coalesce(
                Subquery(
                    Unit.objects.filter(parent=OuterRef("pk"))
                    .values("parent")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
        .order_by("path")
    )
    # A tree, not a list of hundreds of lines: the first levels open, deeper ones folded.
    by_parent: dict[int | None, list[Unit]] = {}
    seen = {u.pk for u in units}
    for u in units:
        parent = u.parent_id if u.parent_id in seen else None
        by_parent.setdefault(parent, []).append(u)
    for u in units:
        u.below = by_parent.get(u.pk, [])  # type: ignore[attr-defined]
    ancestors = visible.filter(path__in=path_ancestors(top)[:-1]).order_by("path") if under else []
    return render(
        request,
        "org/unit_tree.html",
        {"roots": by_parent.get(None, []), "top": top if under else None, "ancestors": ancestors},
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    parents = Unit.objects.visible_to(request.user, "admin").order_by("path")
    if not parents.exists():
        raise Http404
    form = UnitForm(
        request.POST if request.method == "POST" else None,
        parents=parents,
        initial={"parent": request.GET.get("parent"), "is_active": True},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.unit_add(
                by=request.user,
                parent=data["parent"],
                name=data["name"],
                code=data["code"],
                kind=data["kind"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Unit added."))
            return redirect("org:unit_detail", pk=unit.pk)
    return form_page(request, form, title=_("Add a unit"))


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_scoped_or_404(Unit, request.user, "admin", pk=pk)
    parents = (
        Unit.objects.visible_to(request.user, "admin")
        .exclude(pk__in=Unit.objects.within(unit).values("pk"))  # narrows: not below itself
        .order_by("path")
    )
    form = UnitForm(
        request.POST if request.method == "POST" else None,
        parents=parents,
        instance=unit,
        initial={
            "name": unit.name,
            "code": unit.code,
            "kind": unit.kind,
            "parent": unit.parent,
            "phone": unit.phone,
            "is_active": unit.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_update(
                by=request.user,
                unit=unit,
                name=data["name"],
                kind=data["kind"],
                phone=data["phone"],
                is_active=data["is_active"],
                parent=data.get("parent"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:unit_detail", pk=unit.pk)
    return form_page(
        request,
        form,
        title=_("Edit unit"),
        hint=_("Moving a unit moves every unit below it too."),
        back=reverse("org:unit_detail", args=[unit.pk]),
    )


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_scoped_or_404(Unit, request.user, "view", pk=pk)
    officers = Officer.objects.visible_to(request.user).filter(unit=unit).select_related("user")
    children = Unit.objects.visible_to(request.user).filter(parent=unit).order_by("path")
    ancestors = (
        Unit.objects.visible_to(request.user)
        .filter(path__in=path_ancestors(unit)[:-1])
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
            "can_change": may(request.user, CHANGE, unit),
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
            qs = qs.within(data["unit"])
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
    # The list shows no ID number or phone: none is read, none decrypted.
    page, query = paginate(request, qs.defer(*Officer.ENCRYPTED))
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "query": query,
        "can_change": can(request.user, "org", CHANGE),
    }
    return render_page(
        request, "org/officer_list.html", context, fragment="org/partials/_officer_rows.html"
    )


@login_required
@require_GET
def officer_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _filtered_officers(request)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(roster.export_workbook(qs), _("Officers %(date)s.xlsx") % {"date": stamp})


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
            "can_see_unit": may(request.user, VIEW, officer.unit),
            "can_change": may(request.user, CHANGE, officer),
            "roles": officer.user.role_assignments.select_related("unit"),
            "can_reveal": may(request.user, REVEAL, officer),
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
        try:
            services.officer_update(officer=officer, by=request.user, name=name, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:officer_detail", pk=officer.pk)
    return form_page(
        request,
        form,
        title=_("Edit officer"),
        back=reverse("org:officer_detail", args=[officer.pk]),
    )


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
        try:
            officer = services.officer_create(by=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Officer added."))
            return redirect("org:officer_detail", pk=officer.pk)
    return form_page(request, form, title=_("Add an officer"))


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
    return xlsx_response(roster.template_workbook(), _("Officer roster template.xlsx"))


# --- Accounts: system administrators only ---------------------------------------------


def _administered_account(request: HttpRequest, pk: int) -> User:
    try:
        return User.objects.visible_to(request.user, ADMIN).get(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc


def _locked_usernames(usernames: list[str]) -> set[str]:
    from axes.models import AccessAttempt
    from django.conf import settings

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    # For accounts the caller already fetched through User.objects.visible_to(..., ADMIN).
    return set(
        AccessAttempt.objects.filter(
            username__in=usernames,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        ).values_list("username", flat=True)
    )


@login_required
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "org", "admin"):
        raise Http404
    form = AccountFilterForm(request.GET or None)
    qs = User.objects.visible_to(request.user, ADMIN)
    if form.is_valid():
        if form.cleaned_data["q"]:
            q = form.cleaned_data["q"]
            qs = qs.filter(Q(username__icontains=q) | Q(name__icontains=q))
        if form.cleaned_data["role"]:
            # A semi-join: an account with the role at two units is listed once.
            qs = qs.filter(
                pk__in=RoleAssignment.objects.filter(role=form.cleaned_data["role"]).values(
                    "user_id"
                )
            )
    qs = qs.prefetch_related("role_assignments__unit").order_by("username")
    page, query = paginate(request, qs)
    users = list(page)
    locked = _locked_usernames([u.username for u in users])
    with_device = set(  # of the accounts above, fetched through visible_to
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )
    for u in users:
        u.locked = u.username in locked
        u.has_second_factor = u.pk in with_device
    return render(
        request,
        "org/account_list.html",
        {"form": form, "page": page, "users": users, "query": query},
    )


@login_required
@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _administered_account(request, pk)
    return _account_page(request, account)


def _account_page(
    request: HttpRequest,
    account: User,
    password_form: SetPasswordForm[User] | None = None,
    role_form: RoleGrantForm | None = None,
    status: int = 200,
) -> HttpResponse:
    units = Unit.objects.visible_to(request.user, "admin").order_by("path")
    return render(
        request,
        "org/account_detail.html",
        {
            "account": account,
            "roles": account.role_assignments.select_related("unit").order_by("role"),
            "password_form": password_form or SetPasswordForm(account),
            "role_form": role_form or RoleGrantForm(units=units),
            "locked": bool(_locked_usernames([account.username])),
            # The account was fetched through visible_to(..., ADMIN).
            "has_second_factor": TOTPDevice.objects.filter(user=account, confirmed=True).exists(),
        },
        status=status,
    )


@login_required
@require_POST
def account_password(request: HttpRequest, pk: int) -> HttpResponse:
    account = _administered_account(request, pk)
    form = SetPasswordForm(account, request.POST)
    if not form.is_valid():
        return _account_page(request, account, password_form=form, status=400)
    services.account_set_password(
        user=account, password=form.cleaned_data["new_password1"], by=request.user
    )
    messages.success(request, _("Password set. Give it to the person in private."))
    return redirect("org:account_detail", pk=account.pk)


@login_required
@require_POST
def account_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = _administered_account(request, pk)
    active = request.POST.get("active") == "1"
    services.account_set_active(user=account, active=active, by=request.user)
    messages.success(request, _("Account enabled.") if active else _("Account disabled."))
    return redirect("org:account_detail", pk=account.pk)


@login_required
@require_POST
def account_reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    account = _administered_account(request, pk)
    services.account_reset_second_factor(user=account, by=request.user)
    messages.success(request, _("Authenticator removed; the person sets up a new one at sign-in."))
    return redirect("org:account_detail", pk=account.pk)


@login_required
@require_POST
def account_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    account = _administered_account(request, pk)
    services.account_unlock(user=account, by=request.user)
    messages.success(request, _("Sign-in lock lifted."))
    return redirect("org:account_detail", pk=account.pk)


@login_required
@require_POST
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    account = _administered_account(request, pk)
    units = Unit.objects.visible_to(request.user, "admin").order_by("path")
    form = RoleGrantForm(request.POST, units=units)
    if not form.is_valid():
        return _account_page(request, account, role_form=form, status=400)
    services.role_grant(
        user=account,
        role=form.cleaned_data["role"],
        unit=form.cleaned_data["unit"],
        by=request.user,
    )
    messages.success(request, _("Role granted."))
    return redirect("org:account_detail", pk=account.pk)


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    account = _administered_account(request, pk)
    assignment = get_scoped_or_404(
        RoleAssignment.objects.filter(user=account), request.user, "admin", pk=role_pk
    )
    services.role_revoke(assignment=assignment, by=request.user)
    messages.success(request, _("Role removed."))
    return redirect("org:account_detail", pk=account.pk)
