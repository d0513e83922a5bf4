"""What changes the records of service to the people: a village's officer (the history
kept) and its WeChat group, appointments and their slots, home visits, volunteer services
and the convenience measures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengfa.core import challenge, followup, workflow
from zhengfa.core.attachments import IMAGE_TYPES, attach, attachments_of
from zhengfa.core.crypto import keyed_hash
from zhengfa.core.notifications import send_sms
from zhengfa.core.scope import can, grant_for, may
from zhengfa.core.validators import normalize_phone, validate_mobile
from zhengfa.core.workflow import start_of_day
from zhengfa.org.access import Role
from zhengfa.org.directory import handlers_for
from zhengfa.org.models import Area, AreaLevel, Officer, OfficerStatus, Unit

from .calendar import holiday_name, is_working_day, working_days
from .models import (
    MEASURE_ORDER,
    Appointment,
    AppointmentState,
    CalendarDay,
    HomeVisit,
    Measure,
    MeasureState,
    MeasureUpdate,
    Offer,
    Opening,
    Slot,
    VillageGroup,
    VillagePost,
    VolunteerActivity,
    serving_today,
)

GROUP_CODE = "group-code"
OFFICER_PHOTO = "officer-photo"


def serves(unit: Unit, village: Area) -> bool:
    """Whether `unit` serves the village (the village or its township is among its areas)."""
    return unit.areas.filter(Q(pk=village.pk) | Q(pk=village.parent_id)).exists()


def current_post(village: Area) -> VillagePost | None:
    return (
        VillagePost.objects.filter(serving_today(), village=village)
        .order_by("-starts_on")
        .select_related("officer__user", "officer__unit")
        .first()
    )


@transaction.atomic
def post_assign(
    *,
    village: Area,
    officer: Officer,
    by: Any,
    starts_on: dt.date | None = None,
    duties: str = "",
    office_hours: str = "",
    photo: Any = None,
) -> VillagePost:
    """Make `officer` the village's officer from `starts_on`; the post he replaces ends the
    day before, and stays in the history. A photo of him may go with it."""
    starts_on = starts_on or timezone.localdate()
    if village.level != AreaLevel.VILLAGE:
        raise ValidationError({"village": _("Choose an administrative village.")})
    if not grant_for(by, "service", "change").covers(officer.unit):
        raise PermissionDenied
    if officer.status != OfficerStatus.ACTIVE:
        raise ValidationError({"officer": _("This officer is no longer serving.")})
    if not serves(officer.unit, village):
        raise ValidationError({"officer": _("This officer's unit does not serve the village.")})
    if starts_on > timezone.localdate() + dt.timedelta(days=60):
        raise ValidationError({"starts_on": _("Assign at most 60 days ahead.")})
    # The current post is held for the rest of the transaction: two assignments at once
    # cannot both end it.
    current = (
        VillagePost.objects.select_for_update()
        .filter(village=village, ends_on__isnull=True)
        .first()
    )
    if current is not None:
        if current.officer_id == officer.pk:
            raise ValidationError({"officer": _("This officer is already the village's officer.")})
        if starts_on <= current.starts_on:
            raise ValidationError(
                {
                    "starts_on": _("Start after the present officer's start (%(day)s).")
                    % {"day": current.starts_on}
                }
            )
        current.ends_on = starts_on - dt.timedelta(days=1)
        current.save(update_fields=["ends_on"])
    post = VillagePost.objects.create(
        village=village,
        officer=officer,
        unit=officer.unit,
        starts_on=starts_on,
        duties=duties.strip(),
        office_hours=office_hours.strip(),
        by=by,
    )
    if photo is not None:
        attach(record=post, upload=photo, by=by, purpose=OFFICER_PHOTO, accept=IMAGE_TYPES)
    return post


@transaction.atomic
def post_update(
    *, post: VillagePost, by: Any, duties: str, office_hours: str, photo: Any = None
) -> VillagePost:
    """The present post's duties, hours and photo, kept by the officer or his unit's staff."""
    if not (
        post.officer.user_id == getattr(by, "pk", None)
        or grant_for(by, "service", "change").covers(post.unit)
    ):
        raise PermissionDenied
    if post.ends_on is not None:
        raise ValidationError(_("This post has already ended."))
    post.duties, post.office_hours = duties.strip(), office_hours.strip()
    post.full_clean()
    post.save(update_fields=["duties", "office_hours"])
    if photo is not None:
        attach(record=post, upload=photo, by=by, purpose=OFFICER_PHOTO, accept=IMAGE_TYPES)
    return post


def officer_photo(post: VillagePost) -> Any:
    """The photo that goes with a post (or None)."""
    return attachments_of(post, OFFICER_PHOTO).order_by("-pk").first()


@transaction.atomic
def post_end(*, post: VillagePost, by: Any, ends_on: dt.date | None = None) -> VillagePost:
    """End a post without a successor (the village then shows as not covered)."""
    if not grant_for(by, "service", "change").covers(post.unit):
        raise PermissionDenied
    ends_on = ends_on or timezone.localdate()
    if post.ends_on is not None:
        raise ValidationError(_("This post has already ended."))
    if ends_on < post.starts_on:
        raise ValidationError({"ends_on": _("The end cannot come before the start.")})
    post.ends_on = ends_on
    post.save(update_fields=["ends_on"])
    return post


def may_keep_group(user: Any, village: Area) -> bool:
    """The village's officer keeps its group; so do his unit's staff who hold the domain."""
    post = current_post(village)
    if post is None:
        return False
    return post.officer.user_id == getattr(user, "pk", None) or grant_for(
        user, "service", "change"
    ).covers(post.unit)


@transaction.atomic
def group_save(
    *,
    village: Area,
    by: Any,
    name: str,
    members: int,
    code_image: Any = None,
    code_expires_on: dt.date | None = None,
) -> VillageGroup:
    """The village group's name and size, and a new join code (a picture) with the day WeChat
    says it expires."""
    if not may_keep_group(by, village):
        raise PermissionDenied
    post = current_post(village)
    assert post is not None
    if not name.strip():
        raise ValidationError({"name": _("Give the group's name.")})
    if members < 0 or members > 100000:
        raise ValidationError({"members": _("Give the number of members.")})
    if code_image is not None and code_expires_on is None:
        raise ValidationError(
            {"code_expires_on": _("Say until when the join code is valid (WeChat shows it).")}
        )
    if code_expires_on is not None and code_expires_on < timezone.localdate():
        raise ValidationError({"code_expires_on": _("This date has passed.")})
    if code_expires_on is not None and code_expires_on > timezone.localdate() + dt.timedelta(
        days=30
    ):
        raise ValidationError(
            {"code_expires_on": _("WeChat's join codes last a week: give the date WeChat shows.")}
        )
    group, _created = VillageGroup.objects.get_or_create(
        village=village, defaults={"unit": post.unit, "name": name.strip()}
    )
    group.unit, group.name, group.members = post.unit, name.strip(), members
    if code_image is not None:
        attach(record=group, upload=code_image, by=by, purpose=GROUP_CODE, accept=IMAGE_TYPES)
        group.code_expires_on = code_expires_on
    elif code_expires_on is not None and group_code(group) is not None:
        group.code_expires_on = code_expires_on
    group.save()
    return group


def group_code(group: VillageGroup) -> Any:
    """The latest join code picture of a group (or None)."""
    return attachments_of(group, GROUP_CODE).order_by("-pk").first()


# --- Appointments (预约服务) ------------------------------------------------------------------

# Appointments that hold a place in their slot.
HOLDING = [AppointmentState.BOOKED, AppointmentState.CONFIRMED]


@dataclass(frozen=True)
class FreeSlot:
    """A slot as the booking page offers it (no row exists until it is first booked)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    left: int
    holiday: bool

    @property
    def key(self) -> str:
        return timezone.localtime(self.starts_at).strftime("%Y-%m-%dT%H:%M")


