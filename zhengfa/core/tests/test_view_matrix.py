"""Every staff URL has a case in some app's view matrix (``tests/test_matrix.py``)."""

from __future__ import annotations

from django.apps import apps

from zhengfa.core.testing import matrix_cases, staff_url_names, url_patterns


def test_every_staff_url_has_a_matrix_case() -> None:
    labels = [c.label for c in apps.get_app_configs() if c.name.startswith("zhengfa.")]
    cases = list(matrix_cases(labels))
    covered = {case.url_name for case in cases}
    assert len(staff_url_names()) > 60
    assert sorted(staff_url_names() - covered) == []
    # And no case names a URL that does not exist (a renamed view would escape the matrix).
    assert sorted(covered - {name for _route, name in url_patterns()}) == []


def test_the_page_check_finds_twice_used_ids_and_unlabelled_inputs() -> None:
    import pytest

    from zhengfa.core.testing import assert_page_is_well_formed

    with pytest.raises(AssertionError, match="more than once"):
        assert_page_is_well_formed('<input id="a" aria-label="x"><p id="a"></p>')
    with pytest.raises(AssertionError, match="without a label"):
        assert_page_is_well_formed('<form><input name="q"></form>')
    with pytest.raises(AssertionError, match="without a label"):
        assert_page_is_well_formed('<label for="other">Q</label><select id="q"></select>')
    assert_page_is_well_formed(
        '<label for="q">Q</label><input id="q"><label>R <textarea name="r"></textarea></label>'
        '<input type="hidden" name="h"><button type="submit">Go</button>'
        '<input name="s" aria-label="Search">'
    )
