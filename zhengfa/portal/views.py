from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zhengfa.campaign.models import Campaign
from zhengfa.core.context_processors import LARGE_TYPE_COOKIE

from . import services


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    campaign = Campaign.objects.filter(starts_on__lte=today).order_by("-starts_on").first()
    return render(
        request,
        "portal/home.html",
        {
            "entries": services.entries(),
            "campaign": campaign,
            "phases": campaign.phases.all() if campaign else [],
            "current_phase": campaign.current_phase(today) if campaign else None,
        },
    )


@require_POST
def large_type(request: HttpRequest) -> HttpResponse:
    """Switch large type on or off; remembered in a cookie for a year (works without script)."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
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
