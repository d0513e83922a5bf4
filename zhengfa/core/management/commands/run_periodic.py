from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from zhengfa.core import jobs
from zhengfa.core.deadlines import notify_deadlines


class Command(BaseCommand):
    help = _("Enqueue the periodic jobs whose period has not run yet (safe to call often).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--deadlines-now",
            action="store_true",
            help=_("run the deadline notices now, in this process"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["deadlines_now"]:
            self.stdout.write(notify_deadlines())
            return
        started = jobs.enqueue_due()
        self.stdout.write("enqueued: " + (", ".join(started) or "nothing due"))
