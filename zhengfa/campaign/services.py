from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengfa.core import challenge, followup, workflow
from zhengfa.core.attachments import IMAGE_TYPES, attach, attachments_of
from zhengfa.core.notifications import notify, send_sms
from zhengfa.core.scope import grant_for
from zhengfa.core.site import identity
from zhengfa.core.validators import normalize_phone, validate_plausible_date
from zhengfa.core.workflow import end_of_day
from zhengfa.org.access import Role
from zhengfa.org.directory import handlers_for, root_unit
from zhengfa.org.models import Unit, User

from .models import (
    DATA_REPORT_DAYS,
    Campaign,
    DataElement,
    DataReport,
    DataReportState,
    DataValue,
    Phase,
    PlanItem,
    Suggestion,
    SuggestionState,
    Task,
    TaskState,
    all_parts_done,
    period_containing,
)


@transaction.atomic
def campaign_create(
    *,
    name: str,
    unit: Unit,
    phases: Sequence[tuple[str, str, dt.date, dt.date]],
    description: str = "",
) -> Campaign:
    """A campaign with its phases (kind, name, start, end), which must follow one another."""
    if not phases:
        raise ValidationError(_("A campaign needs at least one phase."))
    for (_k, _n, start, end), nxt in zip(phases, [*phases[1:], None], strict=True):
        if end < start:
            raise ValidationError(_("A phase ends before it starts."))
        if nxt is not None and nxt[2] <= end:
            raise ValidationError(_("Phases must follow one another without overlapping."))
    campaign = Campaign.objects.create(
        name=name,
        unit=unit,
        starts_on=phases[0][2],
        ends_on=phases[-1][3],
        description=description,
    )
    for order, (kind, phase_name, start, end) in enumerate(phases, start=1):
        Phase.objects.create(
            campaign=campaign, kind=kind, name=phase_name, order=order, starts_on=start, ends_on=end
        )
    return campaign


# --- Tasks assigned down the unit tree --------------------------------------------------


def _responsible_for(unit: Unit) -> list[User]:
    """Who answers for a task of `unit`: its leaders; a unit without any (a station run from
    its bureau) answers through the nearest unit above that has someone to report."""
    leaders = list(
        User.objects.filter(
            is_active=True, role_assignments__unit=unit, role_assignments__role=Role.LEADER
        ).distinct()
    )
    return leaders or handlers_for(unit)


@transaction.atomic
def task_assign(
    *,
    campaign: Campaign,
    title: str,
    description: str,
    units: Sequence[Unit],
    due_at: dt.datetime,
    by: Any,
    phase: Phase | None = None,
    lead: Unit | None = None,
) -> list[Task]:
    """Issue a task of the work plan to many units below the issuer at once: one plan item,
    one task per unit (each unit's leader is told), `lead` among them leading it (牵头)."""
    grant = grant_for(by, "work", "assign")
    if grant.empty:
        raise PermissionDenied
    if due_at <= timezone.now():
        raise ValidationError({"due_at": _("The deadline must be in the future.")})
    if phase is not None and phase.campaign_id != campaign.pk:
        raise ValidationError({"phase": _("This phase belongs to another campaign.")})
    if lead is not None and lead not in units:
        raise ValidationError({"lead": _("The lead unit must be one of the units assigned.")})
    holders = set()
    for unit in units:
        if not unit.is_active:
            raise ValidationError({"units": _("%(unit)s is no longer active.") % {"unit": unit}})
        # The issuing unit is the one whose role reaches the target, strictly above it.
        holder = grant.holder(unit)
        if holder is None:
            raise PermissionDenied
        holders.add(holder)
    # The plan item is the issuer's: the highest unit issuing (one, for a person of one unit).
    item = PlanItem.objects.create(
        campaign=campaign,
        phase=phase,
        title=title,
        issued_by=Unit.objects.get(path=min(holders, key=len)),
        lead=lead,
        due_at=due_at,
    )
    return [
        _issue(
            item=item,
            unit=unit,
            issued_by=Unit.objects.get(path=grant.holder(unit)),
            description=description,
            by=by,
        )
        for unit in units
    ]


