"""Officer rosters as .xlsx: the template, the import that validates every row first, export.

An import reads the whole file, checks every row — required values, ID numbers, phones,
units the importer may change, staff numbers unique in the file and in the database — and
imports nothing unless every row is clean. Errors name the row number and the column.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from zhengfa.core.responses import xlsx_row
from zhengfa.core.validators import (
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_phone,
)

from . import services
from .models import Officer, Unit, User

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# Unpacked, a full template of MAX_ROWS rows is about 2 MB, its styles a few kilobytes; a
# file far beyond that would cost seconds and hundreds of megabytes to parse.
MAX_UNPACKED_BYTES = 6 * 1024 * 1024
MAX_PART_BYTES = {"xl/styles.xml": 1024 * 1024, "xl/sharedStrings.xml": 4 * 1024 * 1024}


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    required: bool = False
    max_length: int = 50


COLUMNS = [
    Column("name", gettext_lazy("Name"), required=True, max_length=50),
    Column("unit_code", gettext_lazy("Unit code"), required=True, max_length=30),
    Column("position", gettext_lazy("Position"), max_length=60),
    Column("staff_number", gettext_lazy("Staff or police number"), required=True, max_length=30),
    Column("is_auxiliary", gettext_lazy("Auxiliary (yes/no)")),
    Column("work_phone", gettext_lazy("Work phone")),
    Column("id_number", gettext_lazy("ID number")),
]
YES = {"是", "yes", "y", "1", "true", "辅警"}
NO = {"否", "no", "n", "0", "false", ""}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def _column_label(key: str) -> str:
    for i, col in enumerate(COLUMNS):
        if col.key == key:
            return f"{_letter(i)} {col.label}"
    return key


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = str(_("Officers"))
    ws.append([str(c.label) for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i in range(len(COLUMNS)):
        ws.column_dimensions[_letter(i)].width = 20
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _file_error(message: str, row: int = 0) -> tuple[list[dict[str, str]], list[RowError]]:
    return [], [RowError(row, "", message)]


def _not_a_workbook() -> tuple[list[dict[str, str]], list[RowError]]:
    return _file_error(
        _("This file is not an Excel workbook (.xlsx). Download the template and fill it in.")
    )


def read_rows(file: BinaryIO) -> tuple[list[dict[str, str]], list[RowError]]:
    """The data rows keyed by column, or a file-level error at row 0.

    Whatever the file holds, reading it is bounded: its unpacked size is checked before
    parsing, and only the template's columns of the first MAX_ROWS rows are ever read (a
    sheet may declare a cell a million rows down in a few bytes). Any file that cannot be
    read — no sheet, broken XML — gets the same plain message.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError):
        return _not_a_workbook()
    finally:
        file.seek(0)
    if sum(sizes.values()) > MAX_UNPACKED_BYTES or any(
        sizes.get(part, 0) > limit for part, limit in MAX_PART_BYTES.items()
    ):
        return _file_error(
            _("The file holds more than a roster can: at most %(n)d rows.") % {"n": MAX_ROWS}
        )
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:
        return _not_a_workbook()
    try:
        if not wb.worksheets:
            return _not_a_workbook()
        ws = wb.worksheets[0]
        declared = ws.max_row if isinstance(ws.max_row, int) else 0
        if declared > MAX_ROWS + 1:
            return _file_error(_("A roster may have at most %(n)d rows.") % {"n": MAX_ROWS})
        rows_iter = ws.iter_rows(max_row=MAX_ROWS + 2, max_col=len(COLUMNS), values_only=True)
        header = next(rows_iter, None)
        expected = [str(c.label) for c in COLUMNS]
        english = [str(c.key) for c in COLUMNS]
        got = [_cell_text(v) for v in (header or [])][: len(COLUMNS)]
        if got != expected and got != english:
            return _file_error(
                _("The first row must be the template's headings: %(h)s.")
                % {"h": "、".join(expected)},
                row=1,
            )
        rows: list[dict[str, str]] = []
        for values in rows_iter:
            cells = [_cell_text(v) for v in values][: len(COLUMNS)]
            cells += [""] * (len(COLUMNS) - len(cells))
            rows.append({c.key: cells[i] for i, c in enumerate(COLUMNS)} if any(cells) else {})
            if len(rows) > MAX_ROWS:
                return _file_error(_("A roster may have at most %(n)d rows.") % {"n": MAX_ROWS})
    except Exception:  # broken XML and the like surface while the sheet is read
        return _not_a_workbook()
    finally:
        wb.close()
    return rows, []


