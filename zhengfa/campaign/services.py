from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhengfa.org.models import Unit

from .models import Campaign, Phase


@transaction.atomic
def campaign_create(
    *,
    name: str,
    unit: Unit,
    phases: Sequence[tuple[str, str, dt.date, dt.date]],
    description: str = "",
) -> Campaign:
    """A campaign with its phases (kind, name, start, end), which must follow one another."""
    if not phases:
        raise ValidationError(_("A campaign needs at least one phase."))
    for (_k, _n, start, end), nxt in zip(phases, [*phases[1:], None], strict=True):
        if end < start:
            raise ValidationError(_("A phase ends before it starts."))
        if nxt is not None and nxt[2] <= end:
            raise ValidationError(_("Phases must follow one another without overlapping."))
    campaign = Campaign.objects.create(
        name=name,
        unit=unit,
        starts_on=phases[0][2],
        ends_on=phases[-1][3],
        description=description,
    )
    for order, (kind, phase_name, start, end) in enumerate(phases, start=1):
        Phase.objects.create(
            campaign=campaign, kind=kind, name=phase_name, order=order, starts_on=start, ends_on=end
        )
    return campaign