def _openings_on(openings: list[Opening], day: dt.date, working: bool) -> list[Opening]:
    if working:
        if any(o.day == day and o.closed for o in openings):
            return []
        return [o for o in openings if o.day is None]
    return [o for o in openings if o.day == day and not o.closed]


def _cut(opening: Opening, day: dt.date) -> list[tuple[dt.datetime, dt.datetime, int]]:
    tz = timezone.get_current_timezone()
    step = dt.timedelta(minutes=max(opening.slot_minutes, 5))
    at = dt.datetime.combine(day, opening.opens, tzinfo=tz)
    end = dt.datetime.combine(day, opening.closes, tzinfo=tz)
    cut = []
    while at + step <= end:
        cut.append((at, at + step, opening.capacity))
        at += step
    return cut


def plan(offer: Offer, first: dt.date, last: dt.date) -> dict[dt.date, list[FreeSlot]]:
    """Every slot of each day of the range with the places left: the offer's hours on the
    calendar's working days, its holiday hours, less what is booked (three queries)."""
    openings = list(offer.openings.all())
    working = working_days(first, last)
    booked = {
        s.starts_at: s.booked
        for s in Slot.objects.filter(
            offer=offer,
            starts_at__gte=start_of_day(first),
            starts_at__lt=start_of_day(last + dt.timedelta(days=1)),
        )
    }
    days: dict[dt.date, list[FreeSlot]] = {}
    for day, is_working in working.items():
        cut = sorted(c for o in _openings_on(openings, day, is_working) for c in _cut(o, day))
        days[day] = [
            FreeSlot(a, b, cap, max(cap - booked.get(a, 0), 0), not is_working) for a, b, cap in cut
        ]
    return days


