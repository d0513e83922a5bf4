"""What changes rectification records: rounds, declarations, inquiries, the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengfa.core import workflow
from zhengfa.core.notifications import notify
from zhengfa.core.scope import grant_for, may, roles_of, subtree_q
from zhengfa.core.workflow import end_of_day
from zhengfa.org.access import Role
from zhengfa.org.directory import handlers_for
from zhengfa.org.models import Officer, OfficerStatus, Unit, User

from .models import (
    Declaration,
    DeclarationItem,
    Inquiry,
    LedgerItem,
    LedgerState,
    ProblemCategory,
    Round,
    Source,
    may_verify,
)


def _not_past(day: dt.date, field: str) -> None:
    if day < timezone.localdate():
        raise ValidationError({field: _("The deadline cannot be in the past.")})


# --- Problem categories ----------------------------------------------------------------------


def may_keep_categories(user: Any) -> bool:
    """The categories are kept by the committee at the top of the tree."""
    return Role.COMMITTEE in roles_of(user) and grant_for(user, "rectify", "assign").at_root


def category_save(
    *,
    by: Any,
    name: str,
    order: int,
    is_active: bool,
    category: ProblemCategory | None = None,
    code: str = "",
) -> ProblemCategory:
    if not may_keep_categories(by):
        raise PermissionDenied
    if category is None:
        if ProblemCategory.objects.filter(code=code).exists():
            raise ValidationError({"code": _("A category with this code exists already.")})
        category = ProblemCategory(code=code)
    category.name, category.order, category.is_active = name.strip(), order, is_active
    category.full_clean()
    category.save()
    return category


# --- Self-inspection rounds and declarations ---------------------------------------------


@transaction.atomic
def round_open(
    *,
    by: Any,
    campaign: Any,
    unit: Unit,
    title: str,
    deadline: dt.date,
    units: Sequence[Unit],
) -> Round:
    """Open a round for the units covered (and the units below them); each one's leaders
    are told."""
    grant = grant_for(by, "inspection", "change")
    if not grant.covers(unit) or not units or any(not grant.covers(u) for u in units):
        raise PermissionDenied
    if any(not u.path.startswith(unit.path) for u in units):
        raise ValidationError({"units": _("A round covers only units of the unit that opens it.")})
    _not_past(deadline, "deadline")
    opened = Round.objects.create(
        campaign=campaign, unit=unit, title=title.strip(), deadline=deadline, opened_by=by
    )
    opened.units.set(units)
    leaders = User.objects.filter(
        is_active=True,
        role_assignments__role=Role.LEADER,
        role_assignments__unit__in=Unit.objects.filter(subtree_q("", [u.path for u in units])),
    ).distinct()
    notify(
        users=leaders,
        title=_("Self-inspection opened: %(title)s") % {"title": opened.title},
        body=_("Every officer fills in his form by %(day)s.") % {"day": deadline},
        url=opened.get_absolute_url(),
        key=f"rectify-round:{opened.pk}",
    )
    return opened


def leaders_for(unit: Unit) -> list[User]:
    """Who answers for `unit`'s ledger: the leaders of the nearest unit, at it or above it,
    that has any (a station run from its bureau has none of its own)."""
    return handlers_for(unit, roles=(Role.LEADER, Role.COMMITTEE))


def round_covers(round_: Round, officer: Officer) -> bool:
    return any(officer.unit.path.startswith(p) for p in round_.units.values_list("path", flat=True))


def current_declaration(round_: Round, officer: Officer) -> Declaration | None:
    """His form in the round: the draft being written, else the latest submitted version."""
    forms = Declaration.objects.filter(round=round_, officer=officer)
    return forms.filter(submitted_at__isnull=True).first() or forms.order_by("-version").first()


def _hold(officer: Officer) -> None:
    """One change of an officer's forms at a time (a double click, two browsers): the second
    waits for the first and then sees what it did."""
    Officer.objects.select_for_update().filter(pk=officer.pk).first()


def _said_twice() -> ValidationError:
    return ValidationError(
        _("This form was changed at the same moment elsewhere. Reload the page and look again."),
        code="concurrent_change",
    )


def _own_round(round_: Round, officer: Officer, by: Any) -> None:
    if by is None or officer.user_id != by.pk or officer.status != OfficerStatus.ACTIVE:
        raise PermissionDenied
    if not round_covers(round_, officer):
        raise PermissionDenied


@transaction.atomic
def declaration_save(
    *,
    round_: Round,
    officer: Officer,
    entries: Mapping[int, str],
    submit: bool,
    by: Any,
) -> Declaration:
    """Write his form: `entries` maps each category's id to his problem ("" for none).
    Submitting records the time, is final, and puts each declared problem on the ledger as
    self-declared (自查); a submitted form changes only by an amendment (a new version)."""
    _own_round(round_, officer, by)
    _hold(officer)
    declaration = current_declaration(round_, officer)
    if declaration is not None and declaration.is_submitted:
        raise ValidationError(
            _(
                "You have already submitted this form. To change it, amend it: the "
                "amendment is a new version and the submitted one is kept."
            ),
            code="already_submitted",
        )
    categories = list(ProblemCategory.objects.filter(is_active=True))
    if declaration is None:
        try:
            with transaction.atomic():
                declaration = Declaration.objects.create(
                    round=round_, officer=officer, unit=officer.unit, version=1
                )
        except IntegrityError as exc:
            raise _said_twice() from exc
    for category in categories:
        DeclarationItem.objects.update_or_create(
            declaration=declaration,
            category=category,
            defaults={"description": entries.get(category.pk, "").strip()},
        )
    if submit:
        now = timezone.now()
        done = Declaration.objects.filter(pk=declaration.pk, submitted_at__isnull=True).update(
            submitted_at=now, unit=officer.unit
        )
        if done != 1:
            raise _said_twice()
        declaration.submitted_at, declaration.unit = now, officer.unit
        ledger_from(declaration, by)
    return declaration


def ledger_from(declaration: Declaration, by: Any) -> list[LedgerItem]:
    """The declared problems not yet on the ledger for this officer in this round."""
    listed = set(
        LedgerItem.objects.filter(
            declaration__round=declaration.round,
            declaration__officer=declaration.officer,
        ).values_list("category_id", flat=True)
    )
    items = []
    for entry in declaration.items.select_related("category"):
        if not entry.declared or entry.category_id in listed:
            continue
        item = LedgerItem(
            source=Source.SELF,
            category=entry.category,
            unit=declaration.unit,
            officer=declaration.officer,
            problem=entry.description,
            declaration=declaration,
            created_by=by,
        )
        workflow.start(record=item, by=by)
        items.append(item)
    if items:
        notify(
            users=leaders_for(declaration.unit),
            title=ngettext(
                "%(n)d self-declared problem for the ledger",
                "%(n)d self-declared problems for the ledger",
                len(items),
            )
            % {"n": len(items)},
            body=_("Set measures, a deadline and the responsible person for each."),
            url=items[0].get_absolute_url(),
        )
    return items


@transaction.atomic
def declaration_amend(*, round_: Round, officer: Officer, by: Any) -> Declaration:
    """A new version of his submitted form to change and submit again (the earlier one is
    kept as it was)."""
    _own_round(round_, officer, by)
    _hold(officer)
    latest = current_declaration(round_, officer)
    if latest is not None and not latest.is_submitted:
        return latest  # already amending: the draft he has
    if latest is None:
        raise ValidationError(_("There is nothing submitted to amend."), code="nothing_to_amend")
    try:
        with transaction.atomic():
            draft = Declaration.objects.create(
                round=round_, officer=officer, unit=officer.unit, version=latest.version + 1
            )
    except IntegrityError as exc:
        raise _said_twice() from exc
    DeclarationItem.objects.bulk_create(
        DeclarationItem(declaration=draft, category_id=i.category_id, description=i.description)
        for i in latest.items.all()
    )
    return draft


# --- The "three rules" register -------------------------------------------------------------


def inquiry_record(*, officer: Officer, by: Any, **fields: Any) -> Inquiry:
    if by is None or officer.user_id != by.pk:
        raise PermissionDenied
    if fields["asked_on"] > timezone.localdate():
        raise ValidationError({"asked_on": _("The date cannot be in the future.")})
    inquiry = Inquiry(officer=officer, unit=officer.unit, **fields)
    inquiry.full_clean()
    inquiry.save()
    return inquiry


# --- The ledger --------------------------------------------------------------------------------


def _may_assign(by: Any, unit: Unit) -> None:
    if not grant_for(by, "rectify", "assign").covers(unit):
        raise PermissionDenied


@transaction.atomic
def item_create(
    *,
    by: Any,
    source: str,
    category: ProblemCategory,
    unit: Unit,
    problem: str,
    measures: str,
    standard: str,
    deadline: dt.date,
    responsible: User,
    officer: Officer | None = None,
) -> LedgerItem:
    """A problem found otherwise than by self-inspection, with its 五定."""
    _may_assign(by, unit)
    _not_past(deadline, "deadline")
    item = LedgerItem(
        source=source,
        category=category,
        unit=unit,
        officer=officer,
        responsible=responsible,
        problem=problem.strip(),
        measures=measures.strip(),
        standard=standard.strip(),
        due_at=end_of_day(deadline),
        created_by=by,
    )
    item.full_clean(exclude=["state", "version"])
    workflow.start(record=item, by=by)
    _tell_responsible(item)
    return item


def item_from_finding(
    *,
    origin: models.Model,
    source: str,
    category_code: str,
    unit: Unit,
    problem: str,
    by: Any,
    officer: Officer | None = None,
) -> LedgerItem:
    """A problem found elsewhere (a report from the public found true) on the ledger, linked
    to the record it was found in; the unit's leaders set its 五定. Call inside the finding's
    transaction. The category is the ledger's of that code, else "other"."""
    category = (
        ProblemCategory.objects.filter(code=category_code, is_active=True).first()
        or ProblemCategory.objects.filter(code="other").first()
        or ProblemCategory.objects.filter(is_active=True).order_by("order").first()
    )
    if category is None:
        raise ValidationError(_("The ledger has no problem categories yet."))
    item = LedgerItem(
        source=source,
        category=category,
        unit=unit,
        officer=officer,
        problem=problem.strip(),
        created_by=by,
        origin_type=ContentType.objects.get_for_model(type(origin)),
        origin_id=origin.pk,
    )
    item.full_clean(exclude=["state", "version", "responsible"])
    workflow.start(record=item, by=by)
    notify(
        users=leaders_for(unit),
        title=_("A problem for the ledger"),
        body=_("Set measures, a deadline and the responsible person."),
        url=item.get_absolute_url(),
        key=f"rectify-found:{item.pk}",
    )
    return item


