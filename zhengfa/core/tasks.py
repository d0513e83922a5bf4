"""Background tasks (django-tasks). Each can run twice without harm."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from .models import SmsMessage

logger = logging.getLogger(__name__)

# How long a worker's claim on a text message holds before another may send it again.
SMS_LEASE = dt.timedelta(minutes=10)
# After a sending the gateway did not take for now, the next one waits this long; when
# they are used up the message has failed (about an hour and a half in all).
SMS_RETRY_AFTER = tuple(dt.timedelta(minutes=m) for m in (1, 5, 15, 60))


@task()
def deliver_sms(message_id: int) -> str:
    """Send one queued text message. A message already sent or failed is left alone.

    The worker claims the message for ``SMS_LEASE`` (``sent_at`` marks the claim). If it
    dies before recording the outcome, the message is sent again under the same idempotency
    key, so the phone gets it once: at once when the worker is found dead (``core.workers``),
    else when the claim lapses (``resend_stalled_sms``). When the gateway does not take it
    for now (no answer, its own error), it is tried again after each of ``SMS_RETRY_AFTER``,
    under the same key; a refusal, or the last try, fails it."""
    from . import workers
    from .sms import SmsError, get_backend

    now = timezone.now()
    # Each claim counts as a try, whatever ends it (a gateway's answer, a worker's death).
    claimed = (
        SmsMessage.objects.filter(pk=message_id, outcome=SmsMessage.Outcome.QUEUED)
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=now - SMS_LEASE))
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .update(sent_at=now, claimed_by=workers.current_id, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "already handled" if SmsMessage.objects.filter(pk=message_id).exists() else "missing"
    # What follows changes the message only while this claim holds: a worker whose lease
    # ran out while it waited on the gateway does not overwrite the next one's outcome.
    mine = SmsMessage.objects.filter(
        pk=message_id,
        outcome=SmsMessage.Outcome.QUEUED,
        claimed_by=workers.current_id,
        sent_at=now,
    )
    try:
        message = SmsMessage.objects.get(pk=message_id)  # decrypts the number and the code
    except ValueError:
        logger.exception("text message %s: its number or code does not decrypt", message_id)
        mine.update(
            outcome=SmsMessage.Outcome.FAILED, retry_at=None, detail="undecryptable", secret=""
        )
        return "failed"
    if message.attempts > len(SMS_RETRY_AFTER) + 1:
        # Its tries were used up by workers that died while sending it.
        mine.update(outcome=SmsMessage.Outcome.FAILED, retry_at=None, secret="")
        return "failed"
    text = message.text.replace("{code}", message.secret) if message.secret else message.text
    try:
        reference = get_backend().send(message.to, text, message.idempotency_key)
    except Exception as exc:
        if not isinstance(exc, SmsError):
            logger.exception("text message %s: the backend failed", message_id)
        transient = not isinstance(exc, SmsError) or exc.transient
        if transient and message.attempts <= len(SMS_RETRY_AFTER):
            retry_at = timezone.now() + SMS_RETRY_AFTER[message.attempts - 1]
            # The claim is let go; the code stays (encrypted) for the next try.
            mine.update(retry_at=retry_at, sent_at=None, claimed_by="", detail=str(exc)[:300])
            if deliver_sms.get_backend().supports_defer:
                deliver_sms.using(run_after=retry_at).enqueue(message_id)
            # Else (tests run tasks at once) ``resend_stalled_sms`` queues it when it is due.
            return "to be tried again"
        mine.update(
            outcome=SmsMessage.Outcome.FAILED, retry_at=None, detail=str(exc)[:300], secret=""
        )
        return "failed"
    mine.update(outcome=SmsMessage.Outcome.SENT, retry_at=None, detail=reference[:300], secret="")
    return "sent"


@task()
def resend_stalled_sms() -> str:
    """Queue again the messages whose worker died: claimed longer than ``SMS_LEASE`` ago, or
    never claimed though queued that long ago (the queue lost them), or due to be tried
    again that long ago (the queue lost the try)."""
    now = timezone.now()
    stale = now - SMS_LEASE
    waiting = SmsMessage.objects.filter(outcome=SmsMessage.Outcome.QUEUED).filter(
        Q(sent_at__lt=stale)
        | Q(sent_at__isnull=True, retry_at__isnull=True, created_at__lt=stale)
        | Q(sent_at__isnull=True, retry_at__lt=stale)
    )
    ids = list(waiting.values_list("pk", flat=True)[:500])
    for pk in ids:
        deliver_sms.enqueue(pk)
    return f"queued again {len(ids)}"


@task()
def notify_deadlines_task() -> str:
    from .deadlines import notify_deadlines

    return notify_deadlines()


@task()
def clear_sessions_task() -> str:
    """Expired sessions leave the database (Django's clearsessions)."""
    from django.core.management import call_command

    call_command("clearsessions")
    return "cleared"


@task()
def sweep_orphan_files_task() -> str:
    """Stored files whose transaction rolled back leave storage (``attachments.sweep_orphans``)."""
    from .attachments import sweep_orphans

    return f"deleted {sweep_orphans()}"