def slots_on(offer: Offer, day: dt.date) -> list[FreeSlot]:
    """Every slot of the day with the places left."""
    return plan(offer, day, day)[day]


def bookable(offer: Offer, starts_at: dt.datetime, now: dt.datetime | None = None) -> str:
    """Why a slot start cannot be booked now ("" if it can): notice and horizon."""
    now = now or timezone.now()
    if starts_at <= now:
        return _("This time has passed. Choose a later one.")
    if starts_at < now + dt.timedelta(hours=offer.min_notice_hours):
        return _("Book at least %(hours)s hours ahead. Choose a later time.") % {
            "hours": offer.min_notice_hours
        }
    last_day = timezone.localdate(now) + dt.timedelta(days=offer.horizon_days)
    if timezone.localtime(starts_at).date() > last_day:
        return _("Appointments open %(days)s days ahead: choose a day until %(day)s.") % {
            "days": offer.horizon_days,
            "day": last_day,
        }
    return ""


def days_open(offer: Offer, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The days within the horizon that have a slot still to book, with their holiday."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = []
    for day, slots in plan(offer, today, today + dt.timedelta(days=offer.horizon_days)).items():
        free = [s for s in slots if s.left and not bookable(offer, s.starts_at, now)]
        if free:
            holiday = free[0].holiday
            days.append(
                {
                    "day": day,
                    "holiday": holiday,
                    "holiday_name": holiday_name(day) if holiday else "",
                    "left": sum(s.left for s in free),
                }
            )
    return days


def book(
    *,
    offer: Offer,
    starts_at: dt.datetime,
    name: str,
    phone: str,
    note: str = "",
    by: Any = None,
    submission: str = "",
) -> tuple[Appointment, str]:
    """Book a place in the slot starting at `starts_at`; returns the appointment and (for a
    citizen, `by` None) its follow-up code. A slot is never booked beyond its capacity: its
    counter moves by one conditional UPDATE, which of many requests at once only as many as
    there are places pass. The same form sent twice raises DuplicateSubmission."""
    if not offer.active:
        raise ValidationError(_("This service takes no appointments at present."))
    if by is not None and not grant_for(by, "service", "change").covers(offer.unit):
        raise PermissionDenied
    phone = normalize_phone(phone)
    validate_mobile(phone)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give your name.")})
    why = bookable(offer, starts_at)
    if why:
        raise ValidationError({"slot": why})
    day = timezone.localtime(starts_at).date()
    planned = next((s for s in slots_on(offer, day) if s.starts_at == starts_at), None)
    if planned is None:
        raise ValidationError({"slot": _("There is no such time. Choose one of the list.")})
    if submission and Appointment.objects.filter(submission=submission).exists():
        raise challenge.DuplicateSubmission
    with challenge.made_once(Appointment, submission):
        slot, _created = Slot.objects.get_or_create(
            offer=offer,
            starts_at=starts_at,
            defaults={
                "ends_at": planned.ends_at,
                "capacity": planned.capacity,
                "holiday": planned.holiday,
            },
        )
        if Appointment.objects.filter(
            slot=slot, phone_hash=keyed_hash(phone), state__in=HOLDING
        ).exists():
            raise ValidationError(
                {"phone": _("This number has already booked this time.")}, code="twice"
            )
        taken = Slot.objects.filter(pk=slot.pk, booked__lt=planned.capacity).update(
            booked=F("booked") + 1, capacity=planned.capacity
        )
        if not taken:
            raise ValidationError(
                {"slot": _("This time is fully booked. Choose another time.")},
                code="full",
            )
        appointment = Appointment(
            offer=offer,
            slot=slot,
            unit=offer.unit,
            name=name,
            phone=phone,
            note=note.strip(),
            holiday=planned.holiday,
            submission=submission or None,
            by=by,
        )
        workflow.start(record=appointment, by=by, public=True)
        code = followup.issue(appointment) if by is None else ""
    return appointment, code


def appointment_text(appointment: Appointment) -> str:
    """What the text messages say of an appointment: the service, the time and the place."""
    local = timezone.localtime(appointment.slot.starts_at)
    return _("%(service)s at %(unit)s, %(day)s %(time)s%(place)s.") % {
        "service": appointment.offer.name,
        "unit": appointment.unit.name,
        "day": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
        "place": (_(", at %(place)s") % {"place": appointment.offer.place})
        if appointment.offer.place
        else "",
    }


def appointment_transition(
    *, record: Appointment, name: str, by: Any, comment: str = "", files: Any = ()
) -> Appointment:
    """Confirm, serve, mark absent or call off (staff), or cancel (the citizen, `by` None).
    A cancelled appointment gives its place back; a confirmed one is texted."""
    with transaction.atomic():
        workflow.transition(record=record, name=name, by=by, comment=comment, files=files)
        if record.state == AppointmentState.CANCELLED:
            Slot.objects.filter(pk=record.slot_id, booked__gt=0).update(booked=F("booked") - 1)
        if name == "confirm":
            send_sms(
                to=record.phone,
                text=_("Your appointment is confirmed: %(what)s")
                % {"what": appointment_text(record)},
                purpose="appointment-confirmed",
            )
        elif name == "call_off":
            send_sms(
                to=record.phone,
                text=_("Your appointment was called off: %(what)s Reason: %(why)s")
                % {"what": appointment_text(record), "why": comment.strip()[:120]},
                purpose="appointment-called-off",
            )
    return record


def citizen_cancel(appointment: Appointment) -> None:
    """The citizen with the code cancels (until the time has come)."""
    if appointment.slot.starts_at <= timezone.now():
        raise ValidationError(
            _("The time of this appointment has come; it can no longer be cancelled here.")
        )
    appointment_transition(record=appointment, name="cancel", by=None)


def remind_tomorrow(today: dt.date | None = None) -> int:
    """Text everyone whose appointment is tomorrow, once (the claim on `reminded_at` makes a
    second run send nothing)."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    due = Appointment.objects.filter(
        state__in=HOLDING,
        reminded_at__isnull=True,
        slot__starts_at__gte=start_of_day(tomorrow),
        slot__starts_at__lt=start_of_day(tomorrow + dt.timedelta(days=1)),
    ).select_related("offer", "unit", "slot")
    sent = 0
    for appointment in due:
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=appointment.pk, reminded_at__isnull=True
            ).update(reminded_at=timezone.now())
            if claimed:
                send_sms(
                    to=appointment.phone,
                    text=_(
                        "Reminder: your appointment is tomorrow: %(what)s To cancel, use your "
                        "follow-up code."
                    )
                    % {"what": appointment_text(appointment)},
                    purpose="appointment-reminder",
                )
                sent += 1
    return sent


def offer_save(*, offer: Offer, by: Any) -> Offer:
    if not grant_for(by, "service", "change").covers(offer.unit):
        raise PermissionDenied
    offer.full_clean()
    offer.save()
    return offer


def _holding_in(offer: Offer, opening: Opening) -> int:
    """Appointments still to come that hold a place in the hours of `opening`."""
    holding = Appointment.objects.filter(
        offer=offer, state__in=HOLDING, slot__starts_at__gt=timezone.now()
    ).select_related("slot")
    count = 0
    for a in holding:
        local = timezone.localtime(a.slot.starts_at)
        if opening.day is not None and local.date() != opening.day:
            continue
        if opening.day is None and not is_working_day(local.date()):
            continue
        if opening.closed or opening.opens <= local.time() < opening.closes:
            count += 1
    return count


def opening_add(*, offer: Offer, by: Any, opening: Opening) -> Opening:
    """Weekly hours (no day), a holiday's or weekend's hours (节假日预约) for one day, or a
    working day on which the unit is closed."""
    if not grant_for(by, "service", "change").covers(offer.unit):
        raise PermissionDenied
    if opening.day is not None and opening.day < timezone.localdate():
        raise ValidationError({"day": _("This date has passed.")})
    if opening.closed:
        if opening.day is None:
            raise ValidationError({"day": _("Say which day the unit is closed.")})
        if not is_working_day(opening.day):
            raise ValidationError(
                {"day": _("This day is a holiday or weekend: it has no appointments anyway.")}
            )
        held = _holding_in(offer, opening)
        if held:
            raise ValidationError(
                {
                    "day": _(
                        "%(n)s appointments are booked on this day: call them off first, "
                        "so that each citizen is told."
                    )
                    % {"n": held}
                }
            )
        opening.offer = offer
        opening.save()
        return opening
    if opening.closes <= opening.opens:
        raise ValidationError({"closes": _("The end must come after the start.")})
    minutes = (
        dt.datetime.combine(dt.date.min, opening.closes)
        - dt.datetime.combine(dt.date.min, opening.opens)
    ).seconds // 60
    if opening.slot_minutes < 5 or opening.slot_minutes > minutes:
        raise ValidationError(
            {"slot_minutes": _("A slot lasts from 5 minutes to the whole opening.")}
        )
    if opening.capacity < 1:
        raise ValidationError({"capacity": _("At least one person per slot.")})
    if opening.day is not None and is_working_day(opening.day):
        raise ValidationError(
            {
                "day": _(
                    "This is a working day: its weekly hours apply. Choose a holiday or "
                    "weekend day."
                )
            }
        )
    overlapping = offer.openings.filter(
        day=opening.day, closed=False, opens__lt=opening.closes, closes__gt=opening.opens
    ).first()
    if overlapping is not None:
        raise ValidationError(
            {
                "opens": _("These hours overlap %(hours)s. Change or remove those first.")
                % {"hours": f"{overlapping.opens:%H:%M}–{overlapping.closes:%H:%M}"}
            }
        )
    opening.offer = offer
    opening.save()
    return opening


def calendar_day_save(*, day: CalendarDay, by: Any) -> CalendarDay:
    """A holiday or adjusted working day the county enters over the package's calendar."""
    if not can(by, "service", "assign"):
        raise PermissionDenied
    if not day.working and not day.name.strip():
        raise ValidationError({"name": _("Give the holiday's name.")})
    if day.working:
        day.name = ""
    day.full_clean()
    day.save()
    return day


def calendar_day_remove(*, pk: str, by: Any) -> None:
    if not can(by, "service", "assign"):
        raise PermissionDenied
    if pk.isdigit():
        CalendarDay.objects.filter(pk=int(pk)).delete()


def opening_remove(*, opening: Opening, by: Any) -> None:
    """Hours no longer offered, once no appointment still to come holds a place in them (the
    unit calls those off first, so that each citizen is told); a closed day opens again."""
    if not grant_for(by, "service", "change").covers(opening.offer.unit):
        raise PermissionDenied
    held = 0 if opening.closed else _holding_in(opening.offer, opening)
    if held:
        raise ValidationError(
            _(
                "%(n)s appointments still to come are booked in these hours: call them off "
                "first, so that each citizen is told."
            )
            % {"n": held}
        )
    opening.delete()


# --- Home visits (上门服务) --------------------------------------------------------------------


def visit_request(
    *,
    village: Area,
    person: str,
    address: str,
    phone: str,
    need: str,
    reason: str,
    reason_detail: str = "",
    preferred: str = "",
    requester: str = "",
    by: Any = None,
    submission: str = "",
) -> tuple[HomeVisit, str]:
    """A request for a home visit, by the citizen (`by` None: he gets a code) or by an officer
    on someone's behalf. It goes to the village's officer, at his unit; a village without one
    goes to the units serving it, to assign."""
    if village.level != AreaLevel.VILLAGE:
        raise ValidationError({"village": _("Choose the village.")})
    if not address.strip():
        raise ValidationError({"address": _("Give the address where to visit.")})
    if not need.strip():
        raise ValidationError({"need": _("Say what is needed.")})
    phone = normalize_phone(phone)
    validate_mobile(phone)
    post = current_post(village)
    if post is not None:
        unit, officer = post.unit, post.officer
    else:
        serving = (
            Unit.objects.filter(
                Q(areas=village) | Q(areas=village.parent_id), kind="police_station"
            )
            .order_by("code")
            .first()
        )
        officer = None
        if serving is None:
            raise ValidationError(
                {"village": _("No unit serves this village yet. Please call the county's hotline.")}
            )
        unit = serving
    if (
        by is not None
        and not grant_for(by, "homevisit", "change").covers(unit)
        and not (officer is not None and officer.user_id == by.pk)
    ):
        raise PermissionDenied
    if submission and HomeVisit.objects.filter(submission=submission).exists():
        raise challenge.DuplicateSubmission
    visit = HomeVisit(
        village=village,
        unit=unit,
        officer=officer,
        person=person.strip(),
        address=address.strip(),
        phone=phone,
        need=need.strip(),
        reason=reason,
        reason_detail=reason_detail.strip(),
        preferred=preferred.strip(),
        requester=requester.strip(),
        submission=submission or None,
        by=by,
    )
    visit.full_clean(exclude=["state", "due_at", "officer", "submission", "by"])
    with challenge.made_once(HomeVisit, submission):
        workflow.start(record=visit, by=by, public=True)
        code = followup.issue(visit) if by is None else ""
    from zhengfa.core.notifications import notify

    # The village's officer; a village without one: those who arrange the station's visits.
    notify(
        users=[officer.user]
        if officer is not None
        else handlers_for(unit, [Role.LEADER, Role.CLERK]),
        title=_("A home visit was requested in %(village)s") % {"village": village.name},
        url=visit.get_absolute_url(),
        key=f"home-visit:{visit.pk}",
    )
    return visit, code


def may_handle_visit(user: Any, visit: HomeVisit) -> bool:
    """The visit's officer, and the staff of its unit who hold the domain."""
    return bool(
        (visit.officer is not None and visit.officer.user_id == getattr(user, "pk", None))
        or grant_for(user, "homevisit", "change").covers(visit.unit)
    )


def visit_transition(
    *, record: HomeVisit, name: str, by: Any, comment: str = "", files: Any = ()
) -> HomeVisit:
    """Decline (with the reason the requester reads); arranging and the visit have forms."""
    if not may_handle_visit(by, record):
        raise PermissionDenied
    with transaction.atomic():
        workflow.transition(record=record, name=name, by=by, comment=comment, files=files)
        if name == "decline":
            send_sms(
                to=record.phone,
                text=_("The home visit for %(person)s cannot be made: %(why)s")
                % {"person": record.person, "why": comment.strip()[:120]},
                purpose="home-visit-declined",
            )
    return record


def visit_schedule(
    *, visit: HomeVisit, by: Any, when: dt.datetime, officer: Officer | None = None
) -> HomeVisit:
    """Arrange the visit (or move it): when, and who goes (by default the village's
    officer). The requester reads the day under his code."""
    if not may_handle_visit(by, visit):
        raise PermissionDenied
    if when < timezone.now() - dt.timedelta(hours=1):
        raise ValidationError({"when": _("This time has passed.")})
    if when > timezone.now() + dt.timedelta(days=60):
        raise ValidationError({"when": _("Arrange the visit within 60 days.")})
    officer = officer or visit.officer
    if officer is None:
        raise ValidationError({"officer": _("Choose who visits.")})
    if officer.status != OfficerStatus.ACTIVE or not officer.unit.path.startswith(visit.unit.path):
        raise ValidationError({"officer": _("Choose an officer of the unit.")})
    local = timezone.localtime(when)
    arranged = _("Visit arranged for %(day)s %(time)s.") % {
        "day": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
    }
    from zhengfa.core.notifications import notify

    with transaction.atomic():
        # Due the day after the visit: a visit not recorded by then shows as overdue.
        workflow.transition(
            record=visit,
            name="schedule",
            by=by,
            comment=arranged,
            fields={"scheduled_for": when, "officer": officer},
            due_at=workflow.end_of_day(local.date() + dt.timedelta(days=1)),
        )
        send_sms(
            to=visit.phone,
            text=_("Home visit for %(person)s: %(arranged)s The officer: %(officer)s.")
            % {"person": visit.person, "arranged": arranged, "officer": officer.user.display_name},
            purpose="home-visit-arranged",
        )
        if officer.user_id != getattr(by, "pk", None):
            notify(
                users=[officer.user],
                title=_("You visit %(person)s in %(village)s on %(day)s")
                % {"person": visit.person, "village": visit.village.name, "day": arranged},
                url=visit.get_absolute_url(),
                key=f"home-visit:{visit.pk}:{officer.pk}:{when:%Y%m%d%H%M}",
            )
    return visit


def visit_done(
    *, visit: HomeVisit, by: Any, record: str, visited_on: dt.date, photos: Any = ()
) -> HomeVisit:
    """The visit was made: a short record and perhaps a photo (for the unit, not public)."""
    if not may_handle_visit(by, visit):
        raise PermissionDenied
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("The visit cannot be in the future.")})
    if visited_on < timezone.localtime(visit.created_at).date():
        raise ValidationError({"visited_on": _("The visit cannot come before the request.")})
    with transaction.atomic():
        event = workflow.transition(
            record=visit, name="done", by=by, comment=record, fields={"visited_on": visited_on}
        )
        for photo in photos:
            attach(record=visit, upload=photo, by=by, event=event, accept=IMAGE_TYPES)
    return visit