def items_from(origin: models.Model) -> models.QuerySet[LedgerItem]:
    """The ledger items put there from `origin`."""
    return LedgerItem.objects.filter(
        origin_type=ContentType.objects.get_for_model(type(origin)), origin_id=origin.pk
    )


def _tell_responsible(item: LedgerItem) -> None:
    if item.responsible is not None:
        notify(
            users=[item.responsible],
            title=_("You answer for %(item)s") % {"item": item},
            body=_("Rectify by %(day)s.") % {"day": timezone.localtime(item.due_at).date()}
            if item.due_at
            else "",
            url=item.get_absolute_url(),
            key=f"rectify-responsible:{item.pk}:{item.responsible_id}",
        )


def may_set_five(user: Any, item: LedgerItem) -> bool:
    """The 五定 are set by the leaders of the item's unit or of a unit above (not supervision,
    not a responsible person who leads nothing there), before rectification starts."""
    return (
        item.state == LedgerState.PENDING
        and may(user, "change", item)
        and grant_for(user, "rectify", "assign").covers(item.unit)
    )


def may_move_deadline(user: Any, item: LedgerItem) -> bool:
    """A deadline is moved by a leader of the unit or above, never by the person it binds,
    and not while the rectification waits for verification."""
    return (
        item.state in (LedgerState.PENDING, LedgerState.RECTIFYING)
        and item.due_at is not None
        and user.pk != item.responsible_id
        and may(user, "change", item)
        and grant_for(user, "rectify", "assign").covers(item.unit)
    )


