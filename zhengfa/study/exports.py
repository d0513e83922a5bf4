"""Downloads of the study module, built from the selectors' set-based reads."""

from __future__ import annotations

import datetime as dt
from itertools import islice
from typing import IO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from zhengfa.core.responses import xlsx_file, xlsx_row
from zhengfa.org.models import Officer

from . import selectors

# Officers are read and their records counted this many at a time: a province's export of
# 100,000 rows holds one batch in memory (a few megabytes), never the whole list.
BATCH = 10_000


def records_workbook(officers: QuerySet[Officer], start: dt.date, end: dt.date) -> IO[bytes]:
    """Each officer's study record in the range, one row each, as an .xlsx file on disk
    (opened, at its start): read in batches of BATCH officers, four queries each."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Study records"))
    ws.append(
        [
            _("Name"),
            _("Unit"),
            _("Staff or police number"),
            _("Attended"),
            _("Hours"),
            _("Leave"),
            _("Notes"),
            _("Reflections"),
            _("Studied online"),
        ]
    )
    rows = officers.values_list(
        "pk", "user__name", "user__username", "unit__name", "staff_number"
    ).iterator(chunk_size=BATCH)
    while batch := list(islice(rows, BATCH)):
        records = selectors.officer_records([pk for pk, *_rest in batch], start, end)
        for pk, name, username, unit, number in batch:
            rec = records[pk]
            ws.append(
                xlsx_row(
                    ws,
                    [
                        name or username,
                        unit,
                        number,
                        rec.attended,
                        rec.hours,
                        rec.leave,
                        rec.notes,
                        rec.reflections,
                        rec.online,
                    ],
                )
            )
    return xlsx_file(wb)
