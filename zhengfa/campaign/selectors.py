from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Campaign


def current_campaign(today: dt.date | None = None) -> Campaign | None:
    """The campaign under way, else the latest that has begun (for the public pages)."""
    today = today or timezone.localdate()
    started = Campaign.objects.filter(starts_on__lte=today).order_by("-starts_on")
    return started.filter(ends_on__gte=today).first() or started.first()
