from __future__ import annotations

import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.translation import gettext as _

from zhengfa.core import jobs, workers


class Command(BaseCommand):
    help = _(
        "Run background tasks (django-tasks database worker) and enqueue periodic jobs "
        "once per period. Several workers may run; each period runs once. A task that a dead "
        "worker was running is run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=int,
            default=60,
            help=_("seconds between checks for due periodic jobs"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = workers.new_id()
        workers.current_id = worker_id
        workers.beat(worker_id)
        self._recover()
        stop = threading.Event()

        def scheduler() -> None:
            due = 0.0
            while not stop.is_set():
                close_old_connections()
                try:
                    workers.beat(worker_id)
                    self._recover()
                    if time.monotonic() >= due:
                        jobs.enqueue_due()
                        due = time.monotonic() + options["interval"]
                except Exception:
                    self.stderr.write(_("The periodic check failed; it is tried again shortly."))
                stop.wait(workers.BEAT_EVERY.total_seconds())

        thread = threading.Thread(target=scheduler, name="periodic", daemon=True)
        thread.start()
        try:
            call_command(
                "db_worker", reload=False, worker_id=worker_id, verbosity=options["verbosity"]
            )
        finally:
            stop.set()
            close_old_connections()
            workers.gone(worker_id)

    def _recover(self) -> None:
        tasks, messages = workers.recover()
        if tasks or messages:
            self.stdout.write(
                _(
                    "A dead worker's tasks are queued again (%(tasks)s) and its text messages "
                    "released (%(messages)s)."
                )
                % {"tasks": tasks, "messages": messages}
            )
