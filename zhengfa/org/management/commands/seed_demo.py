from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from zhengfa.core import demo
from zhengfa.org import demo as org_demo
from zhengfa.org.models import Unit


class Command(BaseCommand):
    help = "Load the demo county (Kangbao), every module in turn. Deterministic and idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if any unit exists already"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = settings.DEMO_PASSWORD
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write("Database already holds data; demo county not loaded.")
        else:
            for name, created in demo.build(password):
                self.stdout.write(f"{name}: " + ", ".join(f"{k} +{v}" for k, v in created.items()))
        counts = org_demo.summary()
        self.stdout.write("Totals: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        self.stdout.write("")
        self.stdout.write("Demo sign-ins (password from DEMO_PASSWORD, default shown):")
        for acc in org_demo.ACCOUNTS:
            self.stdout.write(f"  {acc.username:<11} {password}   {acc.note}")
