from __future__ import annotations

import datetime as dt
from typing import Any, cast

import segno
from auditlog.models import LogEntry
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import signals
from .attachments import serve
from .audit import ACTIONS, CHANGE_KINDS, field_labels, may_read_audit
from .forms import AuditFilterForm, SignInFilterForm, TokenForm
from .generic import paginate
from .models import SignInEvent
from .net import is_own_path
from .panels import render_panels
from .registry import registry
from .scope import can
from .workbench import todos_for
from .workflow import start_of_day


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class NewPasswordChangeForm(PasswordChangeForm):
    """Django's form, refusing a "new" password equal to the current one (else a password an
    administrator issued could be kept by changing it to itself)."""

    def clean_new_password1(self) -> str:
        new: str = self.cleaned_data["new_password1"]
        if self.user.check_password(new):
            raise forms.ValidationError(
                _("Choose a password different from the current one."), code="same_password"
            )
        return new


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; one an administrator issued counts as changed then."""

    template_name = "core/password_change.html"
    success_url = "/staff/"
    form_class = NewPasswordChangeForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        if getattr(user, "must_change_password", False):
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        messages.success(self.request, _("Your password is changed."))
        return response


def _safe_next(request: HttpRequest, default: str = "core:dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if is_own_path(request, target):
        return target
    from django.urls import reverse

    return reverse(default)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in for accounts with an authenticator app."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_safe_next(request))
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_is_allowed()[0] and device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        signals.record(SignInEvent.Kind.OTP_FAILURE, request=request, user=request.user)
        form.add_error("token", _("That code is not right or has expired. Try the current one."))
    return render(request, "core/otp_verify.html", {"form": form, "next": _safe_next(request)})


SETUP_KEY = "zf_otp_setup_key"
SETUP_FAILURES = "zf_otp_setup_failures"
SETUP_TRIES = 5


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code, then confirm with one token.

    Only an account without a confirmed authenticator may enrol (one that has one proves it
    first, on the verify page; replacing it is an administrator's reset). The secret lives in
    this browser session alone until confirmed, so another session of the account can neither
    see it nor confirm it; the device is stored, and audited, only when confirmed.
    """
    user: Any = request.user
    if user_has_device(user, confirmed=True):
        if user.is_verified():
            messages.info(request, _("Two-factor sign-in is already on for your account."))
            return redirect("core:dashboard")
        return redirect("core:otp_verify")
    key = request.session.get(SETUP_KEY) or random_hex(20)
    request.session[SETUP_KEY] = key
    device = TOTPDevice(user=user, name="default", key=key, confirmed=False)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        failures = int(request.session.get(SETUP_FAILURES, 0))
        if failures >= SETUP_TRIES:
            # A fresh secret after too many wrong codes: guessing starts over from nothing.
            request.session.pop(SETUP_KEY, None)
            request.session[SETUP_FAILURES] = 0
            messages.error(
                request,
                _("Too many wrong codes in a row. Scan the new code below, then enter its code."),
            )
            return redirect("core:otp_setup")
        if _totp_matches(device, form.cleaned_data["token"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user).delete()  # unconfirmed leftovers
                device.confirmed = True
                device.save()
            for name in (SETUP_KEY, SETUP_FAILURES):
                request.session.pop(name, None)
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is now on for your account."))
            return redirect("core:dashboard")
        request.session[SETUP_FAILURES] = failures + 1
        form.add_error(
            "token",
            _("That code is not right. Check the time on your phone and try the current code."),
        )
    qr = segno.make(device.config_url, micro=False)
    return render(
        request,
        "core/otp_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
            "secret": device.config_url.split("secret=")[1].split("&")[0],
        },
    )


