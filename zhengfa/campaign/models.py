from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengfa.core.crypto import EncryptedCharField, HashField
from zhengfa.core.masking import mask_name, mask_phone
from zhengfa.core.scope import ScopedManager, ScopeSpec, grant_for
from zhengfa.core.workflow import (
    Transition,
    Workflow,
    WorkflowManager,
    WorkflowModel,
    last_actor,
)


class Campaign(models.Model):
    """A campaign such as the 2021 education-and-rectification of the workforce (first batch).

    Held by the unit that leads it; seen by every unit below. Dates are data, never constants.
    """

    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("leading unit"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)

    scope = ScopeSpec(domain="work", unit="unit", seen_below=True)
    objects = ScopedManager["Campaign"]()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def current_phase(self, today: dt.date | None = None) -> Phase | None:
        today = today or timezone.localdate()
        return self.phases.filter(starts_on__lte=today, ends_on__gte=today).first()


class PhaseKind(models.TextChoices):
    STUDY = "study", _("Study and education")
    RECTIFY = "rectify", _("Investigation and rectification")
    CONSOLIDATE = "consolidate", _("Summary and improvement")


class Phase(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="phases", verbose_name=_("campaign")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PhaseKind.choices)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="phase_order_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaskState(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    REPORTED = "reported", _("Reported, awaiting check")
    RETURNED = "returned", _("Returned for more work")
    DONE = "done", _("Accepted as done")
    CANCELLED = "cancelled", _("Cancelled")


def _issuer_may_check(task: Task, user: Any) -> bool:
    """Accepting or returning a report is for whoever may assign work at the issuing unit,
    other than the person who reported it (no one checks his own report)."""
    if not grant_for(user, "work", "assign").covers(task.issued_by):
        return False
    return task.state != TaskState.REPORTED or last_actor(task, "report") != user.pk


def _no_open_parts(task: Task, user: Any) -> bool:
    """A task split further down is reported through its parts, not by itself."""
    return not task.parts.exclude(state__in=[TaskState.DONE, TaskState.CANCELLED]).exists()


def all_parts_done(task: Task, user: Any) -> bool:
    parts = task.parts.exclude(state=TaskState.CANCELLED)
    return parts.exists() and not parts.exclude(state=TaskState.DONE).exists()


TASK_WORKFLOW = Workflow(
    states=TaskState,
    initial=TaskState.ASSIGNED,
    final={TaskState.DONE, TaskState.CANCELLED},
    files=True,
    start_label=_("Assigned"),
    transitions=[
        Transition(
            "report",
            [TaskState.ASSIGNED, TaskState.RETURNED],
            TaskState.REPORTED,
            _("Report progress"),
            action="change",
            comment_required=True,
            guard=_no_open_parts,
        ),
        # The parent of a split task follows its parts: done when every part is accepted
        # (taken by whoever accepts the last part, at the parent's unit; never a button).
        Transition(
            "parts_done",
            [TaskState.ASSIGNED, TaskState.RETURNED],
            TaskState.DONE,
            _("All parts accepted"),
            action="change",
            guard=all_parts_done,
            button=False,
        ),
        Transition(
            "accept",
            TaskState.REPORTED,
            TaskState.DONE,
            _("Accept as done"),
            action="view",
            guard=_issuer_may_check,
        ),
        Transition(
            "return",
            TaskState.REPORTED,
            TaskState.RETURNED,
            _("Return for more work"),
            action="view",
            guard=_issuer_may_check,
            comment_required=True,
        ),
        Transition(
            "cancel",
            [TaskState.ASSIGNED, TaskState.RETURNED, TaskState.REPORTED],
            TaskState.CANCELLED,
            _("Cancel the task"),
            action="view",
            guard=_issuer_may_check,
            comment_required=True,
        ),
    ],
    # Days for the unit to finish after a return; a report stops the clock until it is checked.
    deadlines={TaskState.RETURNED: 7, TaskState.DONE: None, TaskState.CANCELLED: None},
    setting="campaign.task",
)


