"""What changes supervision records: reports from the public and their handling, press
conferences and their questions.

Who sees a report (see also ``Report.scope``):
- supervision staff of the committee that holds it: everything, the reporter's identity
  masked until revealed (audited);
- the staff of the unit verifying it: its facts, never who wrote it; a report is never sent
  for verification to the unit it concerns or a unit below it;
- the officer it concerns: nothing, through any page, list, count or notice
  (``ReportQuerySet.visible_to``), and his unit nothing either (it is never the verifier).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengfa.core import attachments, challenge, followup, workflow
from zhengfa.core.attachments import attach
from zhengfa.core.notifications import notify, send_sms
from zhengfa.core.scope import may
from zhengfa.core.site import identity
from zhengfa.core.validators import normalize_id_number, normalize_phone
from zhengfa.core.workflow import end_of_day
from zhengfa.org.access import Role, paths_held_as
from zhengfa.org.directory import answering_paths, county_of, handlers_for, root_unit
from zhengfa.org.models import Officer, Unit, User

from .models import (
    FOUND,
    MERGE_TARGETS,
    Conference,
    Method,
    Question,
    QuestionState,
    Report,
    ReportKind,
    ReportState,
)

SUPERVISORS = (Role.SUPERVISION,)
VERIFIERS = (Role.LEADER, Role.CLERK, Role.SUPERVISION)


def holding_unit(about: Unit | None) -> Unit:
    """Where a report is handled: the committee of the county it concerns (the site's top
    committee when the reporter does not know the unit)."""
    unit = (county_of(about) if about is not None else None) or root_unit()
    if unit is None:
        raise ValidationError(_("The site has no units yet."))
    return unit


def _not_about(users: Sequence[User], report: Report) -> list[User]:
    """Never tell the officer a report concerns about it."""
    about = report.about_officer.user_id if report.about_officer_id else None  # type: ignore[union-attr]
    return [u for u in users if u.pk != about]


def _supervisors(report: Report) -> list[User]:
    return _not_about(handlers_for(report.unit, roles=SUPERVISORS), report)


@transaction.atomic
def report_submit(
    *,
    kind: str,
    category: str,
    story: str,
    about_unit: Unit | None = None,
    officer_named: str = "",
    happened_on: str = "",
    place: str = "",
    real_name: bool = False,
    name: str = "",
    phone: str = "",
    id_number: str = "",
    files: Sequence[Any] = (),
    submission: str = "",
    county: Unit | None = None,
) -> tuple[Report, str]:
    """A citizen's report; returns it and its follow-up code (shown once). An anonymous
    report keeps no name, phone or ID number, whatever was typed; nothing about the sender's
    connection is stored by anybody. `submission` is the form's token key: the same form
    sent twice raises DuplicateSubmission. `county`: the county the reporter chose on a
    province's site when he does not know the unit (its committee holds the report)."""
    report = Report(
        kind=kind,
        category=category,
        story=story.strip(),
        about_unit=about_unit,
        unit=holding_unit(about_unit or county),
        officer_named=officer_named.strip(),
        happened_on=happened_on.strip(),
        place=place.strip(),
        real_name=real_name,
        name=name.strip() if real_name else "",
        phone=normalize_phone(phone) if real_name else "",
        id_number=normalize_id_number(id_number) if real_name else "",
        submission=submission or None,
    )
    report.full_clean(exclude=["due_at", "submission", "state"])
    if real_name and not (report.name and report.phone):
        raise ValidationError(_("A real-name report needs a name and a phone number."))
    with challenge.made_once(Report, submission):
        workflow.start(record=report, by=None, public=True)
    for f in files:
        attach(record=report, upload=f, by=None, purpose="citizen")
    code = followup.issue(report)
    notify(
        users=_supervisors(report),
        title=_("A new report from the public"),
        url=report.get_absolute_url(),
        key=f"report-new:{report.pk}",
    )
    return report, code


@transaction.atomic
def report_supplement(*, report: Report, comment: str, files: Sequence[Any] = ()) -> None:
    """The reporter adds information or files while the report is open (follow-up page)."""
    if not report.open_to_additions:
        raise ValidationError(_("This request is closed and takes no more additions."))
    workflow.note(record=report, by=None, comment=comment, public=True, files=files)
    notify(
        users=_supervisors(report),
        title=_("The reporter added information"),
        url=report.get_absolute_url(),
    )