def _issue(
    *,
    item: PlanItem,
    unit: Unit,
    issued_by: Unit,
    description: str,
    by: Any,
    parent: Task | None = None,
    due_at: dt.datetime | None = None,
) -> Task:
    leaders = _responsible_for(unit)
    task = Task(
        campaign=item.campaign,
        phase=item.phase,
        item=item,
        parent=parent,
        title=item.title,
        description=description,
        issued_by=issued_by,
        unit=unit,
        owner=leaders[0] if leaders else None,
        due_at=due_at or item.due_at,
    )
    workflow.start(record=task, by=by)
    notify(
        users=leaders,
        title=_("New task for %(unit)s: %(title)s") % {"unit": unit.name, "title": item.title},
        url=task.get_absolute_url(),
        key=f"task-assigned:{task.pk}",
    )
    return task


@transaction.atomic
def task_split(
    *, task: Task, units: Sequence[Unit], by: Any, due_at: dt.datetime, description: str = ""
) -> list[Task]:
    """Split a unit's task among units below it (层层分解). The task is then reported through
    its parts: its unit checks them, and it is done when all are accepted."""
    if not grant_for(by, "work", "assign").covers(task.unit):
        raise PermissionDenied
    if not task.is_open or task.state == TaskState.REPORTED:
        raise ValidationError(_("Only a task still being worked on can be split."))
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    now = timezone.now()
    if due_at <= now:
        raise ValidationError({"due_at": _("The deadline must be in the future.")})
    if task.due_at and due_at > task.due_at:
        raise ValidationError(
            {
                "due_at": _("A part cannot be due after the task itself (%(due)s).")
                % {"due": timezone.localtime(task.due_at).date()}
            }
        )
    taken = set(task.parts.exclude(state=TaskState.CANCELLED).values_list("unit_id", flat=True))
    for unit in units:
        if not unit.is_active or unit.pk == task.unit_id or not unit.is_within(task.unit):
            raise ValidationError(
                {
                    "units": _("%(unit)s is not an active unit below %(task_unit)s.")
                    % {"unit": unit, "task_unit": task.unit}
                }
            )
        if unit.pk in taken:
            raise ValidationError(
                {"units": _("%(unit)s already has a part of this task.") % {"unit": unit}}
            )
    item = task.item
    if item is None:
        # A task issued before work plans: it becomes its own plan item.
        item = PlanItem.objects.create(
            campaign=task.campaign,
            phase=task.phase,
            title=task.title,
            issued_by=task.issued_by,
            due_at=task.due_at or due_at,
        )
        Task.objects.filter(pk=task.pk).update(item=item)
    return [
        _issue(
            item=item,
            unit=unit,
            issued_by=task.unit,
            description=description or task.description,
            by=by,
            parent=task,
            due_at=due_at,
        )
        for unit in units
    ]


def _follow_parts(task: Task, by: Any) -> None:
    """After a part is accepted (or cancelled), its parent is done if every part is."""
    parent = task.parent
    if parent is None or not parent.is_open:
        return
    if all_parts_done(parent, by):
        # Closed in the name of the person who answers for the parent: the one who accepted
        # the last part may be of the unit below it (a chain of three levels).
        task_transition(
            record=parent,
            name="parts_done",
            by=parent.owner or by,
            comment=_("Every part has been accepted."),
        )


@transaction.atomic
def task_transition(
    *, record: Task, name: str, by: Any, comment: str = "", files: Sequence[Any] = ()
) -> Task:
    """Report, accept, return or cancel a task; the other side is told."""
    task = record
    workflow.transition(record=task, name=name, by=by, comment=comment, files=files)
    task.refresh_from_db()
    if name == "report":
        checkers = User.objects.filter(
            is_active=True,
            role_assignments__unit=task.issued_by,
            role_assignments__role__in=[Role.LEADER, Role.COMMITTEE, Role.CLERK],
        ).distinct()
        notify(
            users=checkers,
            title=_("Reported: %(task)s") % {"task": task},
            url=task.get_absolute_url(),
            key=f"task-reported:{task.pk}:{task.version}",
        )
    elif task.owner is not None:
        notify(
            users=[task.owner],
            title=_("%(task)s: %(state)s") % {"task": task.title, "state": task.state_label},
            url=task.get_absolute_url(),
            key=f"task-{name}:{task.pk}:{task.version}",
        )
    if name == "cancel":
        # A task called off takes its open parts with it, all the way down.
        for part in task.parts.exclude(state__in=[TaskState.DONE, TaskState.CANCELLED]):
            task_transition(record=part, name="cancel", by=by, comment=comment)
    if name in ("accept", "cancel", "parts_done"):
        _follow_parts(task, by)  # and the parent's parent, when this closes the parent
    return task


