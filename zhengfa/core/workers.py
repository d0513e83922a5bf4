"""Background workers that die (a kill, a power cut) leave no task half-done for good.

django-tasks' database worker marks a task RUNNING when it takes it and never looks at it
again if the process dies. Each ``manage.py worker`` therefore records itself in
``WorkerBeat`` and renews the row every ``BEAT_EVERY``. A worker is dead when its row is older
than ``DEAD_AFTER`` by the database's clock, or at once when it ran on this machine (and in
this process namespace) and its process is gone. A task whose workers died ``MOST_ATTEMPTS``
times is marked failed instead of being run again.
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
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import SmsMessage, WorkerBeat

BEAT_EVERY = dt.timedelta(seconds=15)
DEAD_AFTER = dt.timedelta(seconds=60)
# A task whose workers died this many times is given up (it may be what kills them).
MOST_ATTEMPTS = 3

# The id of the worker this process is, if it is one (set by ``manage.py worker``).
current_id = ""


def _machine() -> str:
    """This machine and process namespace: a process number means the same process only here
    (containers that share a host name have process numbers of their own)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}|{namespace}"[:255]


def new_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


def beat(worker_id: str) -> None:
    # The database's clock, not this machine's: workers on several machines are compared.
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": _machine(), "pid": os.getpid(), "seen_at": Now()},
        create_defaults={"host": _machine(), "pid": os.getpid(), "started_at": Now()},
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


def dead_workers() -> list[str]:
    silent = WorkerBeat.objects.filter(seen_at__lt=Now() - DEAD_AFTER)
    here = WorkerBeat.objects.filter(host=_machine())
    dead = set(silent.values_list("worker_id", flat=True))
    dead |= {w for w, pid in here.values_list("worker_id", "pid") if not _process_exists(pid)}
    dead.discard(current_id)
    return sorted(dead)


class WorkerDied(Exception):
    """Recorded on a task given up after its workers died MOST_ATTEMPTS times."""


def recover() -> tuple[int, int]:
    """Requeue the tasks of dead workers and release their text messages: (tasks, messages)."""
    dead = dead_workers()
    if not dead:
        return 0, 0
    tasks = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        for result in running:
            if not result.worker_ids or result.worker_ids[-1] not in dead:
                continue
            if len(result.worker_ids) >= MOST_ATTEMPTS:
                DBTaskResult.objects.filter(pk=result.pk).update(
                    status=TaskResultStatus.FAILED,
                    finished_at=timezone.now(),
                    exception_class_path=f"{__name__}.WorkerDied",
                    traceback=f"The worker running it died {len(result.worker_ids)} times.",
                )
            else:
                DBTaskResult.objects.filter(pk=result.pk).update(
                    status=TaskResultStatus.READY, started_at=None
                )
                tasks += 1
        messages = SmsMessage.objects.filter(
            outcome=SmsMessage.Outcome.QUEUED, claimed_by__in=dead
        ).update(sent_at=None, claimed_by="")
        WorkerBeat.objects.filter(worker_id__in=dead).delete()
    return tasks, messages
