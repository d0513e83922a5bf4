"""python manage.py stage_brief --unit ZFW --from 2021-02-27 --to 2021-04-15 [--docx FILE]"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from zhengfa.org.directory import root_unit
from zhengfa.org.models import Unit
from zhengfa.reports.brief import build, docx_bytes


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(text)s") % {"text": text}) from exc


class Command(BaseCommand):
    help = _("Print the stage brief of a unit for a period, or write it as a Word file.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help=_("the unit's code (default: the county's root unit)"))
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        parser.add_argument("--docx", help=_("write the brief to this .docx file instead"))
        parser.add_argument("--language", default="zh-hans", help=_("zh-hans (default) or en"))

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            start, end = _date(options["start"]), _date(options["end"])
            if end < start:
                raise CommandError(_("The end date is before the start date."))
            if options["unit"]:
                unit = Unit.objects.filter(code=options["unit"]).first()
                if unit is None:
                    raise CommandError(
                        _("No unit has the code %(code)s.") % {"code": options["unit"]}
                    )
            else:
                unit = root_unit()
                if unit is None:
                    raise CommandError(_("The site has no units yet."))
            brief = build(unit, start, end)
            if options["docx"]:
                path = Path(options["docx"])
                try:
                    path.write_bytes(docx_bytes(brief))
                except OSError as exc:
                    raise CommandError(
                        _("Cannot write %(path)s: %(why)s") % {"path": path, "why": exc.strerror}
                    ) from exc
                self.stdout.write(_("Written: %(path)s") % {"path": path})
            else:
                self.stdout.write(brief.text, ending="")
