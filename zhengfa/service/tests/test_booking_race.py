"""Twenty people book the last places of one slot at the same moment: exactly as many as
there are places get one."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from zhengfa.org.testing import build_personas
from zhengfa.service import services
from zhengfa.service.models import Appointment, Slot

from . import factories

# Committed for real, so that each thread sees the others' bookings.
pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_parallel_bookings_of_a_slot_of_five_make_five() -> None:
    p = build_personas()
    offer = factories.offer(p, capacity=5)
    starts_at = factories.at(factories.next_working_day(), 9)
    # PostgreSQL takes them truly at once; SQLite writes one at a time.
    workers = 20 if connection.vendor == "postgresql" else 1
    start = threading.Barrier(workers)

    def attempt(i: int) -> str:
        try:
            if workers > 1:
                start.wait()
            services.book(offer=offer, starts_at=starts_at, name=f"群众{i}", phone=f"139000{i:05d}")
            return "booked"
        except ValidationError:
            return "full"
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    assert outcomes.count("booked") == 5
    assert outcomes.count("full") == 15
    assert Appointment.objects.count() == 5
    assert Slot.objects.get().booked == 5