@transaction.atomic
def report_rate(*, report: Report, rating: str, comment: str = "") -> None:
    """The reporter's rating of the result, once, after it is closed."""
    if report.state != ReportState.CLOSED or report.rated_at is not None:
        raise ValidationError(_("This request cannot be rated now."))
    changed = Report.objects.filter(pk=report.pk, rated_at__isnull=True).update(
        satisfaction=rating, satisfaction_comment=comment.strip(), rated_at=timezone.now()
    )
    if changed != 1:
        raise ValidationError(_("This request cannot be rated now."))


@transaction.atomic
def report_transition(
    *, record: Report, name: str, by: Any, comment: str = "", files: Sequence[Any] = ()
) -> Report:
    """Accept, decline, handle on its own again (merged by mistake) or (anonymous,
    concluded) close a report."""
    fields: dict[str, Any] | None = None
    if name == "accept":
        fields = {"accepted_at": timezone.now()}
    elif name == "unmerge":
        fields = {"merged_into": None}
    if name == "close" and record.real_name:
        raise ValidationError(_("A real-name reporter is given feedback before it is closed."))
    workflow.transition(
        record=record, name=name, by=by, comment=comment, files=files, fields=fields
    )
    record.refresh_from_db()
    if name == "decline":
        _text_reporter(record)
    return record


def _text_reporter(report: Report) -> None:
    if report.real_name and report.phone:
        send_sms(
            to=report.phone,
            text=_(
                "%(owner)s: there is a reply to your report. Enter your follow-up code on the "
                "site to read it."
            )
            % {"owner": identity().owner or _("Political-Legal Work Platform")},
            purpose="report-reply",
        )


def verifier_allowed(report: Report, unit: Unit) -> bool:
    """A report is never verified by the unit it concerns, nor by a unit below it."""
    concerned = [report.about_unit] if report.about_unit_id else []
    if report.about_officer_id:
        concerned.append(report.about_officer.unit)  # type: ignore[union-attr]
    return not any(unit.path.startswith(c.path) for c in concerned if c is not None)


def default_verification_days() -> int:
    return Report.workflow.deadline_days(ReportState.VERIFYING) or 30


@transaction.atomic
def report_assign(
    *,
    report: Report,
    by: Any,
    unit: Unit,
    method: str,
    deadline: dt.date,
    comment: str = "",
    officer: Officer | None = None,
) -> Report:
    """Send a report to a unit for verification (交办) with a deadline and the handling
    method; the officer it concerns may be named now that staff know him."""
    if method == Method.END:
        raise ValidationError(
            {"method": _("To close it without further action, conclude it directly.")}
        )
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if officer is not None:
        report.about_officer = officer
    if not unit.is_active:
        raise ValidationError({"unit": _("This unit is no longer active.")})
    if not verifier_allowed(report, unit):
        raise ValidationError(
            {"unit": _("A report is never verified by the unit it concerns or a unit below it.")}
        )
    if answering_paths([unit.path], VERIFIERS).get(unit.path) != unit.path:
        raise ValidationError(
            {
                "unit": _(
                    "Nobody at this unit can take it (no leader, clerk or supervision account): "
                    "choose the unit above it."
                )
            }
        )
    workflow.transition(
        record=report,
        name="assign",
        by=by,
        comment=comment,
        due_at=end_of_day(deadline),
        fields={"verifier_unit": unit, "method": method, "about_officer": report.about_officer},
    )
    report.refresh_from_db()
    notify(
        users=_not_about(handlers_for(unit, roles=VERIFIERS), report),
        title=_("A matter for your unit to verify"),
        body=_("Verify by %(day)s.") % {"day": deadline},
        url=report.get_absolute_url(),
        key=f"report-verify:{report.pk}:{report.version}",
    )
    return report


def may_verify(user: Any, report: Report) -> bool:
    """The staff of the verifying unit record what they found, while it is being verified."""
    if report.state != ReportState.VERIFYING or report.verifier_unit_id is None:
        return False
    held = {p for role in VERIFIERS for p in paths_held_as(user, role)}
    return report.verifier_unit.path in held and may(user, "view", report)  # type: ignore[union-attr]


