from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .crypto import EncryptedCharField, HashField


class Satisfaction(models.TextChoices):
    """How a citizen rates the result of his request, after it is closed (the follow-up page)."""

    SATISFIED = "satisfied", _("Satisfied")
    MOSTLY = "mostly", _("Mostly satisfied")
    NOT = "not", _("Not satisfied")


class SignInEvent(models.Model):
    """Every staff sign-in, failed sign-in, second-factor failure and sign-out.

    Model changes are audited by django-auditlog; this records the authentication events
    that have no model change behind them. Kept AUDIT_RETENTION_DAYS (at least 180).
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        FAILURE = "failure", _("Sign-in failed")
        OTP_FAILURE = "otp_failure", _("Second factor failed")
        LOCKED = "locked", _("Refused: account locked")
        LOGOUT = "logout", _("Signed out")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("account"),
    )
    username = models.CharField(_("user name given"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-time"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()}"

    @property
    def succeeded(self) -> bool:
        return self.kind in {self.Kind.LOGIN, self.Kind.LOGOUT}


class TimelineEvent(models.Model):
    """One step in a record's history: a transition, a note, a public reply, a supplement.

    Written only by ``core.workflow`` and the services built on it. ``public`` events are
    shown to the citizen who follows the record with its code.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    by_citizen = models.BooleanField(_("by the citizen"), default=False)
    # The unit that acted, as named then: what the citizen sees instead of a staff account.
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    transition = models.CharField(max_length=40, blank=True)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    public = models.BooleanField(_("shown to the citizen"), default=False)

    # Set by workflow.timeline_for for display: the states' labels in the current language.
    from_label: str
    to_label: str
    start_label: str

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["time", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "time"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.transition or self.to_state}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random stored name; the original name is kept only as data."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{ext}"


class Attachment(models.Model):
    """A file on any record, checked by content and served only through a scoped view."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    purpose = models.CharField(_("purpose"), max_length=30, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    by_citizen = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")


class FollowUp(models.Model):
    """The keyed hash of a citizen's follow-up code (查询码) and the record it opens.

    The code itself is never stored: it is shown once and only its hash is kept.
    """

    code_hash = models.CharField(max_length=64, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up code")
        verbose_name_plural = _("follow-up codes")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="followup_one_per_record"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} #{self.object_id}"


class Notification(models.Model):
    """An in-app message to a staff member. ``key`` makes a notice idempotent per user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    # NULL, not "": notices without a key must not collide in the unique constraint.
    key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key"),
        ]

    def __str__(self) -> str:
        return self.title


class SmsMessage(models.Model):
    """Every text message to a citizen: to whom (encrypted, with a masked copy), what, outcome."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = EncryptedCharField(_("to"), hash_field="to_hash")
    to_hash = HashField()
    to_masked = models.CharField(_("to"), max_length=20)
    text = models.TextField(_("text"))
    # What replaces {code} in the text when it is sent; erased once the message is handled.
    secret = EncryptedCharField(_("secret"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.QUEUED
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    # The worker that claimed it (``core.workers``): a dead worker's claims are let go at once.
    claimed_by = models.CharField(max_length=64, blank=True)
    # Sendings the gateway did not take for now, and when the next may be made.
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    retry_at = models.DateTimeField(_("next try"), null=True, blank=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.to_masked} {self.get_outcome_display()}"

    @property
    def idempotency_key(self) -> str:
        """Sent with the message: the gateway delivers a key once however often it gets it.

        Unique beyond the row's number, which a restored backup hands out again and another
        county's site sharing the gateway also uses: the site (a tag of its lookup key) and
        the moment the message was made are part of it."""
        from .crypto import keyed_hash

        site = keyed_hash("zhengfa-sms-site")[:8]
        return f"zhengfa-sms-{site}-{self.pk}-{int(self.created_at.timestamp() * 1_000_000)}"


class WorkerBeat(models.Model):
    """A background worker that is alive says so here every few seconds (``core.workers``)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.worker_id


class JobRun(models.Model):
    """A periodic job's claim on one period: inserting the row is what lets it run once."""

    name = models.CharField(max_length=100)
    period = models.CharField(max_length=40)
    # The run's outcome is the task result that django-tasks keeps.
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "period"], name="jobrun_once")]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"
