from __future__ import annotations

import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from zhengfa.core.attachments import DOCX, XLSX, AttachmentField, attach, attachments_of, inspect
from zhengfa.core.models import Attachment
from zhengfa.core.tests.testapp.services import case_open
from zhengfa.org.testing import PersonaTestCase

GPS_TAG = 0x8825


def jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_TAG] = {1: "N", 2: (41.0, 51.0, 0.0), 3: "E", 4: (114.0, 36.0, 0.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="PNG")
    return out.getvalue()


def ooxml(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


class InspectTests(PersonaTestCase):
    def test_accepted_kinds_by_content(self) -> None:
        self.assertEqual(inspect(upload("a.jpg", jpeg_with_gps())), "image/jpeg")
        self.assertEqual(inspect(upload("named-wrong.pdf", png())), "image/png")
        self.assertEqual(inspect(upload("r.pdf", b"%PDF-1.4\n%...\n")), "application/pdf")
        self.assertEqual(inspect(upload("a.docx", ooxml("docx"))), DOCX)
        self.assertEqual(inspect(upload("a.xlsx", ooxml("xlsx"))), XLSX)

    def test_a_php_file_renamed_jpg_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as info:
            inspect(upload("photo.jpg", b"<?php system($_GET['c']); ?>"))
        self.assertEqual(info.exception.code, "file_type")
        self.assertIn("类型不能上传", info.exception.messages[0])

    def test_a_plain_zip_or_an_html_file_is_refused(self) -> None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("evil.exe", "MZ")
        for f in (upload("a.docx", out.getvalue()), upload("a.pdf", b"<html><script>")):
            with self.assertRaises(ValidationError):
                inspect(f)

    def test_an_empty_file_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as info:
            inspect(upload("empty.pdf", b""))
        self.assertEqual(info.exception.code, "empty")
        self.assertIn("是空的", info.exception.messages[0])

    @override_settings(ATTACHMENT_MAX_BYTES=1024 * 1024)
    def test_an_oversized_file_is_refused(self) -> None:
        big = upload("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024))
        with self.assertRaises(ValidationError) as info:
            inspect(big)
        self.assertEqual(info.exception.code, "too_large")
        self.assertIn("超过1 MB", info.exception.messages[0])

    def test_a_broken_picture_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            inspect(upload("x.jpg", jpeg_with_gps()[:200]))
        # A photo cut off in its pixel data passes a structure check; it must fail here too.
        out = io.BytesIO()
        Image.effect_noise((400, 300), 60).convert("RGB").save(out, format="JPEG")
        data = out.getvalue()
        with self.assertRaises(ValidationError) as info:
            inspect(upload("cut.jpg", data[: len(data) // 2]))
        self.assertEqual(info.exception.code, "bad_image")

    def test_the_form_field_reports_each_bad_file(self) -> None:
        field = AttachmentField()
        with self.assertRaises(ValidationError) as info:
            field.clean([upload("a.jpg", b"<?php"), upload("b.pdf", b"")])
        self.assertEqual(len(info.exception.messages), 2)
        self.assertEqual(field.clean([]), [])


class StoredFileTests(PersonaTestCase):
    def setUp(self) -> None:
        self.task, _code = case_open(unit=self.p.unit_a, title="现场照片", by=self.p.leader_a)

    def test_a_photo_loses_its_gps_data(self) -> None:
        original = jpeg_with_gps()
        self.assertIn(GPS_TAG, Image.open(io.BytesIO(original)).getexif())
        stored = attach(record=self.task, upload=upload("现场.jpg", original), by=self.p.leader_a)
        with stored.file.open("rb") as fh:
            data = fh.read()
        img = Image.open(io.BytesIO(data))
        self.assertEqual(img.size, (64, 48))
        self.assertNotIn(GPS_TAG, img.getexif())
        self.assertEqual(len(img.getexif()), 0)
        self.assertNotIn(b"PhoneMaker", data)
        self.assertEqual(stored.original_name, "现场.jpg")
        stored_name = str(stored.file.name)
        self.assertNotIn("现场", stored_name)  # stored under a random name
        self.assertRegex(stored_name, r"^attachments/\d{4}/\d{2}/[0-9a-f]{32}\.jpg$")

    def test_files_are_served_only_within_scope(self) -> None:
        stored = attach(
            record=self.task, upload=upload("r.pdf", b"%PDF-1.4\nhello"), by=self.p.leader_a
        )
        url = reverse("core:attachment_download", args=[stored.pk])
        response = self.client_for(self.p.leader_a).get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4\nhello")  # type: ignore[attr-defined]
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertStatus(self.p.committee, "get", url, 200)
        self.assertStatus(self.p.officer_b, "get", url, 404)  # the other station
        self.assertStatus(self.p.sysadmin, "get", url, 404)  # no case content for admins
        self.assertStatus(self.p.leader_a, "post", url, 405)
        self.assertStatus(None, "get", url, 302)  # sign in first
        self.assertStatus(
            self.p.committee, "get", reverse("core:attachment_download", args=[999]), 404
        )
        self.assertEqual(list(attachments_of(self.task)), [stored])
        self.assertEqual(Attachment.objects.count(), 1)
        # A file lost from storage is not found, not a server error.
        stored.file.storage.delete(str(stored.file.name))
        self.assertStatus(self.p.leader_a, "get", url, 404)


class BrokenImageTests(PersonaTestCase):
    def test_a_png_with_a_broken_chunk_is_refused_at_the_field(self) -> None:
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        from zhengfa.core.attachments import inspect

        out = io.BytesIO()
        Image.effect_noise((400, 400), 80).convert("RGB").save(out, format="PNG")
        data = bytearray(out.getvalue())
        second = data.find(b"IDAT", data.find(b"IDAT") + 4)
        self.assertGreater(second, 0)  # a picture this size has several data chunks
        data[second : second + 4] = b"\x01\x02\x03\x04"  # Pillow raises SyntaxError on this
        with self.assertRaises(ValidationError) as info:
            inspect(SimpleUploadedFile("broken.png", bytes(data)))
        self.assertEqual(info.exception.code, "bad_image")


class DecompressionBombTests(PersonaTestCase):
    def png(self, width: int, height: int) -> bytes:
        out = io.BytesIO()
        Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
        return out.getvalue()

    def test_a_huge_picture_is_refused_by_its_declared_size_without_decoding(self) -> None:
        from unittest import mock

        from PIL import ImageFile

        bomb = self.png(15000, 15000)  # 225 megapixels in a few hundred kilobytes
        self.assertLess(len(bomb), 2 * 1024 * 1024)
        with mock.patch.object(ImageFile.ImageFile, "load") as load:
            with self.assertRaises(ValidationError) as info:
                AttachmentField().clean([upload("bomb.png", bomb)])
            load.assert_not_called()
        self.assertEqual(info.exception.error_list[0].code, "image_too_large")

    def test_a_picture_is_decoded_once_from_the_form_to_the_stored_file(self) -> None:
        from unittest import mock

        case, _code = case_open(unit=self.p.unit_a, title="照片", by=self.p.leader_a)
        photo = upload("现场.jpg", jpeg_with_gps())
        # Each opening is a decoding of every pixel (the field's check, then the cleaning).
        with mock.patch.object(Image, "open", side_effect=Image.open) as opened:
            [checked] = AttachmentField().clean([photo])
            stored = attach(record=case, upload=checked, by=self.p.leader_a)
        self.assertEqual(opened.call_count, 1)
        self.assertEqual(stored.mime_type, "image/jpeg")

    def test_pictures_that_cost_more_than_their_size_says_are_refused_or_reduced(self) -> None:
        from unittest import mock

        # A progressive JPEG repeating its passes: each pass is a whole decoding.
        out = io.BytesIO()
        Image.new("RGB", (64, 64), "red").save(out, format="JPEG", progressive=True)
        data = out.getvalue()
        first = data.index(b"\xff\xda")
        last = data.rindex(b"\xff\xd9")
        repeated = data[:first] + data[first:last] * 40 + data[last:]
        with self.assertRaises(ValidationError) as info:
            AttachmentField().clean([upload("passes.jpg", repeated)])
        self.assertEqual(info.exception.error_list[0].code, "image_too_large")
        # A PNG of 20 megapixels (a JPEG may have more: it is decoded at a reduced scale).
        with self.assertRaises(ValidationError):
            AttachmentField().clean([upload("big.png", self.png(5000, 4000))])
        # A very wide JPEG is decoded reduced by its longer side.
        wide = io.BytesIO()
        Image.new("RGB", (16384, 256), "blue").save(wide, format="JPEG")
        from PIL import JpegImagePlugin

        drafted: list[tuple[int, int]] = []
        real_draft = JpegImagePlugin.JpegImageFile.draft

        def spy(img: Image.Image, mode: str | None, size: tuple[int, int] | None) -> object:
            result = real_draft(img, mode, size)  # type: ignore[arg-type]
            drafted.append(img.size)
            return result

        jpeg = JpegImagePlugin.JpegImageFile
        with mock.patch.object(jpeg, "draft", autospec=True, side_effect=spy):
            AttachmentField().clean([upload("wide.jpg", wide.getvalue())])
        self.assertEqual(drafted, [(4096, 64)])

    def test_a_citizens_file_keeps_no_name_of_his_phones_making(self) -> None:
        case, _code = case_open(unit=self.p.unit_a, title="来信", by=None)
        stored = attach(
            record=case, upload=upload("mmexport1733012345678.jpg", jpeg_with_gps()), by=None
        )
        self.assertEqual(stored.original_name, "upload.jpg")
        staff = attach(record=case, upload=upload("现场.jpg", jpeg_with_gps()), by=self.p.leader_a)
        self.assertEqual(staff.original_name, "现场.jpg")


class SweepTests(PersonaTestCase):
    def test_files_whose_transaction_rolled_back_are_swept(self) -> None:
        import datetime as dt
        from unittest import mock

        from django.db import transaction

        from zhengfa.core.attachments import sweep_orphans

        task, _code = case_open(unit=self.p.unit_a, title="现场照片", by=self.p.leader_a)
        kept = attach(record=task, upload=upload("k.pdf", b"%PDF-1.4\nkept"), by=self.p.leader_a)
        try:
            with transaction.atomic():
                lost = attach(
                    record=task, upload=upload("l.pdf", b"%PDF-1.4\nlost"), by=self.p.leader_a
                )
                raise RuntimeError("the request failed after the file was stored")
        except RuntimeError:
            pass
        storage = kept.file.storage
        lost_name = str(lost.file.name)
        self.assertTrue(storage.exists(lost_name))  # the rollback left the file behind
        self.assertEqual(sweep_orphans(), 0)  # too young: its transaction may be running
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
        with mock.patch("zhengfa.core.attachments.timezone.now", return_value=later):
            self.assertEqual(sweep_orphans(), 1)
        self.assertFalse(storage.exists(lost_name))
        self.assertTrue(storage.exists(str(kept.file.name)))
        self.assertEqual(Attachment.objects.count(), 1)
