"""One upload service for every module.

Files are checked by their content (never their name) against the kinds in ``KINDS``, limited
to ``ATTACHMENT_MAX_BYTES`` (20 MB by default), stored under a random name through Django's
storage API (a local folder by default, S3-compatible storage by setting), and photos are
re-encoded so that EXIF data — GPS position included — is gone. Files are served only by
``core:attachment_download``, which checks that the user may see the record they belong to.

In a form, use :class:`AttachmentField` (errors appear at the field); in a service, call
:func:`attach` (or pass ``files=`` to ``workflow.transition`` / ``workflow.note``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
import zipfile
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import filetype
from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps

from .models import Attachment, TimelineEvent

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass(frozen=True)
class FileKind:
    mime: str
    ext: str
    label: str


KINDS = {
    "image/jpeg": FileKind("image/jpeg", "jpg", "JPEG"),
    "image/png": FileKind("image/png", "png", "PNG"),
    "image/webp": FileKind("image/webp", "webp", "WebP"),
    "application/pdf": FileKind("application/pdf", "pdf", "PDF"),
    DOCX: FileKind(DOCX, "docx", "Word"),
    XLSX: FileKind(XLSX, "xlsx", "Excel"),
    "application/msword": FileKind("application/msword", "doc", "Word 97"),
    "application/vnd.ms-excel": FileKind("application/vnd.ms-excel", "xls", "Excel 97"),
}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
# Decompression bombs are refused by the size a picture declares, before any decoding. A
# JPEG is decoded at a reduced scale (draft, to at most twice MAX_SIDE a side), so even a
# 108-megapixel phone photo costs little; PNG and WebP are decoded whole, so they get less.
# A picture is decoded once (checked and cleaned in one go), and a form takes a few files at
# most: one anonymous request costs at most a few such decodes, one after another.
MAX_PIXELS = {"image/jpeg": 120_000_000, "image/png": 16_000_000, "image/webp": 16_000_000}
MAX_SIDE = 4096
# A progressive JPEG is decoded in passes (scans); phones and cameras write about ten. Each
# pass costs a decoding of the picture, so a file that repeats them is refused unread.
MAX_SCANS = 32
SOS = b"\xff\xda"  # a JPEG "start of scan" marker; entropy-coded data never holds it
Image.MAX_IMAGE_PIXELS = 2 * max(MAX_PIXELS.values())  # Pillow's own stop stays above ours


def _draft(img: Image.Image) -> None:
    """Decode a JPEG (and an MPO, a JPEG with more frames) at the smallest scale that still
    gives its longer side MAX_SIDE pixels: a very wide picture is reduced too."""
    if img.format in {"JPEG", "MPO"}:
        width, height = img.size
        scale = max(width, height) / MAX_SIDE
        if scale > 1:
            img.draft("RGB", (max(1, int(width / scale)), max(1, int(height / scale))))


def max_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_BYTES)


def _detect(upload: UploadedFile) -> str | None:
    """The MIME type that the bytes say, or None."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(OLE2_MAGIC):
        # Word 97 and Excel 97 share one container; the name only picks which of the two.
        name = (upload.name or "").lower()
        return "application/vnd.ms-excel" if name.endswith(".xls") else "application/msword"
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in {"application/zip", DOCX, XLSX} or head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
        return "application/zip"
    return mime


@dataclass(frozen=True)
class Checked:
    """An upload that passed: its kind, and for a picture the cleaned bytes to store."""

    mime: str
    data: bytes | None = None


CHECKED = "_zhengfa_checked"


def inspect(upload: UploadedFile) -> str:
    """Check one upload; return its MIME type or raise a ValidationError in Chinese."""
    return _check(upload).mime