@transaction.atomic
def verification_note(*, report: Report, by: Any, comment: str, files: Sequence[Any] = ()) -> None:
    """What the verification found so far (notes and files), for supervision staff."""
    if not (may_verify(by, report) or may(by, "change", report)):
        raise PermissionDenied
    if not report.is_open:
        raise ValidationError(_("This report is closed."))
    workflow.note(record=report, by=by, comment=comment, files=files, kind="verification")
    if may_verify(by, report):
        notify(
            users=_supervisors(report),
            title=_("Verification notes on %(report)s") % {"report": report},
            url=report.get_absolute_url(),
        )


@transaction.atomic
def report_conclude(
    *,
    report: Report,
    by: Any,
    conclusion: str,
    finding: str,
    reply: str,
    method: str = "",
    officer: Officer | None = None,
) -> Report:
    """The conclusion (属实, 部分属实, 不属实, 无法核实), what was found (staff) and the
    reply the reporter reads. A report found true goes on the rectification ledger (source
    群众举报), linked both ways, when that module is present; reports merged into it follow."""
    if not reply.strip():
        raise ValidationError({"reply": _("Please write the reply the reporter will read.")})
    if not finding.strip():
        raise ValidationError({"finding": _("Please write what was found.")})
    if officer is not None:
        report.about_officer = officer
        if report.verifier_unit is not None and not verifier_allowed(report, report.verifier_unit):
            raise ValidationError(
                {
                    "officer": _(
                        "This officer's own unit is verifying the report. Send it to another "
                        "unit for verification first."
                    )
                }
            )
    found = conclusion in FOUND
    concerned = report.about_officer.unit if report.about_officer_id else report.about_unit  # type: ignore[union-attr]
    if found and concerned is None:
        raise ValidationError(
            {"officer": _("Name the officer or the unit concerned before concluding it true.")}
        )
    now = timezone.now()
    fields = {
        "conclusion": conclusion,
        "finding": finding.strip(),
        "concluded_at": now,
        "about_officer": report.about_officer,
        "method": method or report.method or Method.VERIFY,
    }
    workflow.transition(record=report, name="conclude", by=by, comment=reply, fields=fields)
    report.refresh_from_db()
    if found and concerned is not None and apps.is_installed("zhengfa.rectify"):
        from zhengfa.rectify.models import Source
        from zhengfa.rectify.services import item_from_finding

        item_from_finding(
            origin=report,
            source=Source.REPORT,
            category_code=report.category,
            unit=concerned,
            officer=report.about_officer,
            problem=report.finding,
            by=by,
        )
    for merged in report.merged.filter(state=ReportState.MERGED):
        workflow.transition(
            record=merged,
            name="follow",
            by=by,
            comment=reply,
            fields=fields,
        )
        _text_reporter(merged)
    _text_reporter(report)
    return report


@transaction.atomic
def report_feedback(*, report: Report, by: Any, method: str, note: str) -> Report:
    """Feedback given to a real-name reporter (how, and what was said), then closed."""
    if not report.real_name:
        raise ValidationError(_("An anonymous reporter cannot be contacted: close it instead."))
    if not note.strip():
        raise ValidationError({"note": _("Please write what the reporter was told.")})
    now = timezone.now()
    how = dict(Report._meta.get_field("feedback_method").choices or []).get(method, method)
    workflow.transition(
        record=report,
        name="feedback",
        by=by,
        comment=_("We gave you the result %(how)s on %(day)s.")
        % {"how": how, "day": timezone.localdate(now)},
        fields={"feedback_at": now, "feedback_method": method},
    )
    workflow.note(record=report, by=by, comment=note, kind="feedback")
    report.refresh_from_db()
    return report