@transaction.atomic
def item_update(
    *,
    item: LedgerItem,
    by: Any,
    problem: str,
    measures: str,
    standard: str,
    responsible: User,
    deadline: dt.date | None = None,
) -> LedgerItem:
    """Set the 五定 of an item before rectification starts (a self-declared one arrives with
    the officer's own words as its problem, which stay as he wrote them). A deadline already
    set is moved only with a reason (``item_deadline``). The timeline records each setting."""
    if not may_set_five(by, item):
        raise PermissionDenied
    fields: dict[str, Any] = {
        "measures": measures.strip(),
        "standard": standard.strip(),
        "responsible": responsible,
    }
    if item.source != Source.SELF:
        fields["problem"] = problem.strip()
    if item.due_at is None:
        if deadline is None:
            raise ValidationError({"deadline": _("Set the deadline.")})
        _not_past(deadline, "deadline")
        fields["due_at"] = end_of_day(deadline)
    before = item.responsible_id
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean(exclude=["state", "version"])
    item.save(update_fields=list(fields))
    workflow.note(
        record=item,
        by=by,
        kind="five",
        comment=_(
            "Set: measures “%(measures)s”; deadline %(day)s; responsible person %(name)s; "
            "acceptance standard “%(standard)s”."
        )
        % {
            "measures": item.measures,
            "day": timezone.localtime(item.due_at).date() if item.due_at else "—",
            "name": responsible.display_name,
            "standard": item.standard,
        },
    )
    if item.responsible_id != before:
        _tell_responsible(item)
    return item


