from __future__ import annotations

import datetime as dt
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengfa.core.models import SignInEvent


class Command(BaseCommand):
    help = _("Delete audit entries older than AUDIT_RETENTION_DAYS (never fewer than 180 days).")

    def handle(self, *args: Any, **options: Any) -> None:
        days = max(180, settings.AUDIT_RETENTION_DAYS)
        cutoff = timezone.now() - dt.timedelta(days=days)
        changes, _ = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
        signins, _ = SignInEvent.objects.filter(time__lt=cutoff).delete()
        self.stdout.write(
            f"Kept {days} days: removed {changes} change entries and "
            f"{signins} sign-in events older than {cutoff:%Y-%m-%d}."
        )
