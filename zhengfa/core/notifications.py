"""In-app notifications for staff, and text messages (SMS) to citizens.

``notify(users=..., title=..., url=..., key=...)`` adds a notice for each user once per
``key`` (a repeat with the same key adds nothing), after the surrounding transaction
commits. The header bell shows the unread count; ``/staff/notifications/`` lists them.

``send_sms(to=..., text=..., purpose=...)`` records the message (number encrypted, a masked
copy for display) and hands it to the background worker, which sends it through
``SMS_BACKEND`` — the console backend by default, ``zhengfa.core.sms.FileBackend`` to write
files, ``zhengfa.core.sms.HttpGatewayBackend`` for a real gateway — and records the outcome.
E-mail goes through Django's own e-mail settings (``EMAIL_BACKEND``, ``EMAIL_HOST`` …).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from .masking import mask_phone
from .models import Notification, SmsMessage
from .validators import normalize_phone, validate_mobile


def notify(
    *, users: Iterable[Any], title: str, body: str = "", url: str = "", key: str | None = None
) -> None:
    """Notify each user once per `key`; runs after the current transaction commits."""
    user_ids = sorted({u.pk for u in users if u is not None and u.is_active})

    def write() -> None:
        Notification.objects.bulk_create(
            [
                Notification(user_id=uid, title=title[:200], body=body, url=url, key=key)
                for uid in user_ids
            ],
            ignore_conflicts=True,
        )

    transaction.on_commit(write)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def send_sms(*, to: str, text: str, purpose: str = "", secret: str = "") -> SmsMessage:
    """Record a text message and queue it for sending (after commit).

    A `secret` (a follow-up code) replaces ``{code}`` in `text` only when the message is
    sent: until then it is kept encrypted, and afterwards it is erased, so the stored
    message never holds it.
    """
    number = normalize_phone(to)
    validate_mobile(number)
    message = SmsMessage.objects.create(
        to=number, to_masked=mask_phone(number), text=text, purpose=purpose, secret=secret
    )

    def enqueue() -> None:
        from .tasks import deliver_sms

        deliver_sms.enqueue(message.pk)

    transaction.on_commit(enqueue)
    return message
