from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from zhengfa.core.masking import mask_id_number, mask_name, mask_phone
from zhengfa.core.validators import (
    normalize_phone,
    validate_id_number,
    validate_mobile,
    validate_phone,
)

VALID_ID = "130723199901010015"


def test_valid_id_number_passes() -> None:
    validate_id_number(VALID_ID)
    validate_id_number(" 1307231999 01010015 ")  # spaces are ignored


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("13072319990101001", "id_length"),
        ("130723199901010016", "id_checksum"),
        ("999999199901010011", "id_component"),  # unknown area code
        ("130723199902300014", "id_component"),  # 30 February
        ("1307231999010100AX", "id_format"),
    ],
)
def test_bad_id_numbers_are_refused_in_chinese(value: str, code: str) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validate_id_number(value)
    assert info.value.code == code
    assert any("身份证" in m for m in info.value.messages)


def test_area_code_must_have_been_in_force_in_the_birth_year() -> None:
    # Kangbao was 132522 before 1993 and 130723 after; stdnum knows which was in force.
    validate_id_number("13252219800101001x")
    with pytest.raises(ValidationError):
        validate_id_number("130723198001010015")


@pytest.mark.parametrize("value", ["13812345678", "+86 138 1234 5678", "19912345678"])
def test_mobile_numbers(value: str) -> None:
    validate_mobile(value)
    validate_phone(value)


@pytest.mark.parametrize(
    "value",
    [
        "+86 139-1234-5678",
        "0086 13912345678",
        "139-1234-5678",
        "１３９１２３４５６７８",  # typed on a Chinese keyboard: full-width digits
        "（+86）139 1234 5678",
        "139.1234.5678",
        "86 139 1234 5678",
        "139\u20111234\u20115678",
    ],
)
def test_mobile_numbers_however_written_become_one_form(value: str) -> None:
    validate_mobile(value)
    validate_phone(value)
    assert normalize_phone(value) == "13912345678"


def test_a_landline_keeps_its_area_code_dash() -> None:
    assert normalize_phone("０３１３－１２３４５６７") == "0313-1234567"
    assert normalize_phone("+86 0313-1234567") == "0313-1234567"
    assert normalize_phone("+86 313-1234567") == "0313-1234567"
    assert normalize_phone("+86 10 12345678") == "01012345678"


@pytest.mark.parametrize(
    "value", ["0313-1234567", "03131234567", "010-12345678", "0313-1234567-12"]
)
def test_landlines(value: str) -> None:
    validate_phone(value)


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "abc", "1234567"])
def test_bad_phones_are_refused_in_chinese(value: str) -> None:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validate_phone(value)
    assert "号码" in info.value.messages[0] or "电话" in info.value.messages[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password", ["short1A!", "alllowercaseletters", "abcdefghij12", "1234567890"]
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.django_db
def test_strong_password_is_accepted() -> None:
    validate_password("Kangbao#2021x")


def test_masks() -> None:
    assert mask_id_number(VALID_ID) == "130723********0015"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0313-1234567") == "0313***4567"
    assert mask_name("张三丰") == "张**"
    assert mask_id_number("") == "" and mask_phone(None) == ""


@given(st.text(alphabet="0123456789X", min_size=11, max_size=18))
def test_masked_id_never_shows_the_middle(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[6:-4] == "*" * (len(value) - 10)


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_masked_mobile_hides_four_digits(value: str) -> None:
    masked = mask_phone(value)
    assert masked[3:7] == "****" and masked[:3] == value[:3] and masked[-4:] == value[-4:]
