"""Case numbers under concurrent creation: each case its own number, none reused."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection, transaction

from zhengfa.mediation.services import next_number
from zhengfa.org.testing import build_personas

# Committed for real, so that each thread sees the others' counter; pytest-django runs such
# tests after the others of a worker (their flush takes the seeded rows with it).
pytestmark = pytest.mark.django_db(transaction=True)


def test_numbers_are_unique_when_cases_are_created_at_once() -> None:
    p = build_personas()
    unit = p.mediation_committee

    def take(_: int) -> str:
        try:
            with transaction.atomic():
                return next_number(unit, 2021)
        finally:
            close_old_connections()
            connection.close()

    workers = 4 if connection.vendor == "postgresql" else 1  # SQLite writes one at a time
    with ThreadPoolExecutor(max_workers=workers) as pool:
        numbers = list(pool.map(take, range(20)))
    assert len(set(numbers)) == 20
    assert sorted(int(n[-5:-1]) for n in numbers) == list(range(1, 21))
