"""Masked display of personal data. Pages show these; the full value needs a reveal."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """130723********1234: area code and last four only."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678 for mobiles; landlines keep the area code and last four."""
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) <= 8:
        return "*" * (len(digits) - 4) + digits[-4:]
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def mask_name(value: str | None) -> str:
    """张** — the surname only."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_for_audit(value: str | None) -> str:
    """What the audit log keeps of an encrypted field: that it had a value, nothing of it."""
    return "******" if value and value != "None" else ""


def mask_address(value: str | None) -> str:
    """An address by its first four characters (the township, usually), the rest hidden."""
    return f"{value[:4]}……" if value else ""
