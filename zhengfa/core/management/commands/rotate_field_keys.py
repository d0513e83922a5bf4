from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from zhengfa.core.crypto import EncryptedCharField


class Command(BaseCommand):
    help = _(
        "Re-encrypt every encrypted value under the first key of FIELD_ENCRYPTION_KEY. "
        "Run after putting a new key first; then the old key can be dropped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for model in apps.get_models():
            names = [
                f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)
            ]
            if not names:
                continue
            count = 0
            with transaction.atomic():
                for obj in model._base_manager.only("pk", *names).iterator(chunk_size=500):
                    # Reading decrypts with any key; the update encrypts with the first.
                    model._base_manager.filter(pk=obj.pk).update(
                        **{n: getattr(obj, n) for n in names}
                    )
                    count += 1
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
