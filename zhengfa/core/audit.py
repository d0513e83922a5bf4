from __future__ import annotations

from typing import Any

from .scope import grant_for


def may_read_audit(user: Any) -> bool:
    """The audit trail is county-wide, so it is for roles held at the top of the tree only."""
    return grant_for(user, "audit", "view").at_root
