from __future__ import annotations

from django.db import connection
from django.test import TestCase, override_settings

from zhengfa.core import crypto
from zhengfa.core.crypto import keyed_hash
from zhengfa.org.models import Officer
from zhengfa.org.testing import Personas, build_personas


class EncryptedFieldTests(TestCase):
    p: Personas

    @classmethod
    def setUpTestData(cls) -> None:
        cls.p = build_personas()

    def raw_row(self, officer: Officer) -> tuple[str, str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_number, id_number_hash FROM org_officer WHERE id = %s", [officer.pk]
            )
            return cursor.fetchone()

    def test_the_database_row_holds_no_plaintext(self) -> None:
        officer = self.p.officer_a_profile
        raw, digest = self.raw_row(officer)
        self.assertNotIn("130723199901010015", raw)
        self.assertNotIn("19990101", raw)
        self.assertEqual(Officer.objects.get(pk=officer.pk).id_number, "130723199901010015")
        self.assertEqual(digest, keyed_hash("130723199901010015"))

    def test_lookup_by_keyed_hash(self) -> None:
        found = Officer.objects.get(id_number_hash=keyed_hash("130723199902020012"))
        self.assertEqual(found, self.p.officer_b_profile)

    def test_old_keys_still_read_after_rotation(self) -> None:
        officer = self.p.officer_a_profile
        with override_settings(
            FIELD_ENCRYPTION_KEYS=[
                "a-brand-new-key-of-enough-length-0001",
                "dev-only-field-encryption-key",
            ]
        ):
            crypto._fernet.cache_clear()
            self.assertEqual(Officer.objects.get(pk=officer.pk).id_number, "130723199901010015")
            token = self.raw_row(officer)[0]
            rotated = crypto.rotate(token)
        crypto._fernet.cache_clear()
        with override_settings(FIELD_ENCRYPTION_KEYS=["a-brand-new-key-of-enough-length-0001"]):
            crypto._fernet.cache_clear()
            self.assertEqual(crypto.decrypt(rotated), "130723199901010015")
            with self.assertRaises(ValueError):
                crypto.decrypt(token)
        crypto._fernet.cache_clear()

    def test_empty_value_stays_empty(self) -> None:
        officer = self.p.officer_a_profile
        officer.id_number = ""
        officer.save()
        self.assertEqual(self.raw_row(officer), ("", ""))


class RotateCommandTests(TestCase):
    def test_rotate_field_keys_reencrypts_under_the_new_key(self) -> None:
        import io

        from django.core.management import call_command

        p = build_personas()
        new = ["a-brand-new-key-of-enough-length-0002", "dev-only-field-encryption-key"]
        with override_settings(FIELD_ENCRYPTION_KEYS=new):
            crypto._fernet.cache_clear()
            out = io.StringIO()
            call_command("rotate_field_keys", stdout=out)
            self.assertIn("org.Officer", out.getvalue())
        crypto._fernet.cache_clear()
        with override_settings(FIELD_ENCRYPTION_KEYS=new[:1]):
            crypto._fernet.cache_clear()
            self.assertEqual(
                Officer.objects.get(pk=p.officer_a_profile.pk).id_number, "130723199901010015"
            )
        crypto._fernet.cache_clear()