def _totp_matches(device: TOTPDevice, token: str) -> bool:
    """Check a code against an unsaved device (django-otp's own check would save it). A
    match records its time step, so the same code cannot sign in again afterwards."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not totp.verify(int(token), tolerance=device.tolerance):
        return False
    device.last_t = totp.t()
    return True


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The staff home, a workbench: what needs this person now, then the modules' panels
    (today's activities, the units' open and overdue work for those who lead them)."""
    return render(
        request,
        "core/dashboard.html",
        {
            "todos": todos_for(request.user),
            "panels": render_panels(request, registry.staff_panels),
        },
    )


def _record_type(ct: ContentType) -> str:
    model = ct.model_class()
    return str(model._meta.verbose_name) if model is not None else ct.model


# The audit log is county-wide by design: audit_list lets only roles at the top of the tree
# in (may_read_audit), so these reads are unscoped.


def _filtered_changes(request: HttpRequest) -> tuple[forms.Form, QuerySet[Any]]:
    # The kinds of record the trail holds: a pass over the whole trail, so kept a while.
    key = f"zf-audit-types:{get_language()}"
    choices = cache.get(key)
    if choices is None:
        types = ContentType.objects.filter(
            pk__in=LogEntry.objects.values("content_type").distinct()
        ).order_by("app_label", "model")
        choices = [(str(ct.pk), _record_type(ct)) for ct in types]
        cache.set(key, choices, 5 * 60)
    form = AuditFilterForm(request.GET or None, model_choices=choices)
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    for model in registry.private_audit:
        if not can(request.user, model.scope.domain, "view"):  # type: ignore[attr-defined]
            qs = qs.exclude(content_type=ContentType.objects.get_for_model(model))
    if not form.is_valid():
        return form, qs.none() if form.is_bound else qs
    data = form.cleaned_data
    if data["actor"]:
        qs = qs.filter(
            Q(actor__username__icontains=data["actor"]) | Q(actor__name__icontains=data["actor"])
        )
    if data["model"]:
        qs = qs.filter(content_type_id=data["model"])
    if data["action"]:
        qs = qs.filter(action=int(data["action"]))
    if data["date_from"]:
        qs = qs.filter(timestamp__gte=start_of_day(data["date_from"]))
    if data["date_to"]:
        qs = qs.filter(timestamp__lt=start_of_day(data["date_to"] + dt.timedelta(days=1)))
    return form, qs


def _filtered_signins(request: HttpRequest) -> tuple[forms.Form, QuerySet[Any]]:
    form = SignInFilterForm(request.GET or None)
    qs = SignInEvent.objects.select_related("user").order_by("-time")
    if not form.is_valid():
        return form, qs.none() if form.is_bound else qs
    data = form.cleaned_data
    if data["username"]:
        qs = qs.filter(username__icontains=data["username"])
    if data["kind"]:
        qs = qs.filter(kind=data["kind"])
    if data["date_from"]:
        qs = qs.filter(time__gte=start_of_day(data["date_from"]))
    if data["date_to"]:
        qs = qs.filter(time__lt=start_of_day(data["date_to"] + dt.timedelta(days=1)))
    return form, qs


