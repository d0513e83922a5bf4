"""python manage.py backup DIR — a whole copy of the database and the stored files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhengfa.core.backup import BackupError, backup, missing_message


class Command(BaseCommand):
    talk = False
    help = _(
        "Copy the database and every stored file into DIR, a new folder, while the site runs. "
        "The encryption keys are not copied: keep them apart (see README)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help=_("a folder that does not exist yet (or is empty)"))

    def handle(self, *args: Any, **options: Any) -> None:
        self.talk = options["verbosity"] > 1
        try:
            done = backup(Path(options["folder"]), progress=self._say)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "Backup written to %(folder)s: %(tables)s tables, %(rows)s rows, %(files)s files, "
                "%(mb).1f MB. The keys are not in it."
            )
            % {
                "folder": done.folder,
                "tables": done.tables,
                "rows": done.rows,
                "files": done.files,
                "mb": done.bytes / 1e6,
            }
        )
        if done.missing:
            # Written, and the best copy there is; the exit status tells cron something is off.
            raise CommandError(missing_message(done.missing))

    def _say(self, text: str) -> None:
        if self.talk:
            self.stdout.write(text)
