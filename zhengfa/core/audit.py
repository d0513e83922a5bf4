"""The audit trail: who may read it, and the entries for actions that change no field one
can see (a password an administrator set, a lock lifted, a value revealed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditlog.models import LogEntry
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scope import grant_for

# What an action entry says on the audit page (the entry stores the code).
ACTIONS: Mapping[str, Any] = {
    "password_set": _("password set by an administrator"),
    "second_factor_reset": _("authenticator removed by an administrator"),
    "unlocked": _("sign-in lock lifted by an administrator"),
    "revealed": _("full value shown"),
}


def may_read_audit(user: Any) -> bool:
    """The audit trail is county-wide, so it is for roles held at the top of the tree only."""
    return grant_for(user, "audit", "view").at_root


def record_action(
    record: models.Model,
    *,
    by: Any,
    what: str,
    fields: Sequence[str] = (),
    action: int = LogEntry.Action.UPDATE,
    **data: Any,
) -> LogEntry:
    """An audit entry for `what` (a key of ACTIONS) done by `by` to `record`. `fields` are
    named as changed, their values never written."""
    assert what in ACTIONS, what
    entry: LogEntry = LogEntry.objects.log_create(
        record,
        action=action,
        changes={name: ["***", "***"] for name in fields},
        actor=by,
        additional_data={"action": what, **data},
        force_log=True,
    )
    return entry
