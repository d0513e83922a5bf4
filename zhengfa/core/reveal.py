"""Revealing a masked value: needs the ``reveal`` action on the record, a reason, and is
written to the audit log (django-auditlog, action "access") with the field and the reason.

A model lists what may be revealed: ``revealable = {"id_number": mask_id_number}``. The
detail page includes ``core/partials/_reveal.html`` next to the masked value.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from .audit import record_action
from .scope import get_scoped_or_404


def revealable_fields(model: type[models.Model]) -> dict[str, Any]:
    return dict(getattr(model, "revealable", {}))


@transaction.atomic
def reveal(*, model: type[models.Model], pk: int, field: str, reason: str, by: Any) -> str:
    """The plain value of `field`, after checking scope and recording who asked and why."""
    if field not in revealable_fields(model):
        raise PermissionDenied
    record = get_scoped_or_404(model._default_manager.all(), by, "reveal", pk=pk)
    value = str(getattr(record, field) or "")
    record_action(
        record,
        by=by,
        what="revealed",
        fields=[field],
        action=LogEntry.Action.ACCESS,
        field=field,
        reason=reason,
    )
    return value
