"""Writes of the study module. Each checks scope; bad input raises ValidationError at a field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengfa.core.attachments import IMAGE_TYPES, attach
from zhengfa.core.notifications import notify
from zhengfa.core.scope import grant_for, may
from zhengfa.org.access import CHANGE, Role
from zhengfa.org.models import Officer, OfficerStatus, Unit, User

from . import qr
from .models import (
    Activity,
    ActivityStatus,
    ActivityType,
    Attendance,
    AudienceUnit,
    Distribution,
    Material,
    Note,
    OnlineStudy,
    Reflection,
    ReflectionComment,
    Speech,
    Topic,
)
from .selectors import audience_of, in_audience


def organiser_units(by: Any) -> Any:
    """Units whose study work `by` may organise (work domain, change)."""
    return Unit.objects.granted_to(by, "work", CHANGE)


def may_organise_at(by: Any, unit: Unit) -> bool:
    return grant_for(by, "work", CHANGE).covers(unit)


def _may_organise(by: Any, unit: Unit) -> None:
    if not may_organise_at(by, unit):
        raise PermissionDenied


def may_organise(by: Any, activity: Activity) -> bool:
    return may(by, CHANGE, activity)


def _check_dates(starts_at: dt.datetime, ends_at: dt.datetime, held: bool) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end is not after the start.")})
    # A start earlier today is an activity under way, entered late: it takes place now.
    # Only one that began on an earlier day must be recorded as already held.
    if not held and timezone.localdate(starts_at) < timezone.localdate():
        raise ValidationError(
            {
                "starts_at": _(
                    "This start time is on an earlier day. To record an activity already "
                    "held, tick “already held”."
                )
            }
        )
    if held and starts_at > timezone.now():
        raise ValidationError(
            {"starts_at": _("An activity already held cannot start in the future.")}
        )


@transaction.atomic
def activity_save(
    *,
    by: Any,
    activity: Activity | None = None,
    title: str,
    type: ActivityType,
    unit: Unit,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    audience_units: Sequence[tuple[Unit, bool]] = (),
    audience_officers: Sequence[Officer] = (),
    held: bool = False,
    notify_audience: bool = True,
    **fields: Any,
) -> Activity:
    """Create or change an activity. `held` records one that already took place."""
    _may_organise(by, unit)
    if activity is not None and not may_organise(by, activity):
        raise PermissionDenied
    _check_dates(
        starts_at,
        ends_at,
        held or (activity is not None and activity.status != ActivityStatus.UPCOMING),
    )
    phase, campaign = fields.get("phase"), fields.get("campaign")
    if phase is not None and (campaign is None or phase.campaign_id != campaign.pk):
        raise ValidationError({"phase": _("This phase belongs to another campaign.")})
    if not audience_units and not audience_officers:
        raise ValidationError(
            {"audience_units": _("Choose who is to attend: units or named officers.")}
        )
    creating = activity is None
    activity = activity or Activity()
    activity.title = title
    activity.type = type
    activity.unit = unit
    activity.starts_at = starts_at
    activity.ends_at = ends_at
    for key, value in fields.items():
        setattr(activity, key, value)
    activity.full_clean(exclude=["qr_secret", "audience_officers"])
    activity.save()
    activity.audience_units.all().delete()
    AudienceUnit.objects.bulk_create(
        [AudienceUnit(activity=activity, unit=u, include_subunits=sub) for u, sub in audience_units]
    )
    activity.audience_officers.set(list(audience_officers))
    if creating and notify_audience and activity.status == ActivityStatus.UPCOMING:
        users = [o.user for o in audience_of(activity).select_related("user")]
        notify(
            users=users,
            title=_("Study: %(title)s") % {"title": title},
            body=timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"),
            url=activity.get_absolute_url(),
            key=f"study-activity:{activity.pk}",
        )
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity, by: Any, reason: str) -> Activity:
    if not may_organise(by, activity):
        raise PermissionDenied
    if activity.status == ActivityStatus.ENDED:
        raise ValidationError(_("An activity that has ended cannot be cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    activity.cancelled = True
    activity.cancel_reason = reason.strip()
    activity.save(update_fields=["cancelled", "cancel_reason"])
    return activity


def _officer_of(user: Any) -> Officer:
    officer = Officer.objects.filter(user=user, status=OfficerStatus.ACTIVE).first()
    if officer is None:
        raise ValidationError(
            _("Only officers with a profile can sign in to study activities."), code="no_profile"
        )
    return officer


@transaction.atomic
def sign_in_by_qr(
    *,
    activity: Activity,
    token: str,
    user: Any,
    now: dt.datetime | None = None,
    opened_in_time: bool = False,
) -> Attendance:
    """An officer signs in by scanning the projected code. `opened_in_time`: this browser
    opened the code while it was current (``qr.opened_in_time``), so a code that turned
    over while he signed in to the site still counts."""
    now = now or timezone.now()
    outcome = qr.check(activity, token, now)
    if outcome == qr.Outcome.STALE and opened_in_time:
        outcome = qr.Outcome.OK
    if outcome == qr.Outcome.FORGED:
        raise ValidationError(
            _("This sign-in code is not valid. Scan the code on the screen again."), code="forged"
        )
    if outcome == qr.Outcome.STALE:
        raise ValidationError(
            _(
                "This sign-in code has expired. Scan the code on the screen again: "
                "it changes every minute."
            ),
            code="stale",
        )
    if activity.cancelled:
        raise ValidationError(_("This activity was cancelled."), code="cancelled")
    opens, closes = activity.sign_in_window()
    if not opens <= now <= closes:
        raise ValidationError(
            _("Sign-in is open from %(opens)s to %(closes)s.")
            % {
                "opens": timezone.localtime(opens).strftime("%m-%d %H:%M"),
                "closes": timezone.localtime(closes).strftime("%m-%d %H:%M"),
            },
            code="window",
        )
    officer = _officer_of(user)
    walk_in = not in_audience(activity, officer)
    if walk_in and not activity.allow_walk_ins:
        raise ValidationError(
            _("You are not on the list for this activity. Ask the organiser."), code="not_audience"
        )
    existing = Attendance.objects.filter(activity=activity, officer=officer).first()
    if existing and existing.status == Attendance.Status.PRESENT:
        raise ValidationError(
            _("You signed in already, at %(time)s.")
            % {
                "time": timezone.localtime(existing.signed_at).strftime("%H:%M")
                if existing.signed_at
                else ""
            },
            code="already",
        )
    if existing:  # on leave, then came after all
        existing.status = Attendance.Status.PRESENT
        existing.method = Attendance.Method.QR
        existing.signed_at = now
        existing.leave_reason = ""
        existing.save(update_fields=["status", "method", "signed_at", "leave_reason"])
        return existing
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                activity=activity,
                officer=officer,
                status=Attendance.Status.PRESENT,
                method=Attendance.Method.QR,
                signed_at=now,
                walk_in=walk_in,
            )
    except IntegrityError as exc:  # a double tap: the first one counted
        raise ValidationError(_("You signed in already."), code="already") from exc


@transaction.atomic
def sign_in_by_hand(*, activity: Activity, officers: Sequence[Officer], by: Any) -> int:
    """The organiser ticks attendees; returns how many were newly marked present.

    People outside the audience count only if the activity takes walk-ins, and then only
    officers the organiser may see; anyone else, or anyone who no longer serves, refuses the
    whole list, nothing saved.
    """
    if not may_organise(by, activity):
        raise PermissionDenied
    if activity.cancelled:
        raise ValidationError(_("This activity was cancelled."), code="cancelled")
    if activity.status == ActivityStatus.UPCOMING:
        raise ValidationError(_("Attendance can be recorded once the activity has begun."))
    gone = [o for o in officers if o.status != OfficerStatus.ACTIVE]
    if gone:
        raise ValidationError(
            _("No longer serving, so not marked: %(names)s.")
            % {"names": "、".join(o.name for o in gone)},
            code="not_serving",
        )
    audience = set(audience_of(activity).values_list("pk", flat=True))
    outside = {o.pk for o in officers if o.pk not in audience}
    if outside:
        if not activity.allow_walk_ins:
            raise ValidationError(
                _("Some of the people ticked are not in this activity's audience."),
                code="not_audience",
            )
        seen = set(
            Officer.objects.visible_to(by).filter(pk__in=outside).values_list("pk", flat=True)
        )
        if seen != outside:
            raise PermissionDenied
    marked = 0
    now = timezone.now()
    for officer in officers:
        row, created = Attendance.objects.get_or_create(
            activity=activity,
            officer=officer,
            defaults={
                "status": Attendance.Status.PRESENT,
                "method": Attendance.Method.MANUAL,
                "signed_at": now,
                "walk_in": officer.pk not in audience,
            },
        )
        if created:
            marked += 1
        elif row.status != Attendance.Status.PRESENT:
            row.status = Attendance.Status.PRESENT
            row.method = Attendance.Method.MANUAL
            row.signed_at = now
            row.leave_reason = ""
            row.save()
            marked += 1
    return marked


@transaction.atomic
def record_leave(*, activity: Activity, officer: Officer, reason: str, by: Any) -> Attendance:
    if not may_organise(by, activity):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    present = Attendance.objects.filter(
        activity=activity, officer=officer, status=Attendance.Status.PRESENT
    ).first()
    if present is not None:  # a typed name must not wipe a real sign-in
        raise ValidationError(
            {
                "officer": _("%(name)s signed in at %(time)s: no leave to record.")
                % {
                    "name": officer.user.display_name,
                    "time": timezone.localtime(present.signed_at).strftime("%H:%M")
                    if present.signed_at
                    else "",
                }
            }
        )
    row, _created = Attendance.objects.update_or_create(
        activity=activity,
        officer=officer,
        defaults={
            "status": Attendance.Status.LEAVE,
            "leave_reason": reason.strip(),
            "method": "",
            "signed_at": None,
        },
    )
    return row


@transaction.atomic
def note_save(*, activity: Activity, user: Any, text: str, photos: Sequence[Any] = ()) -> Note:
    """笔记: an attendee types his notes or photographs them."""
    officer = _officer_of(user)
    if not Attendance.objects.filter(
        activity=activity, officer=officer, status=Attendance.Status.PRESENT
    ).exists():
        raise ValidationError(_("Only people who attended can add notes."), code="not_attendee")
    if not text.strip() and not photos:
        raise ValidationError({"text": _("Type your notes or add a photo of them.")})
    note, _created = Note.objects.update_or_create(
        activity=activity, officer=officer, defaults={"text": text.strip()}
    )
    for photo in photos:
        attach(record=note, upload=photo, by=user, purpose="note")
    return note


@transaction.atomic
def speech_add(*, activity: Activity, speaker: str, summary: str, by: Any) -> Speech:
    if not may_organise(by, activity):
        raise PermissionDenied
    if not speaker.strip() or not summary.strip():
        raise ValidationError(_("Give who spoke and a short summary."))
    return Speech.objects.create(
        activity=activity, speaker=speaker.strip(), summary=summary.strip()
    )


@transaction.atomic
def photos_add(*, activity: Activity, files: Sequence[Any], by: Any) -> int:
    if not may_organise(by, activity):
        raise PermissionDenied
    if not files:
        raise ValidationError({"attachments": _("Choose at least one photo.")})
    for f in files:
        try:
            attach(record=activity, upload=f, by=by, purpose="photo", accept=IMAGE_TYPES)
        except ValidationError as exc:  # the transaction drops the photos stored before
            raise ValidationError({"attachments": exc.messages}) from exc
    return len(files)


@transaction.atomic
def minutes_save(*, activity: Activity, text: str, files: Sequence[Any], by: Any) -> Activity:
    """记录: the minutes, typed and/or as a document."""
    if not may_organise(by, activity):
        raise PermissionDenied
    if not text.strip() and not files:
        raise ValidationError({"text": _("Type the minutes or add the document.")})
    if text.strip():
        activity.minutes = text.strip()
        activity.save(update_fields=["minutes"])
    for f in files:
        attach(record=activity, upload=f, by=by, purpose="minutes")
    return activity


# --- Materials ----------------------------------------------------------------------------


@transaction.atomic
def material_create(
    *,
    by: Any,
    unit: Unit,
    title: str,
    description: str = "",
    online_text: str = "",
    is_booklet: bool = True,
) -> Material:
    import nh3

    _may_organise(by, unit)
    return Material.objects.create(
        unit=unit,
        title=title,
        description=description,
        online_text=nh3.clean(online_text),
        is_booklet=is_booklet,
    )


@transaction.atomic
def distribution_record(
    *, material: Material, unit: Unit, copies: int, distributed_on: dt.date, by: Any
) -> Distribution:
    """Copies handed to a unit below the material's publisher; the unit is told to confirm."""
    _may_organise(by, material.unit)
    if not unit.is_within(material.unit):
        raise ValidationError({"unit": _("Materials go to the publisher's own units.")})
    if copies <= 0:
        raise ValidationError({"copies": _("Give a number of copies above zero.")})
    if distributed_on > timezone.localdate():
        raise ValidationError({"distributed_on": _("The date cannot be in the future.")})
    distribution = Distribution.objects.create(
        material=material, unit=unit, copies=copies, distributed_on=distributed_on
    )
    receivers = User.objects.filter(
        role_assignments__unit=unit, role_assignments__role__in=[Role.LEADER, Role.CLERK]
    ).distinct()
    notify(
        users=receivers,
        title=_("Please confirm receipt: %(title)s") % {"title": material.title},
        url=reverse("study:distribution_list"),
        key=f"distribution:{distribution.pk}",
    )
    return distribution


