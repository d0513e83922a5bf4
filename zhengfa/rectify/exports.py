"""The ledger as an .xlsx in the familiar columns, written to disk in batches."""

from __future__ import annotations

from itertools import islice
from typing import IO

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from zhengfa.core.models import TimelineEvent
from zhengfa.core.responses import xlsx_file, xlsx_row

from .models import LedgerItem

BATCH = 2000


def columns() -> list[str]:
    return [
        _("No."),
        _("Source"),
        _("Category"),
        pgettext("ledger column", "Problem"),
        _("Responsible unit"),
        _("Responsible person"),
        _("Measures"),
        pgettext("ledger column", "Deadline"),
        _("Acceptance standard"),
        _("Progress"),
        _("Status"),
        _("Closed on"),
    ]


def latest_progress(ids: list[int]) -> dict[int, str]:
    """The latest word on each item's progress: a progress note or a request for
    verification (not a moved deadline, a return or the verifier's remark)."""
    ct = ContentType.objects.get_for_model(LedgerItem)
    found: dict[int, str] = {}
    events = (
        TimelineEvent.objects.filter(
            content_type=ct, object_id__in=ids, transition__in=["", "submit"]
        )
        .exclude(comment="")
        .order_by("object_id", "-time", "-pk")
        .values_list("object_id", "comment")
    )
    for object_id, comment in events:
        found.setdefault(object_id, comment)
    return found


def _day(value: object) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""  # type: ignore[arg-type]


def ledger_workbook(items: QuerySet[LedgerItem]) -> IO[bytes]:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Problem ledger"))
    ws.append(columns())
    rows = items.select_related("category", "unit", "responsible").iterator(chunk_size=BATCH)
    number = 0
    while batch := list(islice(rows, BATCH)):
        progress = latest_progress([i.pk for i in batch])
        for item in batch:
            number += 1
            ws.append(
                xlsx_row(
                    ws,
                    [
                        number,
                        item.get_source_display(),
                        item.category.name,
                        item.problem,
                        item.unit.name,
                        item.responsible.display_name if item.responsible else "",
                        item.measures,
                        _day(item.due_at),
                        item.standard,
                        progress.get(item.pk, ""),
                        item.state_label,
                        _day(item.closed_at),
                    ],
                )
            )
    return xlsx_file(wb)