@transaction.atomic
def item_deadline(*, item: LedgerItem, by: Any, deadline: dt.date, reason: str) -> LedgerItem:
    """Move the deadline, with the reason on the timeline."""
    if not may_move_deadline(by, item):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    _not_past(deadline, "deadline")
    old = timezone.localtime(item.due_at).date() if item.due_at else None
    item.due_at = end_of_day(deadline)
    item.save(update_fields=["due_at"])
    workflow.note(
        record=item,
        by=by,
        kind="deadline",
        comment=_("Deadline moved from %(old)s to %(new)s: %(reason)s")
        % {"old": old or "—", "new": deadline, "reason": reason.strip()},
    )
    return item


def item_transition(
    *,
    record: LedgerItem,
    name: str,
    by: Any,
    comment: str = "",
    files: Iterable[Any] = (),
) -> Any:
    """A step of the item's life: start (the 五定 must be set), ask for verification (with
    what was done and the evidence), verify and close or return (someone else than the
    responsible person, of a unit above or supervision)."""
    if name == "start" and not record.five_set:
        raise ValidationError(
            _(
                "Set the measures, the deadline, the responsible person and the acceptance "
                "standard first."
            ),
            code="five_not_set",
        )
    if name in ("close", "return") and by is not None and by.pk == record.responsible_id:
        raise ValidationError(
            _("The responsible person cannot verify his own rectification."),
            code="verify_own",
        )
    fields: dict[str, Any] | None = None
    if name == "close":
        fields = {"closed_at": timezone.now()}
    elif name == "submit":
        fields = {"submitted_by": by}
    event = workflow.transition(
        record=record, name=name, by=by, comment=comment, files=files, fields=fields
    )
    if name == "submit":
        _tell_verifiers(record)
    elif name in ("close", "return") and record.responsible is not None:
        notify(
            users=[record.responsible],
            title=(_("Closed: %(item)s") if name == "close" else _("Returned: %(item)s"))
            % {"item": record},
            body=comment,
            url=record.get_absolute_url(),
        )
    return event


def _tell_verifiers(item: LedgerItem) -> None:
    """Those who may verify hear that it awaits them: the leaders of the nearest unit above
    that has any, and supervision staff whose scope reaches the unit."""
    from zhengfa.core.scope import path_ancestors

    above = item.unit.parent
    verifiers = leaders_for(above) if above is not None else []
    verifiers += list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.SUPERVISION,
            role_assignments__unit__path__in=path_ancestors(item.unit),
        )
    )
    notify(
        users=[u for u in verifiers if may_verify(item, u)],
        title=_("To verify: %(item)s") % {"item": item},
        url=item.get_absolute_url(),
    )


def item_note(*, item: LedgerItem, by: Any, comment: str, files: Iterable[Any] = ()) -> Any:
    """Progress with evidence, between the steps."""
    if not may(by, "change", item):
        raise PermissionDenied
    if item.state == LedgerState.CLOSED:
        raise ValidationError(_("A closed item is not changed."), code="closed")
    return workflow.note(record=item, by=by, comment=comment, files=files)