class PlanItem(models.Model):
    """One task of a work plan (工作方案), issued to many units at once: each unit's part is
    a :class:`Task` of this item, and one of them may lead it (牵头单位)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="plan_items", verbose_name=_("campaign")
    )
    phase = models.ForeignKey(
        Phase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("phase"),
    )
    title = models.CharField(_("task"), max_length=200)
    issued_by = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    lead = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead unit"),
    )
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope = ScopeSpec(domain="work", unit="issued_by", seen_below=True)
    objects = ScopedManager["PlanItem"]()

    class Meta:
        verbose_name = _("work plan task")
        verbose_name_plural = _("work plan tasks")
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Task(WorkflowModel):
    """Work assigned down the unit tree (层层压实责任), reported on with evidence, checked.

    A task of a work plan belongs to its :class:`PlanItem`; a unit may split its task among
    units below it (``parent``), and the task is then done when all its parts are accepted.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("campaign")
    )
    phase = models.ForeignKey(
        Phase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("phase"),
    )
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("what is to be done"), blank=True)
    issued_by = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="tasks", verbose_name=_("assigned to")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_tasks",
        verbose_name=_("responsible person"),
    )
    item = models.ForeignKey(
        PlanItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("work plan task"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("part of"),
    )

    workflow = TASK_WORKFLOW
    deadline_owner_field = "owner"
    scope = ScopeSpec(domain="work", unit="unit")
    objects = WorkflowManager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} · {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("campaign:task_detail", args=[self.pk])


class SuggestionState(models.TextChoices):
    SUBMITTED = "submitted", _("Received")
    ACCEPTED = "accepted", _("Being handled")
    ANSWERED = "answered", _("Answered")
    DECLINED = "declined", _("Not taken up")
    HANDED = "handed", _("Passed to supervision")


class SuggestionTopic(models.TextChoices):
    CONDUCT = "conduct", _("Work style and discipline of officers")
    SERVICE = "service", _("Service to the public")
    LAW = "law", _("Law enforcement and justice")
    OTHER = "other", _("Other")


SUGGESTION_WORKFLOW = Workflow(
    states=SuggestionState,
    initial=SuggestionState.SUBMITTED,
    start_label=_("Received"),
    final={SuggestionState.ANSWERED, SuggestionState.DECLINED, SuggestionState.HANDED},
    transitions=[
        Transition(
            "accept",
            SuggestionState.SUBMITTED,
            SuggestionState.ACCEPTED,
            _("Take it up"),
            action="change",
            public=True,
        ),
        Transition(
            "answer",
            [SuggestionState.SUBMITTED, SuggestionState.ACCEPTED],
            SuggestionState.ANSWERED,
            _("Answer"),
            action="change",
            comment_required=True,
            comment_prompt=_("Please write the answer the citizen will read."),
            public=True,
        ),
        Transition(
            "decline",
            [SuggestionState.SUBMITTED, SuggestionState.ACCEPTED],
            SuggestionState.DECLINED,
            _("Decline with a reason"),
            action="change",
            comment_required=True,
            comment_prompt=_("Please write why, in words the citizen will understand."),
            public=True,
        ),
        # Passed on (转办) to the unit it concerns: received there anew, its deadline kept.
        # The reason is for staff; the citizen reads "transferred to …" (services).
        Transition(
            "transfer",
            [SuggestionState.SUBMITTED, SuggestionState.ACCEPTED],
            SuggestionState.SUBMITTED,
            _("Transfer to another unit"),
            action="change",
            comment_required=True,
            button=False,
        ),
        # An opinion alleging misconduct becomes a report of the supervision module, which
        # holds it from then on (its code opens the report).
        Transition(
            "hand_over",
            [SuggestionState.SUBMITTED, SuggestionState.ACCEPTED],
            SuggestionState.HANDED,
            _("Pass to supervision as a report"),
            action="change",
            button=False,
        ),
    ],
    deadlines={
        SuggestionState.HANDED: None,
        SuggestionState.SUBMITTED: 7,
        SuggestionState.ACCEPTED: 15,
        SuggestionState.ANSWERED: None,
        SuggestionState.DECLINED: None,
    },
    setting="campaign.suggestion",
)


class Suggestion(WorkflowModel):
    """A citizen's opinion on the campaign and the officers' work (征求意见), followed by code."""

    # The campaign under way when it came in, if any: the channel itself is standing.
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestions",
        verbose_name=_("campaign"),
    )
    # The unit it concerns, as the citizen chose (the committee when he did not know), and
    # so the unit whose staff answer it; a transfer moves it.
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit handling")
    )
    topic = models.CharField(_("about"), max_length=20, choices=SuggestionTopic.choices)
    content = models.TextField(_("opinion"))
    officer_named = models.CharField(
        _("officer concerned, as the citizen wrote"), max_length=50, blank=True
    )
    name = EncryptedCharField(_("citizen's name"), blank=True)
    phone = EncryptedCharField(_("citizen's phone"), hash_field="phone_hash", blank=True)
    phone_hash = HashField(_("phone (search key)"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    # The key of the form that sent it (``core.challenge``): the same form twice makes one.
    submission = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    workflow = SUGGESTION_WORKFLOW
    deadline_owner_field = "handler"
    revealable = {"phone": mask_phone, "name": mask_name}
    # Its own domain: what citizens write is for the staff who handle it, not every officer.
    scope = ScopeSpec(domain="opinions", unit="unit", owner="handler")
    objects = WorkflowManager()

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("campaign:suggestion_detail", args=[self.pk])

    @property
    def answer_due(self) -> dt.datetime:
        """The date promised to the citizen when he wrote: the days to take it up and the days
        to answer. Taking it up late or passing it on never moves it."""
        wf = self.workflow
        days = (wf.deadline_days(SuggestionState.SUBMITTED) or 0) + (
            wf.deadline_days(SuggestionState.ACCEPTED) or 0
        )
        return self.created_at + dt.timedelta(days=days)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)


# --- Advanced models (弘扬英模精神) ------------------------------------------------------------


class ExemplarKind(models.TextChoices):
    PERSON = "person", _("A person")
    COLLECTIVE = "collective", _("A collective")


class Exemplar(models.Model):
    """A model figure or collective (英模, 先进典型): the heroes the campaign studies, and those
    the county selects from its own ranks (身边典型), shown to the public with their deeds."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=ExemplarKind.choices, default=ExemplarKind.PERSON
    )
    name = models.CharField(_("name"), max_length=60)
    # The unit the figure or collective belongs to, or (for a hero studied across the
    # country) the unit that presents him.
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    local = models.BooleanField(
        _("from our own ranks"),
        default=True,
        help_text=_("Selected in the county (身边典型), not a hero studied across the country."),
    )
    honour = models.CharField(_("title of the honour"), max_length=120)
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)
    deeds = models.TextField(_("deeds"))
    published = models.BooleanField(_("shown to the public"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope = ScopeSpec(domain="work", unit="unit", seen_below=True)
    objects = ScopedManager["Exemplar"]()

    class Meta:
        verbose_name = _("model figure or collective")
        verbose_name_plural = _("model figures and collectives")
        ordering = ["local", "-awarded_on", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaign:exemplar_edit", args=[self.pk])


# --- The leading group (领导小组) --------------------------------------------------------------


class GroupRole(models.TextChoices):
    HEAD = "head", _("Head of the group")
    DEPUTY = "deputy", _("Deputy head")
    MEMBER = "member", _("Member")
    OFFICE_HEAD = "office_head", _("Head of the group's office")
    OFFICE = "office", _("Member of the group's office")


class GroupMember(models.Model):
    """A member of a campaign's leading group (领导小组) or of its office (办公室): who, his
    post outside the group, his place in it and what he answers for."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="group")
    officer = models.ForeignKey(
        "org.Officer", on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    post = models.CharField(_("post"), max_length=80, help_text=_("E.g. 县委常委、政法委书记."))
    role = models.CharField(_("place in the group"), max_length=12, choices=GroupRole.choices)
    duty = models.CharField(_("answers for"), max_length=200, blank=True)

    scope = ScopeSpec(domain="work", unit="campaign__unit", seen_below=True)
    objects = ScopedManager["GroupMember"]()

    class Meta:
        verbose_name = _("member of the leading group")
        verbose_name_plural = _("leading group")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "officer"], name="once_in_the_group")
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.get_role_display()}"


