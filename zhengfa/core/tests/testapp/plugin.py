from __future__ import annotations

from typing import Any

from zhengfa.core.registry import Audited, Plugin, PublicView
from zhengfa.org.access import ASSIGN, CHANGE, REVEAL, VIEW, Role, own

from . import services
from .models import Case


def _supplement(case: Case, text: str, files: list[Any]) -> None:
    services.case_supplement(case=case, comment=text, files=files)


PLUGIN = Plugin(
    name="testapp",
    domains={
        "testapp": {
            Role.COMMITTEE: {VIEW, ASSIGN},
            Role.LEADER: {VIEW, CHANGE, REVEAL},
            Role.CLERK: {VIEW, CHANGE},
            Role.OFFICER: {own(VIEW)},
        }
    },
    audited=[Audited(Case, {"mask_fields": ["phone"], "exclude_fields": ["phone_hash"]})],
    followups={
        Case: PublicView(
            title=lambda c: c.title, is_open=lambda c: c.is_open, supplement=_supplement
        )
    },
)
