"""Background workers that die (a kill, a power cut) leave no task half-done for good.

django-tasks' database worker marks a task RUNNING when it takes it and never looks at it
again if the process dies. Each ``manage.py worker`` therefore records itself in
``WorkerBeat`` and renews the row every ``BEAT_EVERY``. A worker is dead when its row is older
than ``DEAD_AFTER``, or at once when it ran on this machine and its process is gone.
``recover()`` (run by every worker when it starts, and then with each beat) puts the tasks a
dead worker was running back in the queue and lets go of the text messages it had claimed:
tasks are written to run twice without harm, and a message is sent again under the same
idempotency key, so the phone gets it once. Tasks of workers that never recorded themselves
(``db_worker`` from cron) are left alone: nobody can tell whether they still run.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket

from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import SmsMessage, WorkerBeat

BEAT_EVERY = dt.timedelta(seconds=15)
DEAD_AFTER = dt.timedelta(seconds=60)

# The id of the worker this process is, if it is one (set by ``manage.py worker``).
current_id = ""


def new_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


def beat(worker_id: str) -> None:
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": socket.gethostname(), "pid": os.getpid(), "seen_at": timezone.now()},
        create_defaults={"host": socket.gethostname(), "pid": os.getpid()},
    )


def gone(worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead(row: WorkerBeat, now: dt.datetime) -> bool:
    if row.worker_id == current_id:
        return False
    if row.seen_at < now - DEAD_AFTER:
        return True
    return row.host == socket.gethostname() and not _process_exists(row.pid)


def recover() -> tuple[int, int]:
    """Requeue the tasks of dead workers and release their text messages: (tasks, messages)."""
    now = timezone.now()
    dead = [row.worker_id for row in WorkerBeat.objects.all() if _dead(row, now)]
    if not dead:
        return 0, 0
    tasks = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        for result in running:
            if result.worker_ids and result.worker_ids[-1] in dead:
                DBTaskResult.objects.filter(pk=result.pk).update(
                    status=TaskResultStatus.READY, started_at=None
                )
                tasks += 1
        messages = SmsMessage.objects.filter(
            outcome=SmsMessage.Outcome.QUEUED, claimed_by__in=dead
        ).update(sent_at=None, claimed_by="")
        WorkerBeat.objects.filter(worker_id__in=dead).delete()
    return tasks, messages
