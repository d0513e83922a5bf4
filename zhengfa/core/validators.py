"""Validators with Chinese messages: 身份证 numbers, mobile and landline numbers, passwords."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area code 0 + 2-3 digits, then a 7-8 digit number, optional extension.
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def normalize_id_number(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def validate_id_number(value: str) -> None:
    """A resident identity card number (GB 11643), checked with python-stdnum."""
    number = normalize_id_number(value)
    try:
        ric.validate(number)
    except InvalidLength as exc:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)},
            code="id_length",
        ) from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The last character of this ID number does not match; please check it."),
            code="id_checksum",
        ) from exc
    except InvalidComponent as exc:
        raise ValidationError(
            _("The area code or birth date in this ID number is not valid."), code="id_component"
        ) from exc
    except InvalidFormat as exc:
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="id_format"
        ) from exc


# Hyphens and dashes people type between digit groups, as the ASCII hyphen.
DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"))


def normalize_phone(value: str) -> str:
    """One form for a number however written: full-width digits, spaces, brackets, dots,
    +86 or 0086 in front; a mobile loses its dashes (139-1234-5678), a landline keeps its
    area code's (0313-1234567)."""
    value = unicodedata.normalize("NFKC", value or "").translate(DASHES)
    value = re.sub(r"[\s().]", "", value)
    for prefix in ("+86", "0086", "86"):
        rest = value[len(prefix) :].lstrip("-")
        if value.startswith(prefix) and (prefix != "86" or MOBILE_RE.match(rest.replace("-", ""))):
            # From abroad a landline drops its leading 0: +86 313 1234567 is 0313-1234567.
            mobile = MOBILE_RE.match(rest.replace("-", ""))
            value = rest if mobile or rest.startswith("0") else "0" + rest
            break
    digits = value.replace("-", "")
    return digits if MOBILE_RE.match(digits) else value


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(normalize_phone(value)):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number starting with 1, e.g. 13812345678."),
            code="mobile",
        )


def validate_phone(value: str) -> None:
    """A mobile number or a landline with its area code (0313-1234567)."""
    number = normalize_phone(value)
    if not (MOBILE_RE.match(number) or LANDLINE_RE.match(number)):
        raise ValidationError(
            _("Enter a mobile number (13812345678) or a landline with area code (0313-1234567)."),
            code="phone",
        )


class CharacterClassesValidator:
    """A password must mix at least `min_classes` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        classes = sum(
            bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^a-zA-Z\d]")
        )
        if classes < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_classes")

    def get_help_text(self) -> str:
        return str(
            gettext_lazy(
                "Your password must mix at least %(n)d of: lower-case letters, upper-case "
                "letters, digits and symbols."
            )
            % {"n": self.min_classes}
        )


def validate_plausible_date(value: Any) -> None:
    """Dates the county's work can have: years 1950 to 2100 (and no overflow further on)."""
    year = getattr(value, "year", None)
    if year is not None and not 1950 <= year <= 2100:
        raise ValidationError(_("Enter a date between 1950 and 2100."), code="date_range")


def plain_text(value: str) -> str:
    """Text as typed, without control characters (which no one types on purpose)."""
    return "".join(ch for ch in value if ch in "\n\t" or ch.isprintable()).strip()


def validate_credit_code(value: str) -> None:
    """An organisation's unified social credit code (统一社会信用代码), with its check character."""
    from stdnum.cn import uscc

    if not uscc.is_valid(value):
        raise ValidationError(
            _("Please enter the 18-character unified social credit code."), code="credit_code"
        )