# --- Opinions from the public, followed by code ------------------------------------------


@transaction.atomic
def suggestion_submit(
    *,
    topic: str,
    content: str,
    unit: Unit | None = None,
    officer_named: str = "",
    name: str = "",
    phone: str = "",
    files: Sequence[Any] = (),
    submission: str = "",
) -> tuple[Suggestion, str]:
    """A citizen's opinion about `unit` (None: he does not know which; the root unit routes
    it). Returns the record and its follow-up code (shown once, and texted to `phone`).
    `submission` is the form's token key: the same form sent twice raises
    DuplicateSubmission."""
    target = unit or root_unit()
    if target is None:
        raise ValidationError(_("The site has no units yet."))
    today = timezone.localdate()
    suggestion = Suggestion(
        campaign=Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on")
        .first(),
        unit=target,
        topic=topic,
        content=content.strip(),
        officer_named=officer_named.strip(),
        name=name.strip(),
        phone=normalize_phone(phone),
        state=SuggestionState.SUBMITTED,
        submission=submission or None,
    )
    suggestion.full_clean(exclude=["handler", "due_at", "submission"])
    with challenge.made_once(Suggestion, submission):
        workflow.start(record=suggestion, by=None, public=True)
    for f in files:
        attach(record=suggestion, upload=f, by=None, purpose="citizen")
    code = followup.issue(suggestion)
    notify(
        users=handlers_for(target),
        title=_("New opinion from the public"),
        url=suggestion.get_absolute_url(),
        key=f"suggestion-new:{suggestion.pk}",
    )
    return suggestion, code


@transaction.atomic
def suggestion_transfer(*, record: Suggestion, to: Unit, by: Any, reason: str) -> Suggestion:
    """Pass an opinion on (转办) to the unit it concerns, with a reason for its staff.

    It is received there anew, with no handler and the deadline it had; the citizen reads
    "transferred to …", signed by the unit that passed it on, never the reason.
    """
    if to.pk == record.unit_id:
        raise ValidationError({"unit": _("It is already with this unit.")})
    if not to.is_active:
        raise ValidationError({"unit": _("This unit is no longer active.")})
    from_unit = workflow.acting_unit_name(record, by)
    workflow.transition(
        record=record,
        name="transfer",
        by=by,
        comment=reason,
        # The clock keeps running: passing it on never buys time (nor clears "overdue").
        due_at=record.due_at,
        fields={"unit": to, "handler": None},
    )
    workflow.note(
        record=record,
        by=by,
        comment=_("Transferred to %(unit)s, which will answer you.") % {"unit": to.name},
        public=True,
        unit_name=from_unit,
    )
    notify(
        users=handlers_for(to),
        title=_("An opinion was transferred to your unit"),
        url=record.get_absolute_url(),
        key=f"suggestion-transfer:{record.pk}:{record.version}",
    )
    return record


@transaction.atomic
def suggestion_transition(
    *, record: Suggestion, name: str, by: Any, comment: str = "", files: Sequence[Any] = ()
) -> Suggestion:
    """Take up, answer or decline an opinion; the citizen gets a text when it is answered."""
    suggestion = record
    fields = {"handler": by} if name == "accept" or suggestion.handler_id is None else None
    workflow.transition(
        record=suggestion,
        name=name,
        by=by,
        comment=comment,
        files=files,
        fields=fields,
        # Taken up: answered by the date the citizen was promised, however late it is taken.
        due_at=suggestion.answer_due if name == "accept" else None,
    )
    suggestion.refresh_from_db()
    if name in {"answer", "decline"} and suggestion.phone:
        send_sms(
            to=suggestion.phone,
            text=_(
                "%(owner)s: your opinion has been answered. Enter your follow-up code on "
                "the site to read the reply."
            )
            % {"owner": identity().owner or _("Political-Legal Work Platform")},
            purpose="suggestion-answered",
        )
    return suggestion