def validate_rows(
    rows: list[dict[str, str]], units: QuerySet[Unit]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Check every row; return the cleaned rows and every error found."""
    errors: list[RowError] = []
    cleaned: list[dict[str, Any]] = []
    unit_by_code = {u.code: u for u in units}
    seen: dict[str, int] = {}
    numbers = {r["staff_number"].lower() for r in rows if r and r.get("staff_number")}
    usernames = set(
        User.objects.annotate(lname=Lower("username"))
        .filter(lname__in=numbers)
        .values_list("lname", flat=True)
    )
    existing = set(
        Officer.objects.annotate(number=Lower("staff_number"))
        .filter(number__in=numbers)
        .values_list("number", flat=True)
    )

    for offset, row in enumerate(rows):
        line = offset + 2  # the heading is row 1
        if not row:
            continue

        def err(key: str, message: str, line: int = line) -> None:
            errors.append(RowError(line, _column_label(key), message))

        for col in COLUMNS:
            if col.required and not row.get(col.key):
                err(col.key, _("This value is required."))
            if len(row.get(col.key, "")) > col.max_length:
                err(col.key, _("At most %(n)d characters.") % {"n": col.max_length})
        unit = unit_by_code.get(row.get("unit_code", ""))
        if row.get("unit_code") and unit is None:
            err("unit_code", _("No unit with this code that you may add officers to."))
        number = row.get("staff_number", "")
        if number:
            if number.lower() in seen:
                err(
                    "staff_number",
                    _("The same number is already on row %(row)d.") % {"row": seen[number.lower()]},
                )
            elif number.lower() in existing:
                err("staff_number", _("An officer with this number already exists."))
            elif number.lower() in usernames:
                err("staff_number", _("An account with this user name exists already."))
            seen.setdefault(number.lower(), line)
        aux = row.get("is_auxiliary", "").lower()
        if aux not in YES | NO:
            err("is_auxiliary", _("Write 是 or 否."))
        phone = normalize_phone(row.get("work_phone", ""))
        if phone:
            try:
                validate_phone(phone)
            except ValidationError as exc:
                err("work_phone", " ".join(exc.messages))
        id_number = normalize_id_number(row.get("id_number", ""))
        if id_number:
            try:
                validate_id_number(id_number)
            except ValidationError as exc:
                err("id_number", " ".join(exc.messages))
        cleaned.append(
            {
                "name": row.get("name", ""),
                "unit": unit,
                "position": row.get("position", ""),
                "staff_number": number,
                "is_auxiliary": aux in YES,
                "work_phone": phone,
                "id_number": id_number,
            }
        )
    return cleaned, errors


def import_roster(*, file: BinaryIO, size: int, by: Any) -> ImportResult:
    """Validate the whole roster; create every officer only if no row has an error."""
    if size > MAX_BYTES:
        return ImportResult(
            errors=[
                RowError(
                    0,
                    "",
                    _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
                )
            ]
        )
    rows, errors = read_rows(file)
    if errors:
        return ImportResult(errors=errors)
    units = Unit.objects.visible_to(by, "change")
    cleaned, errors = validate_rows(rows, units)
    result = ImportResult(errors=errors, rows=len(cleaned))
    if not cleaned and not errors:
        result.errors.append(RowError(0, "", _("The roster has no officers in it.")))
    if result.errors:
        return result
    with transaction.atomic():
        for data in cleaned:
            services.officer_create(by=by, **data)
    result.created = len(cleaned)
    return result


def export_workbook(officers: QuerySet[Officer]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(_("Officers")))
    ws.append([str(c.label) for c in COLUMNS] + [str(_("Unit")), str(_("Status"))])
    for o in officers.select_related("user", "unit").iterator(chunk_size=500):
        ws.append(
            xlsx_row(
                ws,
                [
                    o.user.display_name,
                    o.unit.code,
                    o.position,
                    o.staff_number,
                    str(_("yes")) if o.is_auxiliary else str(_("no")),
                    o.work_phone_masked,
                    o.id_number_masked,
                    o.unit.name,
                    o.get_status_display(),
                ],
            )
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