@transaction.atomic
def report_merge(*, report: Report, into: Report, by: Any, reason: str = "") -> Report:
    """Handle `report` with another report of the same matter: it follows that one to the
    same conclusion, and its reporter is told so."""
    if into.pk == report.pk:
        raise ValidationError({"into": _("A report cannot go with itself.")})
    if into.state not in MERGE_TARGETS or into.merged_into_id is not None:
        raise ValidationError({"into": _("That report is not open to take others.")})
    if report.merged.exists():
        raise ValidationError(
            {"into": _("Other reports are handled with this one: merge them the other way.")}
        )
    if into.unit_id != report.unit_id:
        raise ValidationError({"into": _("That report is handled elsewhere.")})
    if not may(by, "change", into):
        raise PermissionDenied
    workflow.transition(
        record=report,
        name="merge",
        by=by,
        comment=_(
            "Others reported the same matter. It is handled together with theirs; the result "
            "will be given here."
        ),
        fields={"merged_into": into},
    )
    if reason.strip():
        workflow.note(record=report, by=by, comment=reason)
    report.refresh_from_db()
    return report


@transaction.atomic
def report_from_opinion(*, opinion: Any, by: Any, kind: str, category: str) -> Report:
    """An opinion on the campaign that alleges misconduct becomes a report, held by
    supervision from now on: the citizen's code opens the report, his files go with it, and
    who he is leaves the opinion (supervision's rule applies to it now)."""
    from zhengfa.campaign.services import suggestion_hand_over

    # One hand-over at a time: a second press of the button finds it handed over.
    opinion = type(opinion)._default_manager.select_for_update().get(pk=opinion.pk)
    if not may(by, "change", opinion) or not opinion.is_open:
        raise PermissionDenied
    about = opinion.unit if opinion.unit.parent_id is not None else None
    real = bool(opinion.name or opinion.phone)
    report = Report(
        kind=kind or ReportKind.MISCONDUCT,
        category=category,
        story=opinion.content,
        about_unit=about,
        unit=holding_unit(about),
        officer_named=opinion.officer_named,
        real_name=real,
        name=opinion.name,
        phone=opinion.phone,
        from_opinion=opinion,
        created_at=opinion.created_at,
    )
    report.full_clean(exclude=["due_at", "submission", "state"])
    workflow.start(
        record=report,
        by=by,
        public=True,
        comment=_("Your opinion is handled as a report of misconduct from now on."),
    )
    workflow.move_citizen_notes(opinion, report)
    attachments.move(opinion, report)
    followup.move(opinion, report)
    suggestion_hand_over(record=opinion, by=by)
    notify(
        users=_supervisors(report),
        title=_("An opinion was passed on as a report"),
        url=report.get_absolute_url(),
        key=f"report-new:{report.pk}",
    )
    return report


# --- Press conferences ----------------------------------------------------------------------


def conference_save(
    *, by: Any, unit: Unit, conference: Conference | None = None, **fields: Any
) -> Conference:
    from zhengfa.core.scope import grant_for

    if not grant_for(by, "press", "change").covers(unit):
        raise PermissionDenied
    target = conference or Conference(unit=unit)
    target.unit = unit
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def question_submit(
    *,
    conference: Conference,
    text: str,
    signed: str = "",
    want_code: bool = False,
    submission: str = "",
) -> tuple[Question, str]:
    """A citizen's question for a conference; a follow-up code if he asked for one.
    `submission` is the form's token key: the same form sent twice raises
    DuplicateSubmission."""
    if not (conference.questions_open and conference.published):
        raise ValidationError(_("This conference takes no more questions."))
    question = Question(
        conference=conference,
        text=text.strip(),
        signed=signed.strip(),
        submission=submission or None,
    )
    question.full_clean(exclude=["due_at", "state", "submission"])
    with challenge.made_once(Question, submission):
        workflow.start(record=question, by=None, public=True)
    code = followup.issue(question) if want_code else ""
    notify(
        users=handlers_for(conference.unit),
        title=_("A question for the press conference"),
        url=question.get_absolute_url(),
        key=f"question-new:{question.pk}",
    )
    return question, code


@transaction.atomic
def question_transition(
    *, record: Question, name: str, by: Any, comment: str = "", files: Sequence[Any] = ()
) -> Question:
    fields: dict[str, Any] | None = None
    if name == "answer":
        fields = {"answer": comment.strip(), "answered_by": workflow.acting_unit_name(record, by)}
    workflow.transition(record=record, name=name, by=by, comment=comment, fields=fields)
    record.refresh_from_db()
    return record


def answered_questions(conference: Conference) -> Any:
    return conference.questions.filter(state=QuestionState.ANSWERED).order_by("pk")
