"""Encryption at rest for personal data, with a keyed hash beside it for exact lookup.

How a module uses it::

    id_number = EncryptedCharField(_("ID number"), hash_field="id_number_hash", blank=True)
    id_number_hash = HashField()

    Person.objects.filter(id_number_hash=keyed_hash(normalize_id_number(raw)))

The column holds a Fernet token (AES-128-CBC + HMAC-SHA256). Keys come from
``FIELD_ENCRYPTION_KEY`` (comma-separated; the first encrypts, all decrypt, so a key is
rotated by putting the new one first and running ``manage.py rotate_field_keys``). The hash
is HMAC-SHA256 under ``FIELD_HASH_KEY``; store values normalised so that lookups match.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _derive(material: str) -> bytes:
    return base64.urlsafe_b64encode(
        hashlib.sha256(b"zhengfa-field-key:" + material.encode()).digest()
    )


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_derive(k)) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("stored value cannot be decrypted with any configured key") from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the first (newest) key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def keyed_hash(value: str) -> str:
    return hmac.new(
        settings.FIELD_HASH_KEY.encode("utf-8"), value.encode("utf-8"), hashlib.sha256
    ).hexdigest()


class HashField(models.CharField):
    """The keyed hash of an encrypted field, filled by that field; indexed for lookup."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)


class EncryptedCharField(models.TextField):
    """A text value stored encrypted. In Python it is plaintext; in the database, a token.

    ``hash_field`` names a HashField on the same model that receives the keyed hash of the
    value whenever the record is saved, so exact lookups work without decrypting.
    """

    def __init__(self, *args: Any, hash_field: str | None = None, **kwargs: Any) -> None:
        self.hash_field = hash_field
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if self.hash_field:
            setattr(model_instance, self.hash_field, keyed_hash(value) if value else "")
        return value


def _fingerprint(key: str) -> str:
    # A one-way tag of a key: two installations can compare keys without either revealing one.
    return hmac.new(key.encode("utf-8"), b"zhengfa key check", hashlib.sha256).hexdigest()[:16]


def key_fingerprints() -> dict[str, Any]:
    """Tags of the configured keys (the encrypting one first), for a backup's manifest."""
    return {
        "encryption": [_fingerprint(k) for k in settings.FIELD_ENCRYPTION_KEYS],
        "hash": _fingerprint(settings.FIELD_HASH_KEY),
    }


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) of every encrypted field of every model."""
    from django.apps import apps

    return [
        (model._meta.db_table, str(f.column))
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedCharField)
    ]


@cache
def _each_key(keys: tuple[str, ...]) -> list[tuple[str, Fernet]]:
    return [(_fingerprint(k), Fernet(_derive(k))) for k in keys]


def key_of(token: str) -> str | None:
    """The tag of the configured key that decrypts `token`, or None if none does."""
    for tag, key in _each_key(tuple(settings.FIELD_ENCRYPTION_KEYS)):
        try:
            key.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            continue
        return tag
    return None
