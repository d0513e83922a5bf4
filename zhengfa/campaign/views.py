from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhengfa.core.scope import get_scoped_or_404

from .models import Campaign


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
