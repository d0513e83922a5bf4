"""Periodic jobs. A job runs at most once per period, whichever worker gets there first:
the claim is the insert of a ``JobRun`` row, which a unique constraint lets succeed once.

Modules declare their jobs as ``PeriodicJob`` in ``plugin.py``. ``enqueue_due()`` is called
every minute by ``manage.py worker`` (and can be called by cron through ``manage.py
run_periodic``); it enqueues each job whose period has not been claimed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobRun
from .registry import registry


def daily() -> str:
    return timezone.localdate().isoformat()


def hourly_between(first: int, last: int) -> Callable[[], str]:
    """A period per hour from `first` to `last` o'clock, local time, and none at night (an
    empty period is not run): for jobs that text citizens, never at midnight."""

    def period() -> str:
        now = timezone.localtime()
        return f"{now:%Y-%m-%dT%H}" if first <= now.hour <= last else ""

    return period


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
        period = job.period()
        if period and claim(job.name, period):
            job.enqueue()
            started.append(job.name)
    return started
