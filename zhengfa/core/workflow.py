"""State machines for records: one table per module, one helper that applies a transition.

How a module uses it::

    class Task(WorkflowModel):                      # adds state, version, due_at, ...
        workflow = Workflow(
            states=TaskState,
            initial=TaskState.ASSIGNED,
            final={TaskState.DONE},
            files=True,                           # transitions may carry evidence files
            transitions=[
                Transition("report", TaskState.ASSIGNED, TaskState.REPORTED, _("Report"),
                           action="change"),
                Transition("accept", TaskState.REPORTED, TaskState.DONE, _("Accept"),
                           action="assign"),
            ],
            deadlines={TaskState.ASSIGNED: 14},   # days; None keeps the current due date
            setting="campaign.task",              # ZHENGFA_DEADLINES["campaign.task"] overrides
        )
        objects = WorkflowManager()

    start(record=task, by=request.user)             # in the create service: state, due, event
    transition(record=task, name="report", by=request.user, comment="...", files=[...])

``start`` gives a new record its initial state and due date, saves it and writes the first
timeline event. ``transition`` checks the table and the actor's scope
(``Model.objects.visible_to(by, action)``, plus the transition's ``guard``), then moves the
state with a
conditional UPDATE on (state, version): of two concurrent transitions exactly one wins, the
other gets :class:`ConcurrentChange`. It writes a :class:`~zhengfa.core.models.TimelineEvent`
and stores any files through ``core.attachments``. Overdue and due-soon are computed from
``due_at`` (``WorkflowQuerySet.overdue()`` / ``.due_within(days)``); nothing stores them.
Detail pages include ``core/partials/_transitions.html`` with ``transition_panel(...)`` and
``core/partials/_timeline.html`` with ``timeline_for(record)``; the module's URL for a
transition is ``core.generic.transition_view(...)`` around its transition service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from .models import TimelineEvent
from .scope import ScopedManager, ScopedQuerySet, may

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


def start_of_day(day: dt.date) -> dt.datetime:
    """The first moment of a date, local time (the start of a period asked for by dates)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def end_of_day(day: dt.date) -> dt.datetime:
    """A deadline date as the moment it passes: the end of that day, local time."""
    return dt.datetime.combine(day, dt.time(23, 59), tzinfo=timezone.get_current_timezone())


class TransitionNotAllowed(ValidationError):
    """The transition does not exist or does not start from the record's current state."""


class ConcurrentChange(ValidationError):
    """Someone else changed the record first; nothing was saved."""


@dataclass(frozen=True)
class Transition:
    name: str
    source: str | Sequence[str]
    target: str
    label: str | Promise
    action: str = "change"
    comment_required: bool = False
    public: bool = False  # the event (and its comment) is shown to the citizen
    by_citizen: bool = False  # a citizen with the follow-up code may do it (by=None)
    # A rule across records that scope alone cannot say (record, user) -> allowed.
    guard: Callable[[Any, Any], bool] | None = None
    # What a missing comment is asked for ("请填写答复内容。"); "请填写理由。" if unset.
    comment_prompt: str | Promise = ""
    # False for a step with a form of its own (a transfer needs a unit), not a plain button.
    button: bool = True

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)


