"""``in`` on an integer column leaves out numbers the database cannot hold, as Django's own
``exact``, ``gt`` and the like already do (``IntegerFieldOverflow``). A form sent an id of
99999999999999999999 then finds nothing and says so, instead of SQLite's driver failing
with OverflowError (a 500); the fuzzing of every form found it."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
