"""Periodic jobs. A job runs at most once per period, whichever worker gets there first:
the claim is the insert of a ``JobRun`` row, which a unique constraint lets succeed once.

``enqueue_due()`` is called every minute by ``manage.py worker`` (and can be called by cron
through ``manage.py run_periodic``); it enqueues each job whose period has not been claimed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobRun


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    enqueue: Callable[[], object]
    period: Callable[[], str]


def daily() -> str:
    return timezone.localdate().isoformat()


def _deadlines() -> object:
    from .tasks import notify_deadlines_task

    return notify_deadlines_task.enqueue()


def _clear_sessions() -> object:
    from .tasks import clear_sessions_task

    return clear_sessions_task.enqueue()


JOBS: list[PeriodicJob] = [
    PeriodicJob("notify_deadlines", _deadlines, daily),
    PeriodicJob("clear_sessions", _clear_sessions, daily),
]


def claim(name: str, period: str) -> bool:
    try:
        with transaction.atomic():
            JobRun.objects.create(name=name, period=period)
    except IntegrityError:
        return False
    return True


def enqueue_due() -> list[str]:
    started = []
    for job in JOBS:
        if claim(job.name, job.period()):
            job.enqueue()
            started.append(job.name)
    return started