# --- Volunteer services (志愿服务) -------------------------------------------------------------


def activity_save(
    *,
    activity: VolunteerActivity,
    officers: list[Officer],
    by: Any,
    photos: Any = (),
) -> VolunteerActivity:
    """A volunteer service and who took part (officers of the organising unit's subtree)."""
    if not grant_for(by, "service", "change").covers(activity.unit):
        raise PermissionDenied
    if not officers:
        raise ValidationError({"officers": _("Choose the officers who took part.")})
    if activity.held_on > timezone.localdate():
        raise ValidationError({"held_on": _("Record a volunteer service after it was held.")})
    if activity.hours <= 0 or activity.hours > 24:
        raise ValidationError({"hours": _("Give the hours each officer served (up to 24).")})
    outside = [o for o in officers if not o.unit.path.startswith(activity.unit.path)]
    if outside:
        raise ValidationError(
            {"officers": _("%(name)s is not of the organising unit.") % {"name": outside[0]}}
        )
    activity.full_clean(exclude=["by"])
    with transaction.atomic():
        if activity.by_id is None:
            activity.by = by
        activity.save()
        activity.officers.set(officers)
        for photo in photos:
            attach(record=activity, upload=photo, by=by, accept=IMAGE_TYPES)
    return activity


# --- Convenience measures (惠民便民措施) --------------------------------------------------------


