"""Speed figures for the pages people use most, on the demo county. Run with `make bench`.

It builds the demo county in a throwaway SQLite database, then times each page N times
through Django's test client (server-side time: views, queries, templates; no network)
and prints median and 95th percentile against its target. Each module names its busiest
pages and their targets in its ``plugin.py`` (``BenchPage``); targets live there, never in
unit tests. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
tmp = tempfile.mkdtemp(prefix="zhengfa-bench-")
os.environ.setdefault("ZHENGFA_ENV", "test")
os.environ["ZHENGFA_VAR_DIR"] = tmp
os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengfa.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def main() -> int:
    setup_test_environment()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    seeded = time.perf_counter()
    print(
        f"migrate {migrated - started:.1f}s, seed_demo {seeded - migrated:.1f}s "
        f"(SQLite, {RUNS} runs per page)\n"
    )
    from zhengfa.core.registry import registry
    from zhengfa.org.models import User

    failures = 0
    width = max(len(f"{p.method} {p.url}") for p in registry.bench_pages)
    print(f"{'who':<11} {'page':<{width}} {'median':>8} {'p95':>8} {'target':>8}")
    for page in registry.bench_pages:
        who, method, path, target = page.who, page.method, page.url, page.target_ms
        client = Client()
        if who:
            client.force_login(User.objects.get(username=who))
        data = {"code": "AAAA-BBBB-CCCC"} if method == "post" else None
        times = []
        for i in range(RUNS + 2):
            # Each anonymous POST is a new address, so the follow-up rate limit stays out of it.
            extra = {"REMOTE_ADDR": f"127.0.0.{i % 250 + 1}"}
            t0 = time.perf_counter()
            response = (
                getattr(client, method)(path, data, **extra)
                if data
                else getattr(client, method)(path, **extra)
            )
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status_code >= 400:
                print(f"{path}: HTTP {response.status_code}")
                return 2
            if i >= 2:  # the first two warm caches
                times.append(elapsed)
        times.sort()
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        ok = p95 <= target
        failures += not ok
        print(
            f"{who or 'citizen':<11} {method.upper() + ' ' + path:<{width}} "
            f"{p50:>6.0f}ms {p95:>6.0f}ms "
            f"{target:>6}ms {'ok' if ok else 'SLOW'}"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
