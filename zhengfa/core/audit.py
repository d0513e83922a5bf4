"""The audit trail: who may read it, and the entries for actions that change no field one
can see (a password an administrator set, a lock lifted, a value revealed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditlog.models import LogEntry
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .scope import grant_for

# What an action entry says on the audit page (the entry stores the code).
ACTIONS: Mapping[str, Any] = {
    "password_set": _("password set by an administrator"),
    "second_factor_reset": _("authenticator removed by an administrator"),
    "unlocked": _("sign-in lock lifted by an administrator"),
    "revealed": _("full value shown"),
}


# What the log's own action numbers mean (django-auditlog ships no Chinese).
CHANGE_KINDS: Mapping[int, Any] = {
    0: pgettext_lazy("audit action", "created"),
    1: pgettext_lazy("audit action", "changed"),
    2: pgettext_lazy("audit action", "deleted"),
    3: pgettext_lazy("audit action", "viewed"),
}

# Fields of third-party models we audit, which carry no translated name of their own.
FIELD_NAMES: Mapping[str, Any] = {
    "user": _("account"),
    "name": _("name"),
    "confirmed": _("confirmed"),
}


def field_labels(model: Any, names: Any) -> list[str]:
    """The fields' names as the interface calls them, not as the code does."""
    labels = []
    for name in names:
        try:
            label = str(model._meta.get_field(name).verbose_name)
        except Exception:  # a field since removed: its name is all the log has
            label = name
        if label.isascii() and name in FIELD_NAMES:
            label = str(FIELD_NAMES[name])
        labels.append(label)
    return labels


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
