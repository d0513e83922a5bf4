"""Generated input posted to every form (``core.fuzz``): core's own staff forms here, and the
check that no form of the view matrix or of the public list escapes the fuzzing."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from importlib import import_module

from django.apps import apps
from django.db import transaction

from zhengfa.core.fuzz import (
    StaffFuzzMixin,
    assert_unchanged,
    fuzz_matrix,
    matrix_classes,
    staff_targets,
    tables_written,
)
from zhengfa.core.models import Notification
from zhengfa.org.models import Unit
from zhengfa.org.testing import PersonaTestCase

from . import test_matrix

CoreMatrixFuzz = fuzz_matrix(test_matrix.CoreMatrix, __name__)


def test_every_form_of_the_matrix_and_the_registry_is_fuzzed() -> None:
    """The fuzz tests are the matrix's POST cases (one each, in the module's test_fuzz.py)
    and the public list (the registry's entries and follow-up services, and the accounts'
    forms); a new staff form needs a matrix case, so it is fuzzed from the start."""
    import zhengfa.portal.tests.test_fuzz as public

    labels = [c.label for c in apps.get_app_configs() if c.name.startswith("zhengfa.")]
    expected: set[str] = set()
    found: set[str] = set()
    for label in labels:
        for matrix in matrix_classes(label):
            expected |= {f"{label}: {case.label}" for case in staff_targets(matrix)}
            module = import_module(f"zhengfa.{label}.tests.test_fuzz")
            fuzzers = [
                value
                for value in vars(module).values()
                if isinstance(value, type)
                and issubclass(value, matrix)
                and issubclass(value, StaffFuzzMixin)
            ]
            assert len(fuzzers) == 1, f"{label}: {matrix.__name__} has no fuzz test case"
            tests = [n for n in dir(fuzzers[0]) if n.startswith("test_fuzz_")]
            # One test per case: its name is the case's label (core.fuzz.fuzz_matrix).
            found |= {f"{label}: {getattr(fuzzers[0], n).fuzz_label}" for n in tests}
    assert found == expected
    assert len(expected) > 90

    public_tests = {n for n in dir(public.PublicFormsFuzz) if n.startswith("test_fuzz_")}
    listed = (
        {f"test_fuzz_entry_{public._slug(n)}" for n in public.entry_names()}
        | {f"test_fuzz_{s}_{public._slug(m)}" for m, s in public.followup_kinds()}
        | {f"test_fuzz_{public._slug(n)}" for n in public.ACCOUNT_FORMS}
    )
    assert public_tests == listed
    assert {"supplement", "rate", "act"} <= {s for _m, s in public.followup_kinds()}


class NothingSavedCheckTests(PersonaTestCase):
    """The check behind "a refused form saves nothing" sees a row changed, not only rows
    added or removed, and lets pass what was written and rolled back."""

    def check(self, write: Callable[[], object]) -> None:
        with transaction.atomic():
            saved = transaction.savepoint()
            with tables_written() as written:
                write()
            assert_unchanged("a refused form", saved, written)

    def test_a_changed_row_is_seen(self) -> None:
        unit = self.p.unit_a
        with self.assertRaisesMessage(AssertionError, "org_unit"):
            self.check(lambda: Unit.objects.filter(pk=unit.pk).update(name="改过的名字"))
        unit.refresh_from_db()
        self.assertNotEqual(unit.name, "改过的名字")  # and it was rolled back

    def test_an_added_row_is_seen(self) -> None:
        with self.assertRaisesMessage(AssertionError, "core_notification"):
            self.check(lambda: Notification.objects.create(user=self.p.leader_a, title="x"))

    def test_a_deleted_row_is_seen(self) -> None:
        notice = Notification.objects.create(user=self.p.leader_a, title="x")
        with self.assertRaisesMessage(AssertionError, "core_notification"):
            self.check(lambda: Notification.objects.filter(pk=notice.pk).delete())

    def test_a_row_added_by_insert_or_ignore_is_seen(self) -> None:
        with self.assertRaisesMessage(AssertionError, "core_notification"):
            self.check(
                lambda: Notification.objects.bulk_create(
                    [Notification(user=self.p.leader_a, title="x")], ignore_conflicts=True
                )
            )

    def test_a_notice_left_for_after_the_commit_is_seen(self) -> None:
        with self.assertRaisesMessage(AssertionError, "1 after-commit actions"):
            self.check(lambda: transaction.on_commit(lambda: None))

    def test_a_write_rolled_back_inside_passes(self) -> None:
        def rolled_back() -> None:
            with contextlib.suppress(RuntimeError), transaction.atomic():
                Unit.objects.filter(pk=self.p.unit_a.pk).update(name="改过的名字")
                raise RuntimeError

        self.check(rolled_back)
