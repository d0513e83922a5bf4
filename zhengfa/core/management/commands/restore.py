"""python manage.py restore DIR — put back a backup made by `manage.py backup`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhengfa.core.backup import (
    BackupError,
    check,
    missing_message,
    pending_migrations,
    restore,
)


class Command(BaseCommand):
    talk = False
    help = _(
        "Replace the database and the stored files with the backup in DIR. Stop the web "
        "server and the worker first. Everything is checked (files, keys, version) before "
        "anything is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", help=_("a folder written by `manage.py backup`"))
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("only verify the backup against this site's keys and version"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.talk = options["verbosity"] > 1
        folder = Path(options["folder"])
        try:
            if options["check"]:
                manifest = check(folder)
                self.stdout.write(
                    _("The backup of %(made)s is whole and this site's keys read it.")
                    % {"made": manifest["made_at"]}
                )
                self._missing(manifest)
                return
            done, manifest = restore(folder, progress=self._say)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "Restored from %(folder)s (made %(made)s): %(tables)s tables, %(rows)s rows, "
                "%(files)s files."
            )
            % {
                "folder": done.folder,
                "made": manifest["made_at"],
                "tables": done.tables,
                "rows": done.rows,
                "files": done.files,
            }
        )
        self._missing(manifest)
        pending = pending_migrations(manifest)
        if pending:
            self.stdout.write(
                _("This version has %(count)s newer migrations: run `manage.py migrate` now.")
                % {"count": pending}
            )

    def _missing(self, manifest: dict[str, Any]) -> None:
        if manifest.get("missing_files"):
            self.stderr.write(missing_message(manifest["missing_files"]))

    def _say(self, text: str) -> None:
        if self.talk:
            self.stdout.write(text)
