from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from zhengfa.core import jobs


class Command(BaseCommand):
    help = (
        "Run background tasks (django-tasks database worker) and enqueue periodic jobs "
        "once per period. Several workers may run; each period runs once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=int, default=60, help="seconds between checks for due periodic jobs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def scheduler() -> None:
            while not stop.is_set():
                close_old_connections()
                try:
                    jobs.enqueue_due()
                except Exception:
                    self.stderr.write("periodic check failed; retrying later")
                stop.wait(options["interval"])

        thread = threading.Thread(target=scheduler, name="periodic", daemon=True)
        thread.start()
        try:
            call_command("db_worker", reload=False, verbosity=options["verbosity"])
        finally:
            stop.set()