@transaction.atomic
def distribution_confirm(*, distribution: Distribution, received_by: str, by: Any) -> Distribution:
    if not may(by, CHANGE, distribution):
        raise PermissionDenied
    if distribution.confirmed_at:
        raise ValidationError(_("Receipt was confirmed already."))
    if not received_by.strip():
        raise ValidationError({"received_by": _("Give the name of the person who received them.")})
    distribution.received_by = received_by.strip()
    distribution.confirmed_at = timezone.now()
    distribution.save(update_fields=["received_by", "confirmed_at"])
    return distribution


@transaction.atomic
def online_study_mark(*, material: Material, user: Any, note: str) -> OnlineStudy:
    officer = _officer_of(user)
    if not material.online_text:
        raise ValidationError(_("This material has no online version."))
    study, _created = OnlineStudy.objects.update_or_create(
        material=material,
        officer=officer,
        defaults={"note": note.strip(), "studied_at": timezone.now()},
    )
    return study


# --- 大家谈 -------------------------------------------------------------------------------


@transaction.atomic
def topic_create(
    *, by: Any, unit: Unit, title: str, prompt: str, due_on: dt.date, campaign: Any = None
) -> Topic:
    _may_organise(by, unit)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date has passed.")})
    return Topic.objects.create(
        unit=unit, title=title, prompt=prompt, due_on=due_on, campaign=campaign
    )


@transaction.atomic
def reflection_submit(*, topic: Topic, user: Any, shortcomings: str, plans: str) -> Reflection:
    officer = _officer_of(user)
    if not officer.unit.is_within(topic.unit):
        raise PermissionDenied
    if len(shortcomings.strip()) < 10 or len(plans.strip()) < 10:
        raise ValidationError(_("Write at least ten characters in each part."))
    reflection, _created = Reflection.objects.update_or_create(
        topic=topic,
        officer=officer,
        defaults={
            "unit": officer.unit,
            "shortcomings": shortcomings.strip(),
            "plans": plans.strip(),
            "submitted_at": timezone.now(),
        },
    )
    return reflection


@transaction.atomic
def reflection_comment(*, reflection: Reflection, by: Any, text: str) -> ReflectionComment:
    """A leader of the officer's unit reads and comments."""
    if not may(by, CHANGE, reflection):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write a comment.")})
    comment = ReflectionComment.objects.create(reflection=reflection, author=by, text=text.strip())
    notify(
        users=[reflection.officer.user],
        title=_("Your reflection has a comment"),
        url=reflection.get_absolute_url(),
        key=f"reflection-comment:{comment.pk}",
    )
    return comment
