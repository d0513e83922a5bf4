from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from zhengfa.core import followup, workflow
from zhengfa.org.models import Unit

from .models import Case


@transaction.atomic
def case_open(
    *, unit: Unit, title: str, by: Any, phone: str = "", owner: Any = None
) -> tuple[Case, str]:
    case = Case(unit=unit, title=title, phone=phone, owner=owner)
    workflow.start(record=case, by=by, public=by is None)
    return case, followup.issue(case)


@transaction.atomic
def case_transition(
    *, record: Case, name: str, by: Any, comment: str = "", files: Sequence[Any] = ()
) -> Case:
    workflow.transition(record=record, name=name, by=by, comment=comment, files=files)
    return record


@transaction.atomic
def case_supplement(*, case: Case, comment: str, files: Sequence[Any] = ()) -> None:
    workflow.note(record=case, by=None, comment=comment, public=True, files=files)
