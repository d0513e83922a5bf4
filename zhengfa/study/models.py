"""Study and training (学习教育): activities, sign-in, 五有 evidence, materials, reflections."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhengfa.core.scope import ScopedManager, ScopeSpec, path_ancestors


class Category(models.TextChoices):
    """What an activity type counts toward in the figures of the article."""

    LECTURE_MEETING = "lecture_meeting", _("Lectures and meetings")
    TRAINING = "training", _("Training")
    REVOLUTIONARY = "revolutionary", _("Revolutionary-tradition education")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    WARNING = "warning", _("Warning education")
    INTEGRITY = "integrity", _("Integrity education")
    MODEL = "model", _("Reports on model officers")
    DISCUSSION = "discussion", _("Discussion")


class ActivityType(models.Model):
    """Reference data, seeded and editable: 专题讲座, 政治轮训, 党课 …"""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("counts as"), max_length=20, choices=Category.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


def audience_filter(officer: Any) -> models.Q:
    """Activities whose audience includes `officer` (by name, by unit or a unit above).

    Each relation is its own semi-join, so no activity row is multiplied by its audience.
    """
    named = Activity.audience_officers.through.objects.filter(officer=officer).values("activity_id")
    by_unit = AudienceUnit.objects.filter(unit=officer.unit).values("activity_id")
    from_above = AudienceUnit.objects.filter(
        unit__path__in=path_ancestors(officer.unit), include_subunits=True
    ).values("activity_id")
    return models.Q(pk__in=named) | models.Q(pk__in=by_unit) | models.Q(pk__in=from_above)


def activity_participant(user: Any) -> models.Q | None:
    """Besides the organisers' scope, people see the activities they are invited to or
    signed in to (an audience may lie outside the organiser's line)."""
    from zhengfa.org.models import Officer, OfficerStatus

    officer = (
        Officer.objects.filter(user=user, status=OfficerStatus.ACTIVE)
        .select_related("unit")
        .first()
    )
    if officer is None:
        return None
    attended = Attendance.objects.filter(officer=officer).values("activity_id")
    return audience_filter(officer) | models.Q(pk__in=attended)


class ActivityStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    ONGOING = "ongoing", _("Under way")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    """A lecture, meeting, training, party class … with its audience and its 五有 evidence."""

    title = models.CharField(_("title"), max_length=200)
    type = models.ForeignKey(
        ActivityType, on_delete=models.PROTECT, related_name="activities", verbose_name=_("type")
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("organised by"),
    )
    campaign = models.ForeignKey(
        "campaign.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("campaign"),
    )
    phase = models.ForeignKey(
        "campaign.Phase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("phase"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    speaker = models.CharField(_("speaker"), max_length=60, blank=True)
    speaker_position = models.CharField(_("speaker's position"), max_length=60, blank=True)
    expected_count = models.PositiveIntegerField(_("expected attendance"), default=0)
    required = models.BooleanField(_("attendance required"), default=True)
    allow_walk_ins = models.BooleanField(
        _("people outside the audience may sign in"), default=False
    )
    sign_in_margin = models.PositiveSmallIntegerField(
        _("sign-in opens this many minutes before and stays open after"), default=30
    )
    audience_officers = models.ManyToManyField(
        "org.Officer", blank=True, related_name="+", verbose_name=_("named officers")
    )
    minutes = models.TextField(_("minutes (记录)"), blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    qr_secret = models.CharField(
        _("sign-in code key"), max_length=64, default=secrets.token_hex, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    scope = ScopeSpec(domain="work", unit="unit", seen_below=True, participant=activity_participant)
    objects = ScopedManager["Activity"]()

    class Meta:
        verbose_name = _("study activity")
        verbose_name_plural = _("study activities")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="activity_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("study:activity_detail", args=[self.pk])

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 1)

    def sign_in_window(self) -> tuple[dt.datetime, dt.datetime]:
        margin = dt.timedelta(minutes=self.sign_in_margin)
        return self.starts_at - margin, self.ends_at + margin

    @property
    def status(self) -> ActivityStatus:
        now = timezone.now()
        if self.cancelled:
            return ActivityStatus.CANCELLED
        if now < self.starts_at:
            return ActivityStatus.UPCOMING
        if now <= self.ends_at:
            return ActivityStatus.ONGOING
        return ActivityStatus.ENDED

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    @property
    def is_ended(self) -> bool:
        return self.status == ActivityStatus.ENDED

    @property
    def may_be_cancelled(self) -> bool:
        return self.status in {ActivityStatus.UPCOMING, ActivityStatus.ONGOING}


class AudienceUnit(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="audience_units")
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    include_subunits = models.BooleanField(_("with the units below it"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "unit"], name="audience_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.unit}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LEAVE = "leave", _("On leave")

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        MANUAL = "manual", _("Ticked by the organiser")

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("study activity"),
    )
    officer = models.ForeignKey(
        "org.Officer",
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("officer"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices, blank=True)
    signed_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    walk_in = models.BooleanField(_("not in the audience"), default=False)
    leave_reason = models.CharField(_("reason for leave"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["activity", "officer"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.officer} · {self.get_status_display()}"

    @property
    def is_present(self) -> bool:
        return self.status == self.Status.PRESENT


class Note(models.Model):
    """笔记: an attendee's notes, typed or photographed (the photo is an attachment)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="notes")
    officer = models.ForeignKey("org.Officer", on_delete=models.PROTECT, related_name="study_notes")
    text = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # The officer's own unit, wherever the activity was organised.
    scope = ScopeSpec(domain="study_personal", unit="officer__unit", owner="officer__user")
    objects = ScopedManager["Note"]()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "officer"], name="note_once")]

    def __str__(self) -> str:
        return f"{self.activity} · {self.officer}"


class Speech(models.Model):
    """发言: who spoke and what they said, in short."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="speeches")
    speaker = models.CharField(_("who spoke"), max_length=60)
    summary = models.TextField(_("summary"))
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.activity} · {self.speaker}"


class Material(models.Model):
    """A study material — 《学习资料汇编》 and others — possibly with a version to read online."""

    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="materials",
        verbose_name=_("published by"),
    )
    description = models.TextField(_("description"), blank=True)
    online_text = models.TextField(_("text to read online"), blank=True)
    is_booklet = models.BooleanField(
        _("printed booklet (counted as copies distributed)"), default=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope = ScopeSpec(domain="work", unit="unit", seen_below=True)
    objects = ScopedManager["Material"]()

    class Meta:
        verbose_name = _("study material")
        verbose_name_plural = _("study materials")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Distribution(models.Model):
    """Copies of a material handed to a unit; the unit confirms receipt."""

    material = models.ForeignKey(
        Material,
        on_delete=models.PROTECT,
        related_name="distributions",
        verbose_name=_("material"),
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("to unit")
    )
    copies = models.PositiveIntegerField(_("copies"))
    distributed_on = models.DateField(_("distributed on"))
    received_by = models.CharField(_("received by"), max_length=60, blank=True)
    confirmed_at = models.DateTimeField(_("receipt confirmed"), null=True, blank=True)

    scope = ScopeSpec(domain="work", unit="unit")
    objects = ScopedManager["Distribution"]()

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        ordering = ["-distributed_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(copies__gt=0), name="copies_positive")
        ]

    def __str__(self) -> str:
        return f"{self.material} → {self.unit} × {self.copies}"


class OnlineStudy(models.Model):
    """线上学: an officer read a material online and wrote a short note."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="studies")
    officer = models.ForeignKey(
        "org.Officer", on_delete=models.PROTECT, related_name="online_studies"
    )
    studied_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("what you took from it"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["material", "officer"], name="online_study_once")
        ]

    def __str__(self) -> str:
        return f"{self.material} · {self.officer}"


class Topic(models.Model):
    """教育整顿大家谈: a topic on which each officer of the audience writes a reflection."""

    title = models.CharField(_("topic"), max_length=200)
    prompt = models.TextField(_("what to reflect on"), blank=True)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    campaign = models.ForeignKey(
        "campaign.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    due_on = models.DateField(_("due"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope = ScopeSpec(domain="work", unit="unit", seen_below=True)
    objects = ScopedManager["Topic"]()

    class Meta:
        verbose_name = _("discussion topic")
        verbose_name_plural = _("discussion topics")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Reflection(models.Model):
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="reflections", verbose_name=_("topic")
    )
    officer = models.ForeignKey(
        "org.Officer",
        on_delete=models.PROTECT,
        related_name="reflections",
        verbose_name=_("officer"),
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    shortcomings = models.TextField(_("where I fall short"))
    plans = models.TextField(_("what I will do"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    scope = ScopeSpec(domain="study_personal", unit="unit", owner="officer__user")
    objects = ScopedManager["Reflection"]()

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        constraints = [models.UniqueConstraint(fields=["topic", "officer"], name="reflection_once")]

    def __str__(self) -> str:
        return f"{self.topic} · {self.officer}"

    def get_absolute_url(self) -> str:
        return reverse("study:reflection_detail", args=[self.pk])


class ReflectionComment(models.Model):
    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.reflection} · {self.author}"