def _readable_records(user: Any, entries: list[Any]) -> set[tuple[int, str]]:
    """The (content type, pk) of the entries' records that `user` may open: the audit page
    names only those (a system administrator reads who did what, not citizens' matters).
    Records of models without scope are named to nobody. One query per kind of record."""
    by_type: dict[int, set[str]] = {}
    for entry in entries:
        by_type.setdefault(entry.content_type_id, set()).add(str(entry.object_pk))
    readable: set[tuple[int, str]] = set()
    for type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        manager: Any = getattr(model, "_default_manager", None)
        if model is None or not hasattr(manager, "visible_to"):
            continue
        ids = [int(pk) for pk in pks if pk.isdecimal()]
        visible = manager.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
        readable.update((type_id, str(pk)) for pk in visible)
    return readable


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """Model changes and sign-in events, for system administrators and the county committee."""
    if not may_read_audit(request.user):
        raise Http404
    tab = "signins" if request.GET.get("tab") == "signins" else "changes"
    form, qs = _filtered_signins(request) if tab == "signins" else _filtered_changes(request)
    page, query = paginate(request, qs)
    if tab == "changes":
        readable = _readable_records(request.user, list(page))
        for entry in page:
            entry.record_type = _record_type(entry.content_type)
            entry.action_label = ACTIONS.get((entry.additional_data or {}).get("action", ""), "")
            entry.change_kind = CHANGE_KINDS.get(entry.action, "")
            model = entry.content_type.model_class()
            entry.field_labels = field_labels(model, entry.changes_dict) if model else []
            entry.readable = (entry.content_type_id, entry.object_pk) in readable
    return render(
        request,
        "core/audit_list.html",
        {
            "tab": tab,
            "form": form,
            "page": page,
            "query": query,
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    """The page for an error no view handled. With the database out of reach it is a 503
    ("briefly unavailable", retry later), drawn without anything that reads the database;
    the next request connects afresh, so the site recovers without a restart."""
    import sys

    from django.db import DatabaseError, InterfaceError, OperationalError
    from django.template.loader import get_template

    # Only the database out of reach: a broken constraint or a bad value is a fault (500).
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(get_template("503.html").render({}), status=503)
        response["Retry-After"] = "60"
        return response
    try:
        return render(request, "500.html", status=500)
    except DatabaseError:  # the page's context reads the database too
        return HttpResponse(get_template("500.html").render({}), status=500)


# --- Notifications ---------------------------------------------------------------------


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    from .models import Notification

    qs = Notification.objects.filter(user=cast(Any, request.user))  # his own notices only
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    # The pager keeps the "unread only" choice.
    page, query = paginate(request, qs, 30)
    return render(request, "core/notification_list.html", {"page": page, "query": query})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notice (``id``) or all of them read; then follow the notice's link if asked."""
    from .models import Notification
    from .notifications import mark_read

    raw = request.POST.get("id")
    if raw:
        try:
            # His own notice, or 404.
            notice = Notification.objects.get(pk=int(raw), user=cast(Any, request.user))
        except (ValueError, Notification.DoesNotExist) as exc:
            raise Http404 from exc
        mark_read(user=request.user, ids=[notice.pk])
        if request.POST.get("follow") and notice.url.startswith("/"):
            return redirect(notice.url)
    else:
        mark_read(user=request.user)
    return redirect("core:notification_list")


# --- Attachments and revealing ------------------------------------------------------------


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A file, if the user may see the record it belongs to; otherwise 404."""
    from .models import Attachment

    # Found without scope, then answered only if its record is visible to the user (below).
    attachment = Attachment.objects.select_related("content_type").filter(pk=pk).first()
    model = attachment.content_type.model_class() if attachment else None
    manager: Any = getattr(model, "objects", None)
    if attachment is None or model is None or not hasattr(manager, "visible_to"):
        raise Http404
    if not manager.visible_to(request.user, "view").filter(pk=attachment.object_id).exists():
        raise Http404
    return serve(attachment)


@login_required
@require_POST
def reveal_value(request: HttpRequest, model: str, pk: int, field: str) -> HttpResponse:
    from django.apps import apps

    from .reveal import reveal

    try:
        model_class = apps.get_model(model)
    except (LookupError, ValueError) as exc:
        raise Http404 from exc
    reason = request.POST.get("reason", "").strip()
    if len(reason) < 2:
        response = render(
            request,
            "core/partials/_reveal.html",
            {
                "reveal_url": request.path,
                "error": _("Say why you need the full value."),
                "masked": request.POST.get("masked", ""),
            },
            status=400,
        )
        return response
    value = reveal(model=model_class, pk=pk, field=field, reason=reason[:200], by=request.user)
    response = render(request, "core/partials/_revealed.html", {"value": value})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
def puzzle(request: HttpRequest) -> JsonResponse:
    """A new proof-of-work puzzle for a public form (``core.challenge``), one per visitor:
    the form's page itself is the same for everyone and kept in the cache."""
    from .challenge import new_puzzle

    return JsonResponse(new_puzzle())
