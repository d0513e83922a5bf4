from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import IO, Any

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a spreadsheet reads as the start of a formula (or of a DDE call).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_response(content: bytes | IO[bytes], filename: str) -> HttpResponse:
    """An .xlsx download under `filename`, which may be Chinese (RFC 6266 ``filename*``, with
    a plain ASCII ``filename`` for old clients). A file is sent in blocks, never read whole
    into memory (a province's export), and closed when sent."""
    response: HttpResponse | FileResponse
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=XLSX)
    else:
        response = FileResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response  # type: ignore[return-value]


def xlsx_file(wb: Workbook) -> IO[bytes]:
    """A workbook written to a file on disk (opened, at its start), for ``xlsx_response``,
    which sends it in blocks and closes it: a province's export is never held in memory."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response once sent
    wb.save(out)
    out.seek(0)
    return out


def xlsx_row(ws: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for ``ws.append``: text that would start a formula is stored as text.

    Names, positions and the like come from people; "=HYPERLINK(...)" typed as a name must
    reach the reader as those characters, never run when the export is opened.
    """
    row: list[Any] = []
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # openpyxl would make it a formula
            row.append(cell)
        else:
            row.append(value)
    return row