@dataclass
class Workflow:
    states: type[models.TextChoices]
    initial: str
    transitions: list[Transition]
    final: set[str] = field(default_factory=set)
    # Whether transitions may carry files (evidence); the buttons' form offers an upload.
    files: bool = False
    # What the first timeline event says (e.g. "Received", "Assigned"); "Created" if unset.
    start_label: str | Promise = ""
    deadlines: dict[str, int | None] = field(default_factory=dict)
    setting: str = ""
    due_soon_days: int = 3
    # States in which the record waits on someone other than its deadline owner (a check,
    # a verification): the deadline job does not tell the owner he is late then.
    paused: set[str] = field(default_factory=set)

    def get(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def available(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def _deadlines(self) -> dict[str, int | None]:
        configured = settings.ZHENGFA_DEADLINES.get(self.setting, {})
        return {**self.deadlines, **configured}

    def deadline_days(self, state: str) -> int | None:
        return self._deadlines().get(state)

    def due_for(
        self, state: str, now: dt.datetime, current: dt.datetime | None
    ) -> dt.datetime | None:
        """The due date on entering `state`: a new one if the state has a deadline (None
        clears it), else the current one carries on."""
        deadlines = self._deadlines()
        if state not in deadlines:
            return current
        days = deadlines[state]
        return now + dt.timedelta(days=days) if days else None

    def label(self, state: str) -> str:
        return str(dict(self.states.choices).get(state, state))


class WorkflowQuerySet(ScopedQuerySet[Any]):
    def open(self) -> WorkflowQuerySet:
        return self.exclude(state__in=self.model.workflow.final)

    def overdue(self, now: dt.datetime | None = None) -> WorkflowQuerySet:
        return self.open().filter(due_at__lt=now or timezone.now())

    def due_within(self, days: int, now: dt.datetime | None = None) -> WorkflowQuerySet:
        now = now or timezone.now()
        return self.open().filter(due_at__gte=now, due_at__lte=now + dt.timedelta(days=days))


class WorkflowManager(ScopedManager[Any]):
    # A model may narrow its records further with a queryset of its own (a subclass).
    _queryset_class = WorkflowQuerySet

    def get_queryset(self) -> WorkflowQuerySet:
        qs: WorkflowQuerySet = self._queryset_class(self.model, using=self._db)
        return qs

    def visible_to(self, user: Any, action: str = "view") -> WorkflowQuerySet:
        return self.get_queryset().visible_to(user, action)

    def open(self) -> WorkflowQuerySet:
        return self.get_queryset().open()

    def overdue(self, now: dt.datetime | None = None) -> WorkflowQuerySet:
        return self.get_queryset().overdue(now)

    def due_within(self, days: int, now: dt.datetime | None = None) -> WorkflowQuerySet:
        return self.get_queryset().due_within(days, now)


class WorkflowModel(models.Model):
    """Abstract base for records with a workflow. Subclasses set ``workflow`` and ``scope``."""

    workflow: ClassVar[Workflow]
    # The user who should hear about deadlines (a field name), or None.
    deadline_owner_field: ClassVar[str | None] = None

    state = models.CharField(gettext_lazy("status"), max_length=30, db_index=True)
    version = models.PositiveIntegerField(gettext_lazy("version"), default=0, editable=False)
    state_changed_at = models.DateTimeField(gettext_lazy("status since"), default=timezone.now)
    due_at = models.DateTimeField(gettext_lazy("due"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(gettext_lazy("created"), default=timezone.now)

    class Meta:
        abstract = True

    @property
    def state_label(self) -> str:
        return self.workflow.label(self.state)

    @property
    def is_open(self) -> bool:
        return self.state not in self.workflow.final

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_at and self.due_at < timezone.now())

    def due_soon(self, days: int | None = None) -> bool:
        if not self.is_open or not self.due_at:
            return False
        horizon = timezone.now() + dt.timedelta(days=days or self.workflow.due_soon_days)
        return timezone.now() <= self.due_at <= horizon

    def initial_due_at(self) -> dt.datetime | None:
        days = self.workflow.deadline_days(self.workflow.initial)
        return timezone.now() + dt.timedelta(days=days) if days else None


def acting_unit_name(record: models.Model, by: Any) -> str:
    """The unit a staff member acts for on `record`, as the citizen is to see it in place of
    the account: the deepest unit where he holds the record's domain that reaches the
    record's unit (the bureau, when the bureau's leader takes up a station's matter). Empty
    for the citizen, and for a record without a unit (the page then names the site's owner).
    """
    if by is None:
        return ""
    spec = getattr(type(record), "scope", None)
    # The record's unit is the one its scope names ("unit", "organisation", "case__unit"; of
    # several, the first).
    field = spec.unit if spec is not None else "unit"
    unit: Any = record
    for step in (field if isinstance(field, str) else field[0]).split("__"):
        unit = getattr(unit, step, None)
    if unit is None:
        return ""
    if spec is not None:
        from .scope import grant_for

        covering = [
            p for p in grant_for(by, spec.domain, "view").unit_paths if unit.path.startswith(p)
        ]
        deepest = max(covering, key=len, default=unit.path)
        if deepest != unit.path:
            manager = type(unit)._default_manager
            name = manager.filter(path=deepest).values_list("name", flat=True).first()
            if name:
                return str(name)
    return str(unit)


def allowed_transitions(record: WorkflowModel, user: Any) -> list[Transition]:
    """The transitions `user` may apply to `record` now (for the buttons on a detail page)."""
    return [
        t
        for t in record.workflow.available(record.state)
        if (t.guard is None or t.guard(record, user)) and may(user, t.action, record)
    ]


def start(
    *, record: WorkflowModel, by: Any, comment: str = "", public: bool = False
) -> TimelineEvent:
    """Give a new record its initial state and due date, save it, and write the first event.

    `by` is None for a citizen's submission; a due date already set (a deadline the assigner
    chose) is kept. Call inside the creating service's transaction, after validation.
    """
    wf = record.workflow
    record.state = wf.initial
    if record.due_at is None:
        record.due_at = record.initial_due_at()
    record.state_changed_at = timezone.now()
    record.save()
    return TimelineEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        actor=by,
        by_citizen=by is None,
        unit_name=acting_unit_name(record, by),
        transition="start",
        to_state=wf.initial,
        comment=comment.strip(),
        public=public,
    )


def transition(
    *,
    record: WorkflowModel,
    name: str,
    by: Any,
    comment: str = "",
    files: Iterable[UploadedFile] = (),
    due_at: dt.datetime | None = None,
    fields: dict[str, Any] | None = None,
) -> TimelineEvent:
    """Apply transition `name` to `record` as `by` (None for the citizen holding the code).

    `fields` are other columns to set in the same UPDATE (an assignee, a result). Raises
    TransitionNotAllowed, PermissionDenied or ConcurrentChange, and then saves nothing.
    """
    model = type(record)
    wf = record.workflow
    t = wf.get(name)
    if t is None or record.state not in t.sources:
        raise TransitionNotAllowed(
            _("This cannot be done while the record is “%(state)s”.")
            % {"state": record.state_label},
            code="transition_not_allowed",
        )
    if t.comment_required and not comment.strip():
        prompt = str(t.comment_prompt) if t.comment_prompt else _("Please give a reason.")
        raise ValidationError({"comment": prompt}, code="comment_required")
    with transaction.atomic():
        if by is None:
            if not t.by_citizen:
                raise PermissionDenied
        elif (t.guard is not None and not t.guard(record, by)) or not may(by, t.action, record):
            raise PermissionDenied
        now = timezone.now()
        if due_at is None:
            due_at = wf.due_for(t.target, now, record.due_at)
        updates: dict[str, Any] = {
            "state": t.target,
            "version": F("version") + 1,
            "state_changed_at": now,
            "due_at": due_at,
            **(fields or {}),
        }
        changed = model._default_manager.filter(
            pk=record.pk, state=record.state, version=record.version
        ).update(**updates)
        if changed != 1:
            raise ConcurrentChange(
                _(
                    "Someone else has already changed this record. Reload the page to see the "
                    "current state; nothing you entered here was saved."
                ),
                code="concurrent_change",
            )
        event = TimelineEvent.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=record.pk,
            actor=by,
            by_citizen=by is None,
            unit_name=acting_unit_name(record, by),
            transition=t.name,
            from_state=record.state,
            to_state=t.target,
            comment=comment.strip(),
            public=t.public,
        )
        files = list(files)
        if files:
            from .attachments import attach

            for f in files:
                attach(record=record, upload=f, by=by, event=event)
        record.refresh_from_db()
    return event


def note(
    *,
    record: models.Model,
    by: Any,
    comment: str,
    public: bool = False,
    files: Iterable[UploadedFile] = (),
    unit_name: str | None = None,
    kind: str = "",
) -> TimelineEvent:
    """A timeline entry without a change of state (a remark, a public reply, a supplement).

    `unit_name` names the acting unit when it is not the record's present unit (a transfer's
    notice is signed by the unit that passed the record on); `kind` names what the entry
    records when it is not a remark (a moved deadline), so that a module can tell them apart."""
    if not comment.strip() and not list(files):
        raise ValidationError({"comment": _("Write something or add a file.")}, code="empty_note")
    with transaction.atomic():
        event = TimelineEvent.objects.create(
            content_type=ContentType.objects.get_for_model(type(record)),
            object_id=record.pk,
            actor=by,
            by_citizen=by is None,
            unit_name=acting_unit_name(record, by) if unit_name is None else unit_name,
            transition=kind,
            comment=comment.strip(),
            public=public,
        )
        from .attachments import attach

        for f in files:
            attach(record=record, upload=f, by=by, event=event)
    return event


def move_citizen_notes(old: models.Model, new: models.Model) -> int:
    """What the citizen added to `old` (his notes and their files' entries) belongs to `new`
    from now on: a matter that changed hands between modules keeps what he said, and the
    staff of the old one no longer read it. His first submission stays the old record's."""
    return (
        TimelineEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(old)),
            object_id=old.pk,
            by_citizen=True,
        )
        .exclude(transition="start")
        .update(content_type=ContentType.objects.get_for_model(type(new)), object_id=new.pk)
    )