@transaction.atomic
def suggestion_supplement(
    *, suggestion: Suggestion, comment: str, files: Sequence[Any] = ()
) -> None:
    """The citizen adds information while the opinion is open (from the follow-up page)."""
    if not suggestion.is_open:
        raise ValidationError(_("This request is closed and takes no more additions."))
    workflow.note(record=suggestion, by=None, comment=comment, public=True, files=files)
    if suggestion.handler is not None:
        notify(
            users=[suggestion.handler],
            title=_("The citizen added information"),
            url=suggestion.get_absolute_url(),
        )


@transaction.atomic
def suggestion_hand_over(*, record: Suggestion, by: Any) -> Suggestion:
    """The opinion was passed to supervision as a report (``supervision.services``): it
    ends here, and keeps neither what was alleged nor who wrote it, which follow the
    supervision rule from now on."""
    workflow.transition(
        record=record,
        name="hand_over",
        by=by,
        comment=_("Passed to supervision staff as a report of misconduct."),
        fields={
            "name": "",
            "phone": "",
            "phone_hash": "",
            "content": _("(Passed to supervision as a report.)"),
            "officer_named": "",
        },
    )
    record.refresh_from_db()
    return record


# --- Advanced models (弘扬英模精神) ------------------------------------------------------------

PORTRAIT = "portrait"


def exemplar_save(*, exemplar: Any, by: Any, photo: Any = None) -> Any:
    """A model figure or collective, entered by the staff of its unit (or above)."""
    if not grant_for(by, "work", "change").covers(exemplar.unit):
        raise PermissionDenied
    if exemplar.awarded_on is not None and exemplar.awarded_on > timezone.localdate():
        raise ValidationError({"awarded_on": _("The date cannot be in the future.")})
    exemplar.full_clean()
    with transaction.atomic():
        exemplar.save()
        if photo is not None:
            attach(record=exemplar, upload=photo, by=by, purpose=PORTRAIT, accept=IMAGE_TYPES)
    return exemplar


def portrait(exemplar: Any) -> Any:
    return attachments_of(exemplar, PORTRAIT).order_by("-pk").first()


def with_portraits(ids: list[int]) -> set[int]:
    """Of the model figures `ids`, those with a photo (one query)."""
    from django.contrib.contenttypes.models import ContentType

    from zhengfa.core.models import Attachment

    from .models import Exemplar

    return set(
        Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Exemplar),
            object_id__in=ids,
            purpose=PORTRAIT,
        ).values_list("object_id", flat=True)
    )


# --- The leading group (领导小组) --------------------------------------------------------------

GROUP_ORDER = ["head", "deputy", "member", "office_head", "office"]


def group_add(*, member: Any, by: Any) -> Any:
    """A member of the campaign's leading group, added by those who lead the campaign."""
    from .models import GroupMember, GroupRole

    if not grant_for(by, "work", "change").covers(member.campaign.unit):
        raise PermissionDenied
    if GroupMember.objects.filter(campaign=member.campaign, officer=member.officer).exists():
        raise ValidationError({"officer": _("This officer is in the group already.")})
    if (
        member.role == GroupRole.HEAD
        and GroupMember.objects.filter(campaign=member.campaign, role=GroupRole.HEAD).exists()
    ):
        raise ValidationError({"role": _("The group has its head already.")})
    member.full_clean()
    member.save()
    return member


def group_remove(*, member: Any, by: Any) -> None:
    if not grant_for(by, "work", "change").covers(member.campaign.unit):
        raise PermissionDenied
    member.delete()


def group_of(campaign: Any) -> list[Any]:
    """The group in its order: the head, the deputies, the members, then the office."""
    members = campaign.group.select_related("officer__user", "officer__unit")
    return sorted(members, key=lambda m: (GROUP_ORDER.index(m.role), m.pk))


