from __future__ import annotations

import time
from collections import Counter
from typing import Any

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from zhengfa.core import demo
from zhengfa.org import demo as org_demo
from zhengfa.org.models import Unit, User


class Command(BaseCommand):
    help = _(
        "Load the demo county (Kangbao), every module in turn; with --counties N, a province: "
        "Kangbao and N-1 synthetic counties, each with a year of every module's records. "
        "Deterministic and idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help=_("do nothing if any unit exists already")
        )
        parser.add_argument(
            "--counties",
            type=int,
            default=1,
            help=_("counties in all (default 1: Kangbao alone; 170 is about Hebei)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = settings.DEMO_PASSWORD
        counties = options["counties"]
        if counties < 1:
            raise CommandError("--counties must be 1 or more.")
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write("Database already holds data; demo county not loaded.")
        else:
            started = time.perf_counter()
            cities = {}
            if counties > 1:
                try:
                    with disable_auditlog(), transaction.atomic():
                        cities = org_demo.province_frame(counties)
                except ValueError as exc:
                    raise CommandError(str(exc)) from exc
            for name, created in demo.build(password):
                self.stdout.write(f"{name}: " + ", ".join(f"{k} +{v}" for k, v in created.items()))
            if counties > 1:
                self.province(counties, cities, started)
        counts = org_demo.summary()
        self.stdout.write("Totals: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        self.stdout.write("")
        self.stdout.write("Demo sign-ins (password from DEMO_PASSWORD, default shown):")
        present = set(
            User.objects.values_list("username", flat=True).filter(
                username__in=[acc.username for acc in org_demo.ACCOUNTS]
            )
        )
        for acc in org_demo.ACCOUNTS:
            if acc.username in present:
                self.stdout.write(f"  {acc.username:<12} {password}   {acc.note}")

    def province(self, counties: int, cities: dict[int, Any], started: float) -> None:
        """The synthetic counties 2..N, each in its own transaction."""
        total: Counter[str] = Counter()
        try:
            for index, (code, name, city) in enumerate(org_demo.county_names(counties), start=2):
                with disable_auditlog(), transaction.atomic():
                    county = org_demo.build_county(index, code, name, cities[city])
                    if county is None:
                        continue
                    total.update(units=len(county.units), officers=len(county.officers), counties=1)
                    total.update(demo.build_county(county))
                if index % 10 == 0 or index == counties:
                    self.stdout.write(
                        f"  {index}/{counties} counties, {time.perf_counter() - started:.0f}s"
                    )
        finally:
            # Also when stopped half-way: the next unit made in the app must not collide.
            org_demo.reset_sequences()
        self.stdout.write("province: " + ", ".join(f"{k} +{v}" for k, v in total.items()))