def measure_save(*, measure: Measure, by: Any) -> Measure:
    """The committee sets out a measure and its responsible unit (and its parts)."""
    if not grant_for(by, "measures", "assign").covers(measure.unit):
        raise PermissionDenied
    if measure.parent_id is not None:
        parent = measure.parent
        assert parent is not None
        if parent.parent_id is not None:
            raise ValidationError({"parent": _("A part cannot have parts of its own.")})
        if measure.pk is not None and measure.parts.exists():
            raise ValidationError({"parent": _("A measure with parts cannot become a part.")})
    measure.full_clean()
    with transaction.atomic():
        measure.save()
        if measure.parent_id is not None:
            roll_up(measure.parent_id)
    return measure


def rolled_up(parts: list[tuple[int, int]]) -> int:
    """The weighted progress of parts, given as (progress, weight): rounded down, so that 100
    means every part done."""
    total = sum(w for _p, w in parts)
    if not total:
        return 0
    return sum(p * w for p, w in parts) // total


def roll_up(measure_id: int) -> None:
    """A measure with parts takes their weighted progress, and the state of the least
    advanced part (all parts done: done)."""
    parts = list(
        Measure.objects.filter(parent_id=measure_id).values_list(
            "progress", "weight", "state", "updated_on"
        )
    )
    if not parts:
        return
    progress = rolled_up([(p, w) for p, w, _s, _u in parts])
    least = min((MEASURE_ORDER.index(s) for _p, _w, s, _u in parts), default=0)
    Measure.objects.filter(pk=measure_id).update(
        progress=progress,
        state=MEASURE_ORDER[least],
        updated_on=max(u for _p, _w, _s, u in parts),
    )


