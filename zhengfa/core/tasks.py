"""Background tasks (django-tasks). Each can run twice without harm."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from .models import SmsMessage


@task()
def deliver_sms(message_id: int) -> str:
    """Send one queued text message. A message already sent or failed is left alone."""
    from .sms import SmsError, get_backend

    # Claim the message: only the worker that moves it out of "queued" sends it.
    message = SmsMessage.objects.filter(pk=message_id).first()
    if message is None:
        return "missing"
    claimed = SmsMessage.objects.filter(
        pk=message_id, outcome=SmsMessage.Outcome.QUEUED, sent_at__isnull=True
    ).update(sent_at=timezone.now())
    if not claimed:
        return "already handled"
    text = message.text.replace("{code}", message.secret) if message.secret else message.text
    try:
        reference = get_backend().send(message.to, text)
    except SmsError as exc:
        SmsMessage.objects.filter(pk=message_id).update(
            outcome=SmsMessage.Outcome.FAILED, detail=str(exc)[:300], secret=""
        )
        return "failed"
    SmsMessage.objects.filter(pk=message_id).update(
        outcome=SmsMessage.Outcome.SENT, detail=reference[:300], secret=""
    )
    return "sent"


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
