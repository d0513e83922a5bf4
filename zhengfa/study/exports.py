"""Downloads of the study module, built from the selectors' set-based reads."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from zhengfa.core.responses import xlsx_row
from zhengfa.org.models import Officer

from . import selectors


def records_workbook(officers: QuerySet[Officer], start: dt.date, end: dt.date) -> bytes:
    """Each officer's study record in the range, one row each (a fixed number of queries)."""
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
    records = selectors.officer_records(officers, start, end)
    for o in officers:
        rec = records[o.pk]
        ws.append(
            xlsx_row(
                ws,
                [
                    o.user.display_name,
                    o.unit.name,
                    o.staff_number,
                    rec.attended,
                    rec.hours,
                    rec.leave,
                    rec.notes,
                    rec.reflections,
                    rec.online,
                ],
            )
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