def may_report(user: Any, measure: Measure) -> bool:
    """A unit's staff report their measures' progress; the committee its own unit's."""
    return (
        may(user, "change", measure)
        or measure.unit.path in grant_for(user, "measures", "assign").unit_paths
    )


def measure_update(
    *,
    measure: Measure,
    by: Any,
    on: dt.date,
    progress: int,
    state: str,
    milestone: str,
    reason: str = "",
    photos: Any = (),
) -> MeasureUpdate:
    """A dated step: progress in percent, the state, what was reached, photos. Less progress
    or an earlier state than before needs a reason, shown in public beside it."""
    if not may_report(by, measure):
        raise PermissionDenied
    if measure.parts.exists():
        raise ValidationError(_("This measure's progress comes from its parts: update those."))
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a percentage from 0 to 100.")})
    if state not in MeasureState.values:
        raise ValidationError({"state": _("Choose a status.")})
    if state in (MeasureState.DONE, MeasureState.ROUTINE) and progress != 100:
        raise ValidationError({"progress": _("A completed measure is at 100%.")})
    if state == MeasureState.PLANNED and progress == 100:
        raise ValidationError({"state": _("A measure fully done is no longer planned.")})
    last = measure.updates.order_by("-on", "-pk").first()
    if last is not None and on < last.on:
        raise ValidationError(
            {
                "on": _("The last step is dated %(day)s: date this one on or after it.")
                % {"day": last.on}
            }
        )
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < measure.launched_on:
        raise ValidationError({"on": _("The date cannot come before the launch.")})
    if not milestone.strip():
        raise ValidationError({"milestone": _("Say what was reached.")})
    back = progress < measure.progress or MEASURE_ORDER.index(state) < MEASURE_ORDER.index(
        measure.state
    )
    if back and not reason.strip():
        raise ValidationError(
            {"reason": _("Progress or status goes back: say why (it is shown in public).")}
        )
    with transaction.atomic():
        locked = Measure.objects.select_for_update().get(pk=measure.pk)
        if (locked.progress, locked.state) != (measure.progress, measure.state):
            raise ValidationError(
                _("Someone else has updated this measure. Reload the page; nothing was saved.")
            )
        update = MeasureUpdate.objects.create(
            measure=measure,
            on=on,
            progress=progress,
            state=state,
            milestone=milestone.strip(),
            reason=reason.strip() if back else "",
            by=by,
        )
        for photo in photos:
            attach(record=update, upload=photo, by=by, accept=IMAGE_TYPES)
        Measure.objects.filter(pk=measure.pk).update(progress=progress, state=state, updated_on=on)
        if measure.parent_id is not None:
            roll_up(measure.parent_id)
    measure.refresh_from_db()
    return update


def remind_group_codes(today: dt.date | None = None) -> int:
    """A notice to the officer of each village whose group's join code expires by tomorrow
    (and so is or will soon be hidden): once per code, by the notice's key."""
    from zhengfa.core.notifications import notify

    today = today or timezone.localdate()
    groups = VillageGroup.objects.filter(
        code_expires_on__isnull=False, code_expires_on__lte=today + dt.timedelta(days=1)
    ).select_related("village")
    told = 0
    for group in groups:
        post = current_post(group.village)
        if post is None:
            continue
        from django.urls import reverse

        notify(
            users=[post.officer.user],
            title=_("The join code of %(group)s expires on %(day)s: upload the new one")
            % {"group": group.name, "day": group.code_expires_on},
            url=reverse("service:group_edit", args=[group.village_id]),
            key=f"group-code:{group.pk}:{group.code_expires_on}",
        )
        told += 1
    return told