def last_actor(record: models.Model, transition: str) -> Any:
    """The id of whoever last took `transition` on `record` (None: nobody, or a citizen)."""
    return (
        TimelineEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)),
            object_id=record.pk,
            transition=transition,
        )
        .order_by("-time", "-pk")
        .values_list("actor", flat=True)
        .first()
    )


def timeline_for(record: models.Model, public_only: bool = False) -> list[TimelineEvent]:
    """The record's events, oldest first, with state labels for the timeline partial."""
    qs = (
        TimelineEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        )
        .select_related("actor")
        .prefetch_related("attachments")
    )
    if public_only:
        qs = qs.filter(public=True)
    wf: Workflow | None = getattr(record, "workflow", None)
    events = list(qs)
    for e in events:
        e.from_label = wf.label(e.from_state) if wf else e.from_state
        e.to_label = wf.label(e.to_state) if wf else e.to_state
        if e.transition == "start":
            e.start_label = str(
                wf.start_label if wf and wf.start_label else pgettext("timeline", "Created")
            )
    return events


def transition_panel(
    record: WorkflowModel, user: Any, *, url_name: str, form: Any = None
) -> dict[str, Any]:
    """Context for ``core/partials/_transitions.html``: the buttons `user` may press now."""
    from .forms import TransitionForm

    return {
        "record": record,
        "transitions": [t for t in allowed_transitions(record, user) if t.button],
        "form": form or TransitionForm(files=record.workflow.files),
        "url_name": url_name,
    }
