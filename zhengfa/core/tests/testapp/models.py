"""One record with everything core offers a module: scope, a workflow with deadlines and a
citizen's follow-up, files and a revealable phone number."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from zhengfa.core.crypto import EncryptedCharField, HashField
from zhengfa.core.masking import mask_phone
from zhengfa.core.scope import ScopeSpec, grant_for
from zhengfa.core.workflow import Transition, Workflow, WorkflowManager, WorkflowModel


class CaseState(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


def _above_the_unit(case: Case, user: Any) -> bool:
    """Closing is for whoever may assign work strictly above the case's unit."""
    return grant_for(user, "testapp", "assign").holder(case.unit) is not None


CASE_WORKFLOW = Workflow(
    states=CaseState,
    initial=CaseState.OPEN,
    final={CaseState.CLOSED},
    files=True,
    start_label="Opened",
    transitions=[
        Transition(
            "answer",
            CaseState.OPEN,
            CaseState.ANSWERED,
            "Answer",
            action="change",
            comment_required=True,
            public=True,
        ),
        Transition("reopen", CaseState.ANSWERED, CaseState.OPEN, "Reopen", action="change"),
        Transition(
            "close",
            [CaseState.OPEN, CaseState.ANSWERED],
            CaseState.CLOSED,
            "Close",
            action="view",
            guard=_above_the_unit,
        ),
    ],
    deadlines={CaseState.OPEN: 10, CaseState.ANSWERED: 5, CaseState.CLOSED: None},
    setting="testapp.case",
)


class Case(WorkflowModel):
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = EncryptedCharField(hash_field="phone_hash", blank=True)
    phone_hash = HashField()

    workflow = CASE_WORKFLOW
    deadline_owner_field = "owner"
    revealable = {"phone": mask_phone}
    scope = ScopeSpec(domain="testapp", unit="unit", owner="owner")
    objects = WorkflowManager()

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("testapp:case_detail", args=[self.pk])