# --- Figures reported per unit and period --------------------------------------------------


def elements_for(unit: Unit, period_type: str) -> list[DataElement]:
    """The figures `unit` reports each period of `period_type` (by its kind)."""
    return [
        e
        for e in DataElement.objects.filter(is_active=True, period_type=period_type)
        if unit.kind in e.unit_kinds
    ]


def period_open(period_type: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """The period beginning on `start`: refused if `start` begins none, or if it has not begun."""
    validate_plausible_date(start)
    first, last = period_containing(period_type, start)
    if first != start:
        raise ValidationError(_("No period begins on %(day)s.") % {"day": start})
    if first > timezone.localdate():
        raise ValidationError(_("Figures cannot be entered for a period still to come."))
    return first, last


@transaction.atomic
def data_save(
    *,
    unit: Unit,
    period_type: str,
    period_start: dt.date,
    values: dict[DataElement, Decimal | None],
    by: Any,
    submit: bool = False,
) -> DataReport:
    """Keep a unit's figures for a period (a draft, or corrected after a return) and, with
    `submit`, send them to the unit above. Figures already submitted or approved stay as
    they are until the unit above returns them."""
    if not grant_for(by, "figures", "change").covers(unit):
        raise PermissionDenied
    start, end = period_open(period_type, period_start)
    expected = elements_for(unit, period_type)
    if not expected:
        raise ValidationError(_("%(unit)s reports no figures of this kind.") % {"unit": unit})
    errors = {}
    for element in expected:
        value = values.get(element)
        if value is not None and value < 0:
            errors[element.code] = _("A figure cannot be negative.")
        elif value is None and submit:
            errors[element.code] = _("Enter this figure (0 if there were none) before submitting.")
    if errors:
        raise ValidationError(errors)
    report = (
        DataReport.objects.select_for_update()
        .filter(unit=unit, period_type=period_type, period_start=start)
        .first()
    )
    if report is None:
        report = DataReport(
            unit=unit,
            period_type=period_type,
            period_start=start,
            period_end=end,
            deadline=end_of_day(end + dt.timedelta(days=DATA_REPORT_DAYS)),
        )
        report.due_at = report.deadline
        workflow.start(record=report, by=by)
    elif report.state == DataReportState.APPROVED:
        raise ValidationError(
            _("The figures of %(period)s are approved; they can no longer be changed.")
            % {"period": report.period_label}
        )
    elif report.state == DataReportState.SUBMITTED:
        raise ValidationError(
            _(
                "The figures of %(period)s are submitted and await approval; to change them, ask "
                "the unit above to return them."
            )
            % {"period": report.period_label}
        )
    for element in expected:
        value = values.get(element)
        if value is None:
            DataValue.objects.filter(report=report, element=element).delete()
        else:
            DataValue.objects.update_or_create(
                report=report, element=element, defaults={"value": value}
            )
    if submit:
        workflow.transition(
            record=report,
            name="submit",
            by=by,
            fields={"submitted_at": report.submitted_at or timezone.now()},
        )
        # The leaders of the unit above (or, if it has none, of the nearest one that has).
        checkers = handlers_for(unit.parent, (Role.LEADER, Role.COMMITTEE)) if unit.parent else []
        notify(
            users=checkers,
            title=_("Figures to approve: %(report)s") % {"report": report},
            url=report.get_absolute_url(),
            key=f"data-submitted:{report.pk}:{report.version}",
        )
    return report


@transaction.atomic
def data_transition(
    *, record: DataReport, name: str, by: Any, comment: str = "", files: Sequence[Any] = ()
) -> DataReport:
    """Approve or return a unit's figures; the unit is told of a return."""
    workflow.transition(record=record, name=name, by=by, comment=comment)
    record.refresh_from_db()
    if name == "return":
        notify(
            users=_responsible_for(record.unit),
            title=_("Figures returned for correction: %(report)s") % {"report": record},
            url=record.get_absolute_url(),
            key=f"data-returned:{record.pk}:{record.version}",
        )
    return record
