from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from zhengfa.core.forms import LongSelect

CHOICES = [("", "全部"), (1, "法院 <第一>"), (2, "检察院 & 公安"), (3, "司法局")]


def _same(html: str) -> object:
    return parse_html(html)  # as assertHTMLEqual: attribute order and spaces aside


def test_a_long_select_writes_what_djangos_select_writes() -> None:
    for value in (None, 2, "3", "99"):
        ours = LongSelect(choices=CHOICES, attrs={"id": "id_unit", "class": "wide"})
        django = forms.Select(choices=CHOICES, attrs={"id": "id_unit", "class": "wide"})
        assert _same(ours.render("unit", value)) == _same(django.render("unit", value))
    assert "&lt;第一&gt;" in LongSelect(choices=CHOICES).render("unit", None)


def test_grouped_choices_are_left_to_django() -> None:
    grouped = [("公检法", [(1, "法院"), (2, "检察院")]), ("其他", [(3, "司法局")])]
    ours = LongSelect(choices=grouped).render("unit", 2)
    assert _same(ours) == _same(forms.Select(choices=grouped).render("unit", 2))
    assert "<optgroup" in ours


@pytest.mark.django_db
def test_an_id_too_large_for_the_database_finds_nothing() -> None:
    from django import forms

    from zhengfa.org.models import Unit

    Unit.objects.create(code="ZFW", name="政法委", kind="committee")
    huge = 10**20
    assert list(Unit.objects.filter(pk__in=[huge, -huge])) == []
    assert Unit.objects.filter(pk__in=[huge, Unit.objects.get().pk]).count() == 1
    field = forms.ModelMultipleChoiceField(queryset=Unit.objects.all())
    with pytest.raises(forms.ValidationError):
        field.clean([str(huge)])
