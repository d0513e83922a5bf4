"""Service to the people (为民服务): one village one officer (一村一警) and the village groups
(一村一群), appointments with holiday service, home visits, volunteer services and the
convenience measures the county promises in public."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.crypto import EncryptedCharField, HashField
from zhengfa.core.masking import mask_address, mask_phone
from zhengfa.core.scope import ScopedManager, ScopeSpec
from zhengfa.core.workflow import Transition, Workflow, WorkflowManager, WorkflowModel

DEFAULT_DUTIES = _(
    "Patrols and home visits, help with disputes, warnings against fraud, legal advice, and "
    "passing on what the village asks of the police."
)


def serving_today() -> Q:
    """Posts in force today: started, and not ended (a post may be entered ahead of time)."""
    today = timezone.localdate()
    return Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))


class VillagePost(models.Model):
    """An officer (police or auxiliary) assigned to an administrative village for a time.
    A village has at most one current post; reassigning ends it, so the history stays."""

    village = models.ForeignKey(
        "org.Area", on_delete=models.PROTECT, related_name="posts", verbose_name=_("village")
    )
    officer = models.ForeignKey(
        "org.Officer", on_delete=models.PROTECT, related_name="posts", verbose_name=_("officer")
    )
    # The officer's unit when assigned (whose staff keep the post).
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    duties = models.TextField(_("duties"), blank=True)
    office_hours = models.CharField(_("when to find the officer"), max_length=120, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ScopeSpec(domain="service", unit="unit")
    objects = ScopedManager["VillagePost"]()

    class Meta:
        verbose_name = _("village officer post")
        verbose_name_plural = _("village officer posts")
        ordering = ["village__code", "-starts_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["village"], condition=Q(ends_on__isnull=True), name="one_current_post"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.officer}"

    @property
    def is_current(self) -> bool:
        return self.ends_on is None


class VillageGroup(models.Model):
    """The village's WeChat group (一村一群). Its join code is a picture that WeChat lets
    expire; an expired one is not shown, and the officer is reminded to upload a new one."""

    village = models.OneToOneField(
        "org.Area", on_delete=models.PROTECT, related_name="group", verbose_name=_("village")
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    name = models.CharField(_("group name"), max_length=60)
    members = models.PositiveIntegerField(_("members"), default=0)
    code_expires_on = models.DateField(_("join code valid until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope = ScopeSpec(domain="service", unit="unit")
    objects = ScopedManager["VillageGroup"]()

    class Meta:
        verbose_name = _("village group")
        verbose_name_plural = _("village groups")
        ordering = ["village__code"]

    def __str__(self) -> str:
        return self.name

    @property
    def code_valid(self) -> bool:
        return bool(self.code_expires_on and self.code_expires_on >= timezone.localdate())


# --- Appointments (预约服务) ------------------------------------------------------------------


class ServiceKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household registration and ID cards")
    LEGAL = "legal", _("Legal advice")
    MEDIATION = "mediation", _("Advice on a dispute")
    OTHER = "other", _("Other")


class Offer(models.Model):
    """A service a unit takes appointments for (预约事项), with its notice and horizon."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ServiceKind.choices)
    name = models.CharField(_("service"), max_length=60)
    description = models.TextField(_("what to bring"), blank=True)
    place = models.CharField(pgettext_lazy("service", "where"), max_length=120, blank=True)
    min_notice_hours = models.PositiveSmallIntegerField(
        _("book at least this many hours ahead"), default=2
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("book at most this many days ahead"), default=14
    )
    active = models.BooleanField(_("taking appointments"), default=True)

    scope = ScopeSpec(domain="service", unit="unit")
    objects = ScopedManager["Offer"]()

    class Meta:
        verbose_name = _("service for appointments")
        verbose_name_plural = _("services for appointments")
        ordering = ["unit__code", "kind", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("service:offer_detail", args=[self.pk])


class CalendarDay(models.Model):
    """A day the county sets itself, over China's calendar as the ``chinesecalendar`` package
    knows it: a holiday (with its name) or an adjusted working day, e.g. next year's holidays
    as soon as the State Council publishes them."""

    day = models.DateField(_("date"), unique=True)
    working = models.BooleanField(_("a working day"), default=False)
    name = models.CharField(_("holiday"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Opening(models.Model):
    """Hours an offer is open, cut into slots of a capacity: on every working day (the
    calendar's, adjusted working days included) when `day` is empty, or on one holiday or
    weekend day (节假日预约) — holidays have none unless opened so. With `closed`, a working
    day on which the unit takes no appointments."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="openings")
    day = models.DateField(_("holiday or weekend day"), null=True, blank=True)
    opens = models.TimeField(pgettext_lazy("hours", "from"))
    closes = models.TimeField(pgettext_lazy("hours", "to"))
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per slot"), default=30)
    capacity = models.PositiveSmallIntegerField(_("people per slot"), default=3)
    # On a working day: the unit is closed that day (no appointments), whatever its hours.
    closed = models.BooleanField(_("closed on this day"), default=False)

    scope = ScopeSpec(domain="service", unit="offer__unit")
    objects = ScopedManager["Opening"]()

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["day", "opens"]

    def __str__(self) -> str:
        return f"{self.day or ''} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Slot(models.Model):
    """A slot that has been booked at least once: its counter is what keeps it within its
    capacity (one conditional UPDATE per booking, whichever database)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("people per slot"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)
    holiday = models.BooleanField(_("holiday appointment"), default=False)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "starts_at"], name="one_slot_per_start")
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    DONE = "done", _("Served")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", pgettext_lazy("appointment", "Cancelled")


def _slot_started(appointment: Appointment, user: Any) -> bool:
    return appointment.slot.starts_at <= timezone.now()


def _citizen_only(appointment: Appointment, user: Any) -> bool:
    """The guard is asked only of staff: they call an appointment off, with a reason."""
    return False


class Appointment(WorkflowModel):
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("service")
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("slot")
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=40)
    phone = EncryptedCharField(_("phone"), hash_field="phone_hash")
    phone_hash = HashField(_("phone (search key)"))
    note = models.TextField(_("note"), blank=True)
    holiday = models.BooleanField(_("holiday appointment"), default=False)
    # The citizen's form's key: the same form sent twice books once.
    submission = models.CharField(max_length=64, null=True, blank=True, unique=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    revealable = {"phone": mask_phone}
    workflow = Workflow(
        states=AppointmentState,
        initial=AppointmentState.BOOKED,
        final={AppointmentState.DONE, AppointmentState.NO_SHOW, AppointmentState.CANCELLED},
        start_label=_("Booked"),
        transitions=[
            Transition(
                "confirm",
                AppointmentState.BOOKED,
                AppointmentState.CONFIRMED,
                _("Confirm"),
                public=True,
            ),
            Transition(
                "done",
                [AppointmentState.BOOKED, AppointmentState.CONFIRMED],
                AppointmentState.DONE,
                _("Served"),
                public=True,
                guard=_slot_started,
            ),
            Transition(
                "no_show",
                [AppointmentState.BOOKED, AppointmentState.CONFIRMED],
                AppointmentState.NO_SHOW,
                _("Did not come"),
                guard=_slot_started,
            ),
            Transition(
                "call_off",
                [AppointmentState.BOOKED, AppointmentState.CONFIRMED],
                AppointmentState.CANCELLED,
                _("Call off"),
                comment_required=True,
                public=True,
                comment_prompt=_("Tell the citizen why (he reads it under his code)."),
            ),
            Transition(
                "cancel",
                [AppointmentState.BOOKED, AppointmentState.CONFIRMED],
                AppointmentState.CANCELLED,
                _("Cancel the appointment"),
                public=True,
                by_citizen=True,
                guard=_citizen_only,
            ),
        ],
    )
    scope = ScopeSpec(domain="service", unit="unit")
    objects = WorkflowManager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["slot__starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.offer} {self.slot}"

    def get_absolute_url(self) -> str:
        return reverse("service:appointment_detail", args=[self.pk])

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


# --- Home visits (上门服务) --------------------------------------------------------------------


class VisitReason(models.TextChoices):
    ELDERLY = "elderly", _("Elderly")
    DISABLED = "disabled", pgettext_lazy("person", "Disabled")
    ILL = "ill", _("Ill")
    OTHER = "other", _("Other reason")


class HomeVisitState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SCHEDULED = "scheduled", _("Visit arranged")
    DONE = "done", _("Visited")
    DECLINED = "declined", _("Declined")


class HomeVisit(WorkflowModel):
    """A visit to someone who cannot come to a service window (elderly, disabled, ill),
    asked for by him or his family on the portal, or by an officer on his behalf."""

    village = models.ForeignKey(
        "org.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    officer = models.ForeignKey(
        "org.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_visits",
        verbose_name=_("officer"),
    )
    person = models.CharField(_("who is to be visited"), max_length=40)
    address = EncryptedCharField(_("address"))
    phone = EncryptedCharField(_("phone"), hash_field="phone_hash")
    phone_hash = HashField(_("phone (search key)"))
    requester = models.CharField(_("asked by"), max_length=40, blank=True)
    need = models.TextField(_("what is needed"))
    reason = models.CharField(_("why he cannot come"), max_length=10, choices=VisitReason.choices)
    reason_detail = models.CharField(_("more about it"), max_length=200, blank=True)
    preferred = models.CharField(_("preferred time"), max_length=60, blank=True)
    scheduled_for = models.DateTimeField(_("visit on"), null=True, blank=True)
    visited_on = models.DateField(pgettext_lazy("home visit", "visited on"), null=True, blank=True)
    submission = models.CharField(max_length=64, null=True, blank=True, unique=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    revealable = {"phone": mask_phone, "address": mask_address}
    deadline_owner_field = "officer__user"
    workflow = Workflow(
        states=HomeVisitState,
        initial=HomeVisitState.REQUESTED,
        final={HomeVisitState.DONE, HomeVisitState.DECLINED},
        files=True,
        start_label=_("Requested"),
        transitions=[
            # Arranging needs a time: a form of its own.
            Transition(
                "schedule",
                [HomeVisitState.REQUESTED, HomeVisitState.SCHEDULED],
                HomeVisitState.SCHEDULED,
                _("Arrange the visit"),
                public=True,
                button=False,
            ),
            Transition(
                "done",
                HomeVisitState.SCHEDULED,
                HomeVisitState.DONE,
                _("Visited"),
                comment_required=True,
                comment_prompt=_("Write briefly what was done."),
                button=False,
            ),
            Transition(
                "decline",
                [HomeVisitState.REQUESTED, HomeVisitState.SCHEDULED],
                HomeVisitState.DECLINED,
                _("Decline"),
                comment_required=True,
                public=True,
                comment_prompt=_("Tell the requester why (he reads it under his code)."),
            ),
        ],
        deadlines={HomeVisitState.REQUESTED: 3, HomeVisitState.SCHEDULED: None},
        setting="service.home_visit",
    )
    scope = ScopeSpec(domain="homevisit", unit="unit", owner="officer__user")
    objects = WorkflowManager()

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.village} {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("service:visit_detail", args=[self.pk])

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def address_masked(self) -> str:
        return mask_address(self.address)


# --- Volunteer services (志愿服务) -------------------------------------------------------------


class VolunteerActivity(models.Model):
    title = models.CharField(_("title"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("organised by")
    )
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100)
    officers = models.ManyToManyField(
        "org.Officer", related_name="volunteer_activities", verbose_name=_("officers taking part")
    )
    hours = models.DecimalField(_("hours each"), max_digits=4, decimal_places=1)
    served = models.PositiveIntegerField(_("people served"), default=0)
    description = models.TextField(_("what was done"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope = ScopeSpec(domain="service", unit="unit")
    objects = ScopedManager["VolunteerActivity"]()

    class Meta:
        verbose_name = _("volunteer service")
        verbose_name_plural = _("volunteer services")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("service:activity_detail", args=[self.pk])


# --- Convenience measures (惠民便民措施) --------------------------------------------------------


class MeasureState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDERWAY = "underway", _("Underway")
    DONE = "done", _("Completed")
    ROUTINE = "routine", _("Standing practice")


# The order of the states: a measure moving back needs a reason.
MEASURE_ORDER: list[str] = [
    MeasureState.PLANNED,
    MeasureState.UNDERWAY,
    MeasureState.DONE,
    MeasureState.ROUTINE,
]


class Measure(models.Model):
    """A measure the county commits to in public (惠民便民措施). Its progress is its own, or,
    with sub-measures, their progress weighted (kept on the record when a part changes)."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
        verbose_name=_("part of"),
    )
    number = models.PositiveSmallIntegerField(_("number"), default=0)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("what it promises"))
    launched_on = models.DateField(_("launched on"))
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    state = models.CharField(
        _("status"), max_length=10, choices=MeasureState.choices, default=MeasureState.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    updated_on = models.DateField(_("last updated"), default=timezone.localdate)

    scope = ScopeSpec(domain="measures", unit="unit", seen_below=False)
    objects = ScopedManager["Measure"]()

    class Meta:
        verbose_name = _("convenience measure")
        verbose_name_plural = _("convenience measures")
        ordering = ["number", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("service:measure_detail", args=[self.pk])


class MeasureUpdate(models.Model):
    """A dated step of a measure: a milestone with its progress, state and photos. Going
    back (less progress, an earlier state) carries its reason."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(_("date"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    state = models.CharField(_("status"), max_length=10, choices=MeasureState.choices)
    milestone = models.TextField(_("what was reached"))
    reason = models.TextField(_("why it went back"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope = ScopeSpec(domain="measures", unit="measure__unit")
    objects = ScopedManager["MeasureUpdate"]()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.measure} {self.on} {self.progress}%"