# --- Figures that units report per period (the DHIS2 idea, kept small) -------------------


class PeriodType(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")


def period_containing(period_type: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The month or quarter (first and last day) that `day` falls in."""
    month = day.month if period_type == PeriodType.MONTH else (day.month - 1) // 3 * 3 + 1
    start = day.replace(month=month, day=1)
    months = 1 if period_type == PeriodType.MONTH else 3
    year, nxt = divmod(start.month - 1 + months, 12)
    end = dt.date(start.year + year, nxt + 1, 1) - dt.timedelta(days=1)
    return start, end


def period_label(period_type: str, start: dt.date) -> str:
    if period_type == PeriodType.MONTH:
        return _("%(year)d-%(month)02d") % {"year": start.year, "month": start.month}
    return _("%(year)d Q%(quarter)d") % {"year": start.year, "quarter": (start.month + 2) // 3}


class DataElement(models.Model):
    """A figure that no module records and units report per period, e.g. 侦办刑事案件数."""

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Letters, digits and underscores; named in dashboards and the brief."),
    )
    name = models.CharField(_("name"), max_length=120)
    measure = models.CharField(_("unit of measure"), max_length=10, help_text=_("e.g. 起, 个, 人"))
    period_type = models.CharField(
        _("reported"), max_length=10, choices=PeriodType.choices, default=PeriodType.MONTH
    )
    unit_kinds = models.JSONField(
        _("reported by units of kind"), default=list, help_text=_("Which kinds of unit report it.")
    )
    description = models.TextField(_("what is counted"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class DataReportState(models.TextChoices):
    DRAFT = "draft", _("Being filled in")
    SUBMITTED = "submitted", _("Submitted, awaiting approval")
    RETURNED = "returned", _("Returned for correction")
    APPROVED = "approved", _("Approved")


def _unit_above_may_check(report: DataReport, user: Any) -> bool:
    """Approving or returning a unit's figures is for the units above it, and not for the
    person who submitted them (a bureau's leader who enters a station's figures)."""
    if grant_for(user, "figures", "assign").holder(report.unit) is None:
        return False
    return last_actor(report, "submit") != user.pk


DATA_REPORT_WORKFLOW = Workflow(
    states=DataReportState,
    initial=DataReportState.DRAFT,
    final={DataReportState.APPROVED},
    start_label=_("Started"),
    transitions=[
        Transition(
            "submit",
            [DataReportState.DRAFT, DataReportState.RETURNED],
            DataReportState.SUBMITTED,
            _("Submit"),
            action="change",
            button=False,  # submitted from the entry form, with the figures
        ),
        Transition(
            "approve",
            DataReportState.SUBMITTED,
            DataReportState.APPROVED,
            _("Approve"),
            action="view",
            guard=_unit_above_may_check,
        ),
        Transition(
            "return",
            DataReportState.SUBMITTED,
            DataReportState.RETURNED,
            _("Return for correction"),
            action="view",
            guard=_unit_above_may_check,
            comment_required=True,
        ),
    ],
    # The deadline (the period's end + the days) is set when the report is started; an
    # approval ends it, a return gives the unit a few days to correct.
    deadlines={DataReportState.RETURNED: 3},
    setting="campaign.data_report",
    paused={DataReportState.SUBMITTED},
)

# Days after a period's end by which its figures are due (timeliness counts against it).
DATA_REPORT_DAYS = 10


class DataReport(WorkflowModel):
    """A unit's figures for one period: filled in, submitted, approved by the unit above."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    period_type = models.CharField(_("period type"), max_length=10, choices=PeriodType.choices)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    # The period's end + DATA_REPORT_DAYS: timeliness is the first submission against it.
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)

    workflow = DATA_REPORT_WORKFLOW
    scope = ScopeSpec(domain="figures", unit="unit")
    objects = WorkflowManager()

    class Meta:
        verbose_name = _("figures report")
        verbose_name_plural = _("figures reports")
        ordering = ["-period_start", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_type", "period_start"], name="one_data_report_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.period_label}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_type, self.period_start)

    @property
    def on_time(self) -> bool:
        return bool(self.submitted_at and self.submitted_at <= self.deadline)

    def get_absolute_url(self) -> str:
        return reverse(
            "campaign:data_entry",
            args=[self.unit_id, self.period_type, self.period_start.isoformat()],
        )


class DataValue(models.Model):
    report = models.ForeignKey(
        DataReport, on_delete=models.CASCADE, related_name="values", verbose_name=_("report")
    )
    element = models.ForeignKey(
        DataElement, on_delete=models.PROTECT, related_name="values", verbose_name=_("figure")
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        constraints = [
            models.UniqueConstraint(fields=["report", "element"], name="one_value_per_figure"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="value_not_negative"),
        ]

    def __str__(self) -> str:
        value = int(self.value) if self.value == int(self.value) else self.value
        return (
            f"{self.report.unit} · {self.report.period_label} · "
            f"{self.element.name} {value}{self.element.measure}"
        )

    def get_absolute_url(self) -> str:
        return self.report.get_absolute_url()
