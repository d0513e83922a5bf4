"""Investigation and rectification (查纠整改): self-inspection rounds and the officers'
declarations (自查自纠), the "three rules" register of inquiries into cases (逢问必录), and
the problem ledger whose items close one by one after verification (整改一个、销号一个)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.scope import ScopedManager, ScopeSpec, grant_for
from zhengfa.core.workflow import Transition, Workflow, WorkflowManager, WorkflowModel


class ProblemCategory(models.Model):
    """Reference data: the six stubborn problems (the common list) and other misconduct;
    seeded, then kept by the committee at the top of the tree (merged, added, retired)."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    """A self-inspection round of a campaign: opened by a committee for the units it covers
    (and the units below them), with a deadline for the officers' declarations."""

    campaign = models.ForeignKey(
        "campaign.Campaign",
        on_delete=models.PROTECT,
        related_name="inspection_rounds",
        verbose_name=_("campaign"),
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    title = models.CharField(_("title"), max_length=120)
    deadline = models.DateField(_("deadline"))
    units = models.ManyToManyField(
        "org.Unit", related_name="+", verbose_name=_("units covered (with the units below)")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Everyone below the committee that opened it sees the round (and his own form).
    scope = ScopeSpec(domain="inspection", unit="unit", seen_below=True)
    objects = ScopedManager["Round"]()

    class Meta:
        verbose_name = _("self-inspection round")
        verbose_name_plural = _("self-inspection rounds")
        ordering = ["-deadline", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("rectify:round_detail", args=[self.pk])


class Declaration(models.Model):
    """An officer's personal report form (个人事项报告表) for a round: for every category,
    none or his problem. He may change it until he submits; a submitted form is final, and
    an amendment is a new version beside it (both kept)."""

    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="declarations", verbose_name=_("round")
    )
    officer = models.ForeignKey(
        "org.Officer",
        on_delete=models.PROTECT,
        related_name="declarations",
        verbose_name=_("officer"),
    )
    # The officer's unit when he wrote it: who may read it and where it counts.
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Its contents are for the officer, the leaders of his unit and above, and supervision.
    scope = ScopeSpec(domain="declarations", unit="unit", owner="officer__user")
    objects = ScopedManager["Declaration"]()

    class Meta:
        verbose_name = _("self-inspection declaration")
        verbose_name_plural = _("self-inspection declarations")
        ordering = ["round", "officer", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "officer", "version"], name="declaration_version_unique"
            ),
            # At most one form of an officer in a round is still being written.
            models.UniqueConstraint(
                fields=["round", "officer"],
                condition=models.Q(submitted_at__isnull=True),
                name="declaration_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.officer}"

    def get_absolute_url(self) -> str:
        return reverse("rectify:declaration_detail", args=[self.pk])

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class DeclarationItem(models.Model):
    """One category of a declaration: an empty description means "none"."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="items", verbose_name=_("declaration")
    )
    category = models.ForeignKey(
        ProblemCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    description = models.TextField(_("the problem, in his words"), blank=True)

    class Meta:
        verbose_name = _("declared item")
        verbose_name_plural = _("declared items")
        ordering = ["category__order", "category__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "category"], name="declaration_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.description or '—'}"

    @property
    def declared(self) -> bool:
        return bool(self.description.strip())


class AskerKind(models.TextChoices):
    LEADER = "leader", _("A leading cadre")
    INSIDER = "insider", _("Someone inside the judicial organs")
    RELATIVE = "relative", _("A relative or friend")
    LAWYER = "lawyer", _("A lawyer")
    OTHER = "other", _("Someone else")


class Manner(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    MESSAGE = "message", _("By text or chat message")
    WRITTEN = "written", _("In writing (a note, an instruction)")
    OTHER = "other", _("Otherwise")


class Inquiry(models.Model):
    """An inquiry into or interference with a case, recorded by the officer it reached
    (the "three rules": 逢问必录). For the officer, supervision staff and the committee."""

    officer = models.ForeignKey(
        "org.Officer",
        on_delete=models.PROTECT,
        related_name="inquiries",
        verbose_name=_("recorded by"),
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    asker_kind = models.CharField(_("who asked"), max_length=20, choices=AskerKind.choices)
    asker = models.CharField(_("name and position of who asked"), max_length=120)
    case_number = models.CharField(_("case number"), max_length=60)
    case_organ = models.CharField(_("court or organ of the case"), max_length=120)
    asked_on = models.DateField(_("date"))
    manner = models.CharField(_("how"), max_length=20, choices=Manner.choices)
    content = models.TextField(_("what was asked"))
    handling = models.TextField(_("how it was handled"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    scope = ScopeSpec(domain="inquiries", unit="unit", owner="officer__user")
    objects = ScopedManager["Inquiry"]()

    class Meta:
        verbose_name = _("inquiry record")
        verbose_name_plural = _("inquiry records")
        ordering = ["-asked_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_number} {self.asked_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("rectify:inquiry_detail", args=[self.pk])


class Source(models.TextChoices):
    SELF = "self", pgettext_lazy("ledger source", "Self-inspection")
    ORGANISATION = "organisation", _("Found by the organisation")
    REPORT = "report", _("Report from the public")
    INSPECTION = "inspection", _("Supervisory inspection")
    CASE_REVIEW = "case_review", _("Case review")


class LedgerState(models.TextChoices):
    PENDING = "pending", _("To be rectified")
    RECTIFYING = "rectifying", _("Being rectified")
    AWAITING = "awaiting", _("Awaiting verification")
    CLOSED = "closed", _("Closed")


def may_verify(item: LedgerItem, user: Any) -> bool:
    """Verification (验收) is for someone of a unit above the item's unit, or supervision
    staff whose own supervision role reaches it; never the responsible person, nor whoever
    asked for this verification."""
    if user is None or user.pk in (item.responsible_id, item.submitted_by_id):
        return False
    if grant_for(user, "rectify", "assign").holder(item.unit) is not None:
        return True
    from zhengfa.org.access import Role, paths_held_as

    return any(item.unit.path.startswith(p) for p in paths_held_as(user, Role.SUPERVISION))


def _concerned(user: Any) -> models.Q:
    return models.Q(officer__user=user)


LEDGER_WORKFLOW = Workflow(
    states=LedgerState,
    initial=LedgerState.PENDING,
    final={LedgerState.CLOSED},
    files=True,
    start_label=_("Put on the ledger"),
    transitions=[
        Transition(
            "start",
            LedgerState.PENDING,
            LedgerState.RECTIFYING,
            _("Start rectifying"),
            action="change",
        ),
        Transition(
            "submit",
            LedgerState.RECTIFYING,
            LedgerState.AWAITING,
            _("Ask for verification"),
            action="change",
            comment_required=True,
            comment_prompt=_("Please write what was done."),
        ),
        Transition(
            "close",
            LedgerState.AWAITING,
            LedgerState.CLOSED,
            _("Verify and close"),
            action="view",
            guard=may_verify,
        ),
        Transition(
            "return",
            LedgerState.AWAITING,
            LedgerState.RECTIFYING,
            pgettext_lazy("ledger", "Return for more work"),
            action="view",
            guard=may_verify,
            comment_required=True,
        ),
    ],
    # The deadline is the one the unit set (定时限); moving it is recorded with a reason.
    deadlines={},
    setting="rectify.ledger",
    # Waiting for verification, the delay is the verifier's, not the responsible person's.
    paused={LedgerState.AWAITING},
)


class LedgerItem(WorkflowModel):
    """A problem on the ledger (问题台账) with its 五定: the problem, measures, deadline
    (``due_at``), responsible person and acceptance standard; progress and evidence are
    its timeline."""

    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    category = models.ForeignKey(
        ProblemCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    officer = models.ForeignKey(
        "org.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("officer concerned"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    problem = models.TextField(_("problem"))
    measures = models.TextField(_("measures"), blank=True)
    standard = models.TextField(_("acceptance standard"), blank=True)
    declaration = models.ForeignKey(
        Declaration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_items",
        verbose_name=_("from the declaration"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("put on the ledger by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Where a problem found elsewhere came from (a report from the public found true): the
    # ledger knows the record, not the module, so it works with or without that module.
    origin_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("found in (kind)"),
    )
    origin_id = models.PositiveBigIntegerField(_("found in (number)"), null=True, blank=True)
    # Who asked for the verification under way: he does not verify it himself.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verification asked by"),
    )

    workflow = LEDGER_WORKFLOW
    deadline_owner_field = "responsible"
    # The officer concerned follows the rectification of his own problem.
    scope = ScopeSpec(domain="rectify", unit="unit", owner="responsible", participant=_concerned)
    objects = WorkflowManager()

    class Meta:
        verbose_name = _("ledger item")
        verbose_name_plural = _("ledger items")
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return str(_("Ledger item %(n)s") % {"n": self.pk})

    def get_absolute_url(self) -> str:
        return reverse("rectify:item_detail", args=[self.pk])

    @property
    def five_set(self) -> bool:
        """Whether measures, deadline, responsible person and standard are all set."""
        return bool(
            self.problem.strip()
            and self.measures.strip()
            and self.standard.strip()
            and self.due_at
            and self.responsible_id
        )
