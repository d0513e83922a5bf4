"""Periodic jobs. A job runs at most once per period, whichever worker gets there first:
the claim is the insert of a ``JobRun`` row, which a unique constraint lets succeed once.

Modules declare their jobs as ``PeriodicJob`` in ``plugin.py``. ``enqueue_due()`` is called
every minute by ``manage.py worker`` (and can be called by cron through ``manage.py
run_periodic``); it enqueues each job whose period has not been claimed.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobRun
from .registry import registry


def daily() -> str:
    return timezone.localdate().isoformat()


def claim(name: str, period: str) -> bool:
    try:
        with transaction.atomic():
            JobRun.objects.create(name=name, period=period)
    except IntegrityError:
        return False
    return True


def enqueue_due() -> list[str]:
    started = []
    for job in registry.jobs:
        if claim(job.name, job.period()):
            job.enqueue()
            started.append(job.name)
    return started