def _check(upload: UploadedFile) -> Checked:
    """Check an upload once per request: the form field and the service share the result
    (a picture is decoded, and cleaned, only the first time)."""
    done: Checked | None = getattr(upload, CHECKED, None)
    if done is not None:
        return done
    size = upload.size or 0
    if size == 0:
        raise ValidationError(
            _("The file “%(name)s” is empty.") % {"name": upload.name}, code="empty"
        )
    if size > max_bytes():
        raise ValidationError(
            _("The file “%(name)s” is larger than %(mb)d MB.")
            % {"name": upload.name, "mb": max_bytes() // (1024 * 1024)},
            code="too_large",
        )
    mime = _detect(upload)
    if mime not in KINDS:
        kinds = "、".join(kind.label for kind in KINDS.values())
        raise ValidationError(
            _("The file “%(name)s” is not an accepted kind. Accepted: %(kinds)s.")
            % {"name": upload.name, "kinds": kinds},
            code="file_type",
        )
    checked = Checked(mime, _clean_image(upload, mime) if mime in IMAGE_TYPES else None)
    setattr(upload, CHECKED, checked)
    return checked


def _scans(upload: UploadedFile) -> int:
    """How many passes a JPEG is decoded in (its start-of-scan markers)."""
    upload.seek(0)
    return upload.read().count(SOS)


def _clean_image(upload: UploadedFile, mime: str) -> bytes:
    """Decode a picture once, refusing it by its declared size first, and re-encode it:
    turned upright, without EXIF (GPS included) or other metadata."""
    too_many_scans = mime == "image/jpeg" and _scans(upload) > MAX_SCANS
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Our own MAX_PIXELS decides; Pillow's warning below it is no error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as img:
                # The header alone gives the size: nothing is decoded yet.
                if img.width * img.height > MAX_PIXELS[mime] or too_many_scans:
                    raise ValidationError(
                        _("The picture “%(name)s” is too large; send a smaller copy.")
                        % {"name": upload.name},
                        code="image_too_large",
                    )
                _draft(img)
                # Decodes every pixel: a cut-off photo fails here, at the field.
                img.load()
                upright = ImageOps.exif_transpose(img) or img
                if max(upright.size) > MAX_SIDE:
                    upright.thumbnail((MAX_SIDE, MAX_SIDE))
                fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[mime]
                if fmt == "JPEG" and upright.mode not in {"RGB", "L"}:
                    upright = upright.convert("RGB")
                out = io.BytesIO()
                options: dict[str, Any] = (
                    {"quality": 90} if fmt in {"JPEG", "WEBP"} else {"optimize": True}
                )
                # Nothing of img.info (exif, xmp, text chunks) is passed on.
                upright.save(out, format=fmt, **options)
    except ValidationError:
        raise
    except Exception as exc:
        # (OSError, SyntaxError for broken PNG chunks, EOFError, struct.error, …)
        raise ValidationError(
            _("The picture “%(name)s” cannot be read.") % {"name": upload.name},
            code="bad_image",
        ) from exc
    finally:
        upload.seek(0)
    return out.getvalue()


def _original_name(name: str) -> str:
    base = (name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:200] or "file"


@transaction.atomic
def attach(
    *,
    record: models.Model,
    upload: UploadedFile,
    by: Any,
    event: TimelineEvent | None = None,
    purpose: str = "",
    accept: Collection[str] | None = None,
) -> Attachment:
    """Store one file on `record`. `by` is None for a citizen; `accept` narrows the kinds."""
    checked = _check(upload)
    mime = checked.mime
    if accept is not None and mime not in accept:
        raise ValidationError(
            _("“%(name)s” is not a picture.") % {"name": upload.name}
            if set(accept) <= IMAGE_TYPES
            else _("The file “%(name)s” is not an accepted kind.") % {"name": upload.name},
            code="file_type",
        )
    if checked.data is not None:
        data = checked.data
    else:
        upload.seek(0)
        data = upload.read()
    kind = KINDS[mime]
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        event=event,
        # A citizen's file keeps no name of his phone's making (a timestamp, his own name).
        original_name=f"upload.{kind.ext}" if by is None else _original_name(upload.name or ""),
        mime_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        purpose=purpose,
        uploaded_by=by,
        by_citizen=by is None,
    )
    attachment.file.save(f"upload.{kind.ext}", ContentFile(data), save=False)
    attachment.save()
    return attachment


def serve(attachment: Attachment) -> FileResponse:
    """The stored file as a private, uncached response (pictures inline, others downloaded);
    a file lost from storage answers 404."""
    try:
        stored = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        stored,
        content_type=attachment.mime_type,
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def attachments_of(record: models.Model, purpose: str | None = None) -> models.QuerySet[Attachment]:
    qs = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
    )
    return qs.filter(purpose=purpose) if purpose is not None else qs


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentField(forms.FileField):
    """Zero or more files, each checked by content; errors name the file."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, max_files: int = 10, **kwargs: Any) -> None:
        self.max_files = max_files
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            gettext_lazy("Pictures, PDF, Word or Excel files, up to 20 MB each."),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files: Sequence[Any] = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > self.max_files:
            raise ValidationError(
                _("At most %(n)d files at a time.") % {"n": self.max_files}, code="too_many_files"
            )
        errors = []
        for f in files:
            try:
                inspect(f)
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return list(files)


def move(old: models.Model, new: models.Model, *, by_citizen_only: bool = True) -> int:
    """The files of `old` belong to `new` from now on (a matter that changed hands between
    modules), with the history entries they came with if those moved too
    (``workflow.move_citizen_notes``). Inside that transaction."""
    files = attachments_of(old)
    if by_citizen_only:
        files = files.filter(by_citizen=True)
    return files.update(content_type=ContentType.objects.get_for_model(type(new)), object_id=new.pk)


# Stored files younger than this may belong to a transaction still running: left alone.
SWEEP_GRACE = dt.timedelta(hours=1)


def stored_files(folder: str = "") -> Iterator[str]:
    """The name of every file in the storage under `folder` (all of them by default)."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for sub in sorted(folders):
        yield from stored_files(prefix + sub)
    for name in sorted(files):
        yield prefix + name


def sweep_orphans(grace: dt.timedelta = SWEEP_GRACE) -> int:
    """Delete stored attachment files that no attachment row names: a file is written before
    its row, so a transaction that rolled back leaves its file behind. Files younger than
    `grace` are left (their transaction may still commit). Returns how many were deleted."""
    cutoff = timezone.now() - grace
    deleted = 0
    names = list(stored_files("attachments"))
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        known = set(Attachment.objects.filter(file__in=chunk).values_list("file", flat=True))
        for name in chunk:
            if name in known or default_storage.get_modified_time(name) >= cutoff:
                continue
            default_storage.delete(name)
            deleted += 1
    return deleted
