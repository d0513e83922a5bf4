"""A real worker process killed in the middle of a task: the next worker runs the task again
at once, and the text message it was sending reaches the phone once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from zhengfa.core.models import SmsMessage, WorkerBeat
from zhengfa.core.notifications import send_sms

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)


def database_url() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(params['NAME']).resolve()}"
    user = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    return f"postgres://{user}@{params['HOST']}:{params['PORT']}/{params['NAME']}"


def start_worker(tmp_path: Path, sms: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ZHENGFA_ENV": "test",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "SMS_BACKEND": "zhengfa.core.tests.testapp.sms.HoldingFileBackend",
        "SMS_FILE_PATH": str(sms),
        "ZHENGFA_VAR_DIR": str(tmp_path / "var"),
    }
    with open(tmp_path / "worker.log", "ab") as log:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), "worker", "-v0"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_for(condition: Callable[[], Any], what: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if condition():
            return
        assert proc.poll() is None, f"the worker exited while waiting for {what}"
        time.sleep(0.1)
    raise AssertionError(f"waited 90 s for {what}")


def test_a_task_whose_worker_is_killed_runs_again_and_texts_once(
    tmp_path: Path, settings: Any
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    sms = tmp_path / "sms"
    sms.mkdir()
    (sms / "hold").touch()
    message = send_sms(to="13900005555", text="您的预约已确认")
    task = DBTaskResult.objects.get(task_path__endswith="deliver_sms")
    handed = sms / "handed-over"

    first = start_worker(tmp_path, sms)
    try:
        # The gateway has the message; the worker waits for its answer, and is killed.
        wait_for(handed.exists, "the message to reach the gateway", first)
        task.refresh_from_db()
        message.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING
        assert message.outcome == SmsMessage.Outcome.QUEUED and message.claimed_by
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.kill()
        first.wait()
    (sms / "hold").unlink()
    # Dead, but as the database sees it the task still runs and the message is claimed.
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING
    assert WorkerBeat.objects.filter(pid=first.pid).exists()

    second = start_worker(tmp_path, sms)
    try:
        wait_for(
            lambda: DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.SUCCESSFUL,
            "the task to run again",
            second,
        )
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(30)
    task.refresh_from_db()
    assert len(task.worker_ids) == 2  # taken by the dead worker, then by the next
    message.refresh_from_db()
    assert message.outcome == SmsMessage.Outcome.SENT
    assert handed.read_text().split() == [message.idempotency_key] * 2  # handed over twice
    delivered = [
        line
        for log in sms.glob("sms-*.log")
        for line in log.read_text(encoding="utf-8").splitlines()
        if message.idempotency_key in line
    ]
    assert len(delivered) == 1  # on the phone once
    # The dead worker's record is gone; the one that stopped cleanly took its own away.
    assert not WorkerBeat.objects.exists()


def test_only_the_work_of_workers_known_dead_is_taken_back(settings: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from zhengfa.core import workers
    from zhengfa.core.tasks import clear_sessions_task

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    now = timezone.now()
    # Alive elsewhere; silent for two minutes elsewhere; never recorded (db_worker from cron).
    WorkerBeat.objects.create(worker_id="alive", host="other-host", pid=1, seen_at=now)
    WorkerBeat.objects.create(
        worker_id="silent", host="other-host", pid=1, seen_at=now - dt.timedelta(minutes=2)
    )
    taken = {}
    # The last one has killed two workers before this one: it is given up, not run again.
    for name, ids in (
        ("alive", ["alive"]),
        ("silent", ["silent"]),
        ("unknown", ["unknown"]),
        ("killer", ["gone-1", "gone-2", "silent"]),
    ):
        result = clear_sessions_task.enqueue()
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.RUNNING, worker_ids=ids
        )
        taken[name] = str(result.id)
    assert workers.recover() == (1, 0)
    status = {str(pk): s for pk, s in DBTaskResult.objects.values_list("pk", "status")}
    assert status[taken["silent"]] == TaskResultStatus.READY
    assert status[taken["alive"]] == status[taken["unknown"]] == TaskResultStatus.RUNNING
    assert status[taken["killer"]] == TaskResultStatus.FAILED
    assert sorted(WorkerBeat.objects.values_list("worker_id", flat=True)) == ["alive"]
