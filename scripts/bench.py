"""Throughput and latency of the busiest pages over real HTTP, on PostgreSQL: `make bench`.

What one run does:

1. Starts a throwaway PostgreSQL 15 cluster (initdb into a temporary folder, a private port,
   fsync off, autovacuum on), removed at the end, also on an error or Ctrl-C.
2. Builds two databases in it: ``bench1`` (``migrate`` + ``seed_demo``: the demo county) and
   ``benchN`` (``migrate`` + ``seed_demo --counties N``: a province), each followed by
   ``VACUUM ANALYZE``, and prints how long each took and how large it is.
3. Serves a bare Django view (``scripts/bench/bare.py``: "ok", no middleware) and then each
   database with gunicorn, 2 sync workers, no access log (``scripts/bench/gunicorn.conf.py``).
4. Drives every page of ``registry.bench_pages`` with wrk (16 connections, 2 threads,
   ``scripts/bench/wrk.lua``), once per demo user of its ``who`` that the database holds
   (for a ``root_only`` page, only those with a role at the top of its tree), signed in
   with a fresh session; POSTs carry a real CSRF token, and a public form's POSTs each a
   proof of work and a token of their own (``fresh``: solved beforehand, one per request,
   so every request makes a record; the app runs with PROOF_OF_WORK_MAX=1000 here, which
   makes solving quick and costs the server the same). Both databases are served at once
   and each page and user runs on one right after the other, so that the N/1 comparison
   is not skewed by what else the machine did in between; POSTs run last, as the rows
   they add would show in the lists. Before each run the page is checked once with a
   plain request and warmed for a second, and the servers are left to go idle before and
   after it, so a run never pays for the previous one's backlog.
5. Beside each run it counts queries per request and times the page's main query alone,
   in-process (``django.test.Client``, same database), and for an export the peak memory
   of producing it in a fresh process.

Targets (exit status 1 when one is missed or a page fails; each line says ok/MISSED/FAILED):

- a public page serves at least 1/5 of the bare view's requests per second, a staff page
  at least 1/20;
- for pcs_a, gaj_leader and zfw the N-county p50 is at most 1.2 x the 1-county p50 of the
  same page, plus 2 ms so that sub-millisecond noise cannot fail it;
- zfw_province's p50 is at most 2 x zfw's on the same page in the N-county database (plus
  the same 2 ms), and it runs at most 5 queries more than zfw (queries do not grow with
  rows);
- fewer than 1% of a run's responses are errors: for a GET anything but 2xx, for a POST
  anything but 2xx or 3xx, and any socket error or timeout.

Environment:

- ``BENCH_COUNTIES``: counties of the large database (default 20; the documented province
  run uses ``BENCH_COUNTIES=170``, which takes much longer to build).
- ``BENCH_SECONDS``: seconds of each measured wrk run (default 8; 2 is enough while
  developing).
- ``BENCH_JSON``: a file to write the results to as JSON as well (before/after tables).
- ``BENCH_ONLY``: only the pages whose URL contains this text, or one of several texts
  separated by commas (while working on a few pages; the bare view and both builds still
  run).
- ``PGBIN``: PostgreSQL 15's binaries (default /usr/lib/postgresql/15/bin).

With the defaults a run takes about 20 minutes on 2 cores (building 20 counties takes under
3 of them); its length grows with the slowest pages, whose backlog is drained after each run.

Figures are taken on whatever else the machine is doing: the "busy" column is the share of
the machine's CPU that processes other than the bench used during that run, and the bare
view is measured again at the end to show drift. Exit status 2 means the harness itself
could not run.

``scripts/bench.py probe`` and ``scripts/bench.py memory`` are the in-process halves, run by
the harness as child processes (one database each, set by DATABASE_URL).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import http.client
import json
import os
import platform
import re
import resource
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, unquote, urlencode

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "scripts" / "bench"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))

CONNECTIONS = 16
THREADS = 2
WORKERS = 2  # also in scripts/bench/gunicorn.conf.py
WARMUP_SECONDS = 1
WRK_TIMEOUT = "60s"  # above gunicorn's 30 s worker timeout: a slow page is measured, not dropped
MAIN_QUERY_RUNS = 5
# A backlog of slow requests left by wrk that takes longer than this to drain is cut short
# by restarting that gunicorn (16 queued requests of a 10-second page would take 80 s).
DRAIN_LIMIT = 20
HIGH_LIMIT = "100000000"
# A form with `fresh` values (a public form's proof of work and token, good for one sending)
# gets this many bodies per second of load, each sent once; if wrk ran faster, the run fails
# ("ran out") rather than send one twice.
FRESH_PER_SECOND = 400

ERROR_SHARE = 0.01
PUBLIC_SHARE = 5  # a public page serves at least bare / 5 requests per second
STAFF_SHARE = 20  # a staff page at least bare / 20
GROWTH = 1.2  # N-county p50 over 1-county p50, for the personas below
SAME_SCALE = ("pcs_a", "gaj_leader", "zfw")
PROVINCE_FACTOR = 2.0  # zfw_province's p50 over zfw's
EXTRA_QUERIES = 5  # zfw_province's queries over zfw's
ALLOWANCE_MS = 2.0  # added to every p50 comparison
BUSY_WARNING = 10.0  # % of the machine used by others during a run that marks the line


class BenchError(Exception):
    """The harness cannot go on (a build, a server or a child process failed)."""


class ProbeError(Exception):
    """The in-process half failed for one page; that page fails, the run goes on."""


def env_int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BenchError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise BenchError(f"{name} must be at least {minimum}, not {value}")
    return value


def say(text: str = "") -> None:
    print(text, flush=True)


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- processes --------------------------------------------------------------------------

_libc: Any = None


def _die_with_parent() -> None:
    # Runs in the child before exec: if the harness is killed outright, its servers follow.
    if _libc is not None:
        _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def spawn(cmd: list[str], *, env: dict[str, str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """A child in its own session, so that Ctrl-C reaches the harness alone and it stops
    everything in order."""
    global _libc
    if _libc is None:
        with contextlib.suppress(OSError):
            _libc = ctypes.CDLL("libc.so.6", use_errno=True)
    return subprocess.Popen(  # noqa: S603
        cmd,
        cwd=ROOT,
        env=env,
        start_new_session=True,
        preexec_fn=_die_with_parent,
        **kwargs,
    )


def stop(
    proc: subprocess.Popen[bytes] | None, grace: float = 15, sig: int = signal.SIGTERM
) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (index 0 is the state)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields and int(fields[1]) == parent:
                found.append(int(entry))
    return found


def cpu_ticks(pid: int, with_reaped: bool = False) -> int:
    """CPU time of a process in clock ticks (and of its reaped children)."""
    fields = _stat(pid)
    if not fields:
        return 0
    # utime, stime, cutime, cstime are fields 14-17 of stat: 11-14 here.
    ticks = int(fields[11]) + int(fields[12])
    if with_reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values
    busy = user + nice + system + irq + softirq + steal
    return busy, busy + idle + iowait


def own_ticks() -> int:
    t = os.times()
    hz = os.sysconf("SC_CLK_TCK")
    return round((t.user + t.system + t.children_user + t.children_system) * hz)


# --- PostgreSQL -------------------------------------------------------------------------


class Cluster:
    """A throwaway PostgreSQL 15 cluster, as scripts/with-postgres.sh starts one, except that
    autovacuum stays on: the bench measures a database as it would be in use."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="zhengfa-bench-pg."))
        self.port = free_port()
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.started = False

    def _pg(self, tool: str, *args: str) -> None:
        result = subprocess.run(  # noqa: S603
            [*self.as_pg, str(PGBIN / tool), *args], capture_output=True, text=True
        )
        if result.returncode:
            raise BenchError(f"{tool} failed:\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        if not (PGBIN / "initdb").exists():
            subprocess.run(  # noqa: S603
                [str(ROOT / "scripts" / "ensure-system-packages.sh"), "postgresql-15"], check=True
            )
        if self.as_pg:
            shutil.chown(self.dir, "postgres")
        data = str(self.dir / "data")
        init = "-U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8"
        self._pg("initdb", "-D", data, *init.split())
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._pg(
            "pg_ctl", "-D", data, "-l", str(self.dir / "server.log"), "-w", "-o", options, "start"
        )
        self.started = True

    def remove(self) -> None:
        if self.started:
            with contextlib.suppress(BenchError):
                self._pg("pg_ctl", "-D", str(self.dir / "data"), "stop", "-m", "fast")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def sql(self, query: str, db: str = "postgres") -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True) as conn:
            cursor = conn.execute(query.encode())
            return cursor.fetchall() if cursor.description else []

    def pids(self) -> list[int]:
        """The postmaster and its processes (backends come and go with each request)."""
        try:
            postmaster = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        return [postmaster, *children(postmaster)]

    def ticks(self) -> int:
        # Backends that exited are in the postmaster's reaped-children time.
        pids = self.pids()
        return sum(cpu_ticks(p, with_reaped=i == 0) for i, p in enumerate(pids))


# --- environment of the app's processes -------------------------------------------------


def app_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="zhengfa.settings",
        DATABASE_URL=database_url,
        ZHENGFA_ENV="development",
        DEBUG="false",
        ZHENGFA_VAR_DIR=str(var_dir),
        # Every request comes from 127.0.0.1: the per-address limits would refuse the load.
        SUBMISSION_RATE_LIMIT=HIGH_LIMIT,
        FOLLOWUP_RATE_LIMIT=HIGH_LIMIT,
        # Thousands of fresh forms are solved before a run; checking an answer costs the
        # server the same whatever the puzzle's size.
        PROOF_OF_WORK_MAX="1000",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    env.pop("PYTHONPATH", None)
    return env


def in_process_env(env: dict[str, str]) -> dict[str, str]:
    """The app's environment for django.test.Client, whose requests name "testserver"."""
    return {**env, "ALLOWED_HOSTS": env["ALLOWED_HOSTS"] + ",testserver"}


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise BenchError(f"manage.py {' '.join(args)} failed:\n" + "\n".join(output[-30:]))
    return result.stdout


@dataclass
class Build:
    name: str
    counties: int
    migrate_s: float
    seed_s: float
    analyze_s: float
    size_mb: float
    totals: str


def build(cluster: Cluster, name: str, counties: int, work: Path) -> Build:
    cluster.sql(f'CREATE DATABASE "{name}"')
    env = app_env(cluster.url(name), work / f"var-build-{name}")
    started = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v0")
    migrated = time.perf_counter()
    seeded_out = manage(env, "seed_demo", *(["--counties", str(counties)] if counties > 1 else []))
    seeded = time.perf_counter()
    cluster.sql("VACUUM ANALYZE", db=name)
    analyzed = time.perf_counter()
    size = cluster.sql("SELECT pg_database_size(current_database())", db=name)[0][0]
    totals = next((ln for ln in seeded_out.splitlines() if ln.startswith("Totals:")), "")
    times = (migrated - started, seeded - migrated, analyzed - seeded)
    return Build(name, counties, *times, size_mb=size / 2**20, totals=totals)


def seed_takes_counties(env: dict[str, str]) -> bool:
    return "--counties" in manage(env, "seed_demo", "--help")


# --- servers ----------------------------------------------------------------------------


class Server:
    """gunicorn with the bench's settings on a free port of 127.0.0.1."""

    def __init__(self, name: str, app: str, env: dict[str, str], health: str, log: Path) -> None:
        self.name, self.app, self.env, self.health, self.log = name, app, env, health, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts: list[tuple[int, int]] = []  # spans of the log written by restarts

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        bind = f"127.0.0.1:{self.port}"
        cmd = [GUNICORN, "-c", str(HERE / "gunicorn.conf.py"), "--bind", bind, self.app]
        with open(self.log, "ab") as log:
            self.proc = spawn(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn for {self.name} exited:\n{tail(self.log)}")
            with contextlib.suppress(OSError):
                if request(self.port, "GET", self.health).status == 200:
                    return
            time.sleep(0.2)
        raise BenchError(
            f"gunicorn for {self.name} did not answer {self.health}:\n{tail(self.log)}"
        )

    def stop(self) -> None:
        # SIGINT is gunicorn's quick shutdown: requests still queued are not served.
        stop(self.proc, sig=signal.SIGINT)

    def pids(self) -> list[int]:
        return [self.proc.pid, *children(self.proc.pid)] if self.proc else []

    def ticks(self) -> int:
        pids = self.pids()
        return sum(cpu_ticks(p, with_reaped=i == 0) for i, p in enumerate(pids))

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except OSError:
            return 0

    def log_counts(self) -> tuple[int, int, int, str]:
        """Errors, worker timeouts and warnings the server logged, and the first error with its
        context; what a restart by the harness logged (killed requests) is left out."""
        try:
            raw = self.log.read_bytes()
        except OSError:
            return 0, 0, 0, ""
        for start, end in reversed(self.restarts):
            raw = raw[:start] + raw[end:]
        lines = raw.decode(errors="replace").splitlines()
        errors = [i for i, ln in enumerate(lines) if " ERROR " in ln or ln.startswith("Traceback")]
        timeouts = sum("WORKER TIMEOUT" in ln for ln in lines)
        warnings = sum(" WARNING " in ln for ln in lines)
        first = "\n".join(lines[errors[0] : errors[0] + 12]) if errors else ""
        return len(errors), timeouts, warnings, first


@dataclass
class Answer:
    status: int
    cookies: dict[str, str]
    body: bytes


def request(
    port: int, method: str, url: str, headers: dict[str, str] | None = None, body: str = ""
) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method.upper(), url, body=body.encode() or None, headers=headers or {})
        response = conn.getresponse()
        cookies = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return Answer(response.status, cookies, response.read())
    finally:
        conn.close()


def settle(*sources: Callable[[], int], timeout: float | None = None) -> bool:
    """Wait until the servers and the database are idle (their CPU time stands still for
    half a second): wrk stops with requests still queued, and a run must not pay for the
    previous one's backlog. False if they were still busy at the timeout."""
    deadline = time.monotonic() + (DRAIN_LIMIT if timeout is None else timeout)
    quiet = 0
    before = sum(s() for s in sources)
    while quiet < 2:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)
        now = sum(s() for s in sources)
        quiet = quiet + 1 if now - before <= 1 else 0
        before = now
    return True


# --- wrk --------------------------------------------------------------------------------


@dataclass
class Load:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]
    busy: float  # % of the machine's CPU that other processes used meanwhile
    ran_out: bool = False  # wrk used up the fresh bodies it was given and stopped

    def bad(self, method: str) -> int:
        good = self.statuses["2xx"] + (self.statuses["3xx"] if method == "post" else 0)
        return self.requests - good + sum(self.socket_errors.values())

    def error_share(self, method: str) -> float:
        attempts = self.requests + sum(v for k, v in self.socket_errors.items() if k != "timeout")
        return self.bad(method) / attempts if attempts else 1.0


def wrk(
    origin: str,
    url: str,
    *,
    seconds: int,
    connections: int = CONNECTIONS,
    threads: int = THREADS,
    method: str = "get",
    headers: dict[str, str] | None = None,
    body: str = "",
    bodies: Sequence[str] = (),
    ours: Callable[[], int] = lambda: 0,
) -> Load:
    """`bodies`: one for each request, each sent once (else every request sends `body`)."""
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    cmd += ["--timeout", WRK_TIMEOUT, "-s", str(HERE / "wrk.lua")]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(origin + url)
    env = {**os.environ, "BENCH_METHOD": method.upper(), "BENCH_BODY": body}
    with tempfile.NamedTemporaryFile("w", suffix=".bodies") as listed:
        if bodies:
            listed.write("\n".join(bodies) + "\n")
            listed.flush()
            env.update(BENCH_BODIES=listed.name, BENCH_THREADS=str(threads))
        busy0, total0 = machine_ticks()
        ours0 = ours() + own_ticks()
        result = subprocess.run(  # noqa: S603
            cmd, env=env, capture_output=True, text=True, timeout=seconds + 120
        )
    busy1, total1 = machine_ticks()
    ours1 = ours() + own_ticks()
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH_RESULT ")), "")
    if result.returncode or not line:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    duration = data["duration_us"] / 1e6
    others = max(0, (busy1 - busy0) - (ours1 - ours0))
    return Load(
        requests=data["requests"],
        seconds=duration,
        rps=data["requests"] / duration if duration else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        statuses=data["status"],
        socket_errors=data["socket_errors"],
        busy=100 * others / max(1, total1 - total0),
        ran_out=bool(data.get("ran_out")),
    )


# --- the in-process half ----------------------------------------------------------------


class Probe:
    """`bench.py probe` against one database: JSON lines in, JSON lines out."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with open(log, "ab") as err:
            self.proc = spawn(
                [PYTHON, str(Path(__file__).resolve()), "probe"],
                env=in_process_env(env),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
            )

    def ticks(self) -> int:
        return cpu_ticks(self.proc.pid)

    def ask(self, op: str, timeout: float = 900, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        try:
            self.proc.stdin.write((json.dumps({"op": op, "args": args}) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise BenchError(f"the probe process died:\n{tail(self.log)}") from None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            raise BenchError(f"the probe process gave no answer to {op}:\n{tail(self.log)}")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise ProbeError(reply["error"])
        return reply

    def close(self) -> None:
        if self.proc.stdin:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        stop(self.proc, grace=5)


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengfa.settings")
    import django

    django.setup()


def _client(who: str) -> Any:
    from django.test import Client

    from zhengfa.org.models import User

    client = Client()
    if who:
        client.force_login(User.objects.get(username=who))
    return client


def _call(client: Any, page: Any, url: str) -> Any:
    if page.method == "post":
        return client.post(url, page.form() if page.form else {})
    return client.get(url)


def _content_length(response: Any) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def encode_url(url: str) -> str:
    return quote(url, safe="/?&=%:+,;@!$'()*~#")


def probe_main() -> int:
    """Answers the harness's questions about one database, one JSON line each."""
    out: IO[str] = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints must not break the protocol
    sys.stdout = sys.stderr
    _django()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhengfa.core.registry import registry
    from zhengfa.org.models import RoleAssignment, User

    pages = registry.bench_pages

    def op_pages() -> dict[str, Any]:
        names = {name for page in pages for name in page.who}
        present = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        # Who holds a role at the top of this site's tree, for the pages of the root alone.
        at_root = set(
            RoleAssignment.objects.filter(
                user__username__in=names, unit__parent__isnull=True
            ).values_list("user__username", flat=True)
        )
        found = []
        for index, page in enumerate(pages):
            people = at_root if page.root_only else present
            entry: dict[str, Any] = {
                "index": index,
                "method": page.method,
                "who": [w for w in page.who if w in people] if page.who else [""],
                "download": page.download,
                "main_query": page.main_query is not None,
                "fresh": page.fresh,
            }
            try:
                entry["url"] = encode_url(page.url)
                entry["form"] = {k: str(v) for k, v in (page.form() if page.form else {}).items()}
            except Exception as exc:
                entry["url"] = str(page.path)
                entry["error"] = f"{exc.__class__.__name__}: {exc}"
            found.append(entry)
        return {"pages": found}

    def op_measure(index: int, who: str, url: str, warm: bool) -> dict[str, Any]:
        page = pages[index]
        client = _client(who)
        if warm:
            _content_length(_call(client, page, url))  # fills caches, does lazy imports
        with CaptureQueriesContext(connection) as queries:
            response = _call(client, page, url)
            size = _content_length(response)
        main_ms = None
        if page.main_query is not None:
            user = User.objects.get(username=who) if who else AnonymousUser()
            sql, params = page.main_query(user).query.sql_with_params()
            times = []
            for _ in range(MAIN_QUERY_RUNS):
                with connection.cursor() as cursor:
                    t0 = time.perf_counter()
                    cursor.execute(sql, params)
                    cursor.fetchall()
                    times.append((time.perf_counter() - t0) * 1000)
            main_ms = statistics.median(times)
        return {
            "status": response.status_code,
            "queries": len(queries.captured_queries),
            "bytes": size,
            "main_ms": main_ms,
        }

    def op_session(who: str) -> dict[str, Any]:
        return {"sessionid": _client(who).cookies["sessionid"].value}

    def op_forms(index: int, count: int) -> dict[str, Any]:
        """`count` sets of a `fresh` page's values, each of its own."""
        form = pages[index].form
        assert form is not None
        return {"forms": [{k: str(v) for k, v in form().items()} for _ in range(count)]}

    ops: dict[str, Callable[..., dict[str, Any]]] = {
        "pages": op_pages,
        "measure": op_measure,
        "session": op_session,
        "forms": op_forms,
    }
    for line in sys.stdin:
        command = json.loads(line)
        try:
            reply = ops[command["op"]](**command["args"])
        except Exception:
            reply = {"error": traceback.format_exc(limit=6)}
        finally:
            connection.close()  # a connection per question, as the app has per request
        out.write(json.dumps(reply) + "\n")
    return 0


def _rss_kb(field_name: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def memory_main(index: int, who: str, url: str) -> int:
    """Peak memory of one export in a fresh process: RSS just before the request, and the
    peak while the response is produced and read chunk by chunk."""
    _django()
    from zhengfa.core.registry import registry

    page = registry.bench_pages[index]
    client = _client(who)
    client.get("/healthz")  # middleware, sessions and URL resolving are loaded
    gc.collect()
    before = _rss_kb("VmRSS")
    reset = False
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak so far becomes the current RSS
        reset = True
    response = _call(client, page, url)
    size = _content_length(response)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kind = response.get("Content-Type", "")
    print(
        json.dumps(
            {
                "status": response.status_code,
                "bytes": size,
                "content_type": kind,
                "before_mb": before / 1024,
                "peak_mb": peak / 1024,
                "rise_mb": (peak - before) / 1024,
                "peak_reset": reset,
            }
        )
    )
    return 0


def measure_memory(env: dict[str, str], index: int, who: str, url: str) -> dict[str, Any]:
    result = subprocess.run(  # noqa: S603
        [PYTHON, str(Path(__file__).resolve()), "memory", str(index), who, url],
        cwd=ROOT,
        env=in_process_env(env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode or not lines:
        raise ProbeError(f"memory measurement failed:\n{result.stderr[-2000:]}")
    memory: dict[str, Any] = json.loads(lines[-1])
    return memory


# --- one page, one persona --------------------------------------------------------------


@dataclass
class Row:
    db: str  # "1" or "N"
    index: int
    who: str  # "" for the public
    method: str
    url: str
    download: bool
    check: int | None = None  # status of the plain request before the run
    check_ms: float | None = None  # and how long it took, alone
    drained: bool = True  # False: the backlog after the run was cut short by a restart
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    requests: int = 0
    bad: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: dict[str, int] = field(default_factory=dict)
    busy: float | None = None
    queries: int | None = None
    main_ms: float | None = None
    kb: float | None = None
    memory: dict[str, Any] | None = None
    x_bare: float | None = None
    n_over_1: float | None = None
    failed: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    # Which targets were missed: "req/s", "N/1", "province p50", "province queries".
    targets: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, str, str]:
        return self.index, self.method, self.who

    @property
    def label(self) -> str:
        return ("POST " if self.method == "post" else "") + unquote(self.url)

    @property
    def verdict(self) -> str:
        return "FAILED" if self.failed else "MISSED" if self.missed else "ok"

    def miss(self, target: str, reason: str) -> None:
        self.targets.append(target)
        self.missed.append(reason)


class Site:
    """One database served: its gunicorn, its probe and the pages as found in its data."""

    def __init__(self, label: str, name: str, counties: int, cluster: Cluster, work: Path) -> None:
        self.label, self.name, self.counties, self.cluster = label, name, counties, cluster
        self.env = app_env(cluster.url(name), work / f"var-{name}")
        self.server = Server(
            name, "zhengfa.wsgi", self.env, "/healthz", work / f"gunicorn-{name}.log"
        )
        self.probe_log = work / f"probe-{name}.log"
        self.probe: Probe | None = None
        self.pages: dict[int, dict[str, Any]] = {}
        self.rows: list[Row] = []

    @property
    def title(self) -> str:
        return f"{self.name}: {self.counties} {'county' if self.counties == 1 else 'counties'}"

    def start(self) -> None:
        self.server.start()
        self.probe = Probe(self.env, self.probe_log)
        self.pages = {p["index"]: p for p in self.ask("pages")["pages"]}

    def stop(self) -> None:
        if self.probe is not None:
            self.probe.close()
        self.server.stop()

    def ask(self, op: str, **args: Any) -> dict[str, Any]:
        assert self.probe is not None
        return self.probe.ask(op, **args)

    def ticks(self) -> int:
        """CPU time of everything a run on this site keeps busy."""
        probe = self.probe.ticks() if self.probe else 0
        return self.server.ticks() + self.cluster.ticks() + probe

    def calm(self) -> bool:
        """Wait for the servers and the database to go idle; a backlog that would take
        longer than DRAIN_LIMIT is cut short by restarting gunicorn. False if it was."""
        if settle(self.ticks):
            return True
        progress(f"    still busy after {DRAIN_LIMIT} s: restarting {self.name}'s gunicorn")
        logged = self.server.log_size()
        self.server.stop()
        # The queries of the killed workers would run on without anyone to read them.
        self.cluster.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()",
            db=self.name,
        )
        self.server.start()
        self.server.restarts.append((logged, self.server.log_size()))
        settle(self.ticks)
        return False


def run_page(site: Site, index: int, who: str, seconds: int) -> Row:
    page = site.pages[index]
    method, url = page["method"], page["url"]
    row = Row(site.label, index, who, method, url, page["download"])
    if "error" in page:
        row.failed.append(f"its URL could not be built: {page['error']}")
        return row
    expected = {200, 302} if method == "post" else {200}
    server = site.server
    try:
        # Sessions idle out after 30 minutes: each run gets its own, made just before it.
        cookies = {"sessionid": site.ask("session", who=who)["sessionid"]} if who else {}
    except ProbeError as exc:
        row.failed.append(f"no session: {exc}")
        return row

    headers: dict[str, str] = {}
    body = csrf = ""
    if method == "post":
        jar = {"Cookie": f"sessionid={cookies['sessionid']}"} if cookies else {}
        form_page = request(server.port, "GET", url, jar)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.body)
        if "csrftoken" not in form_page.cookies or not token:
            row.failed.append(f"GET of the form ({form_page.status}) gave no CSRF cookie and token")
            return row
        cookies["csrftoken"] = form_page.cookies["csrftoken"]
        csrf = token.group(1).decode()
        body = urlencode({**page["form"], "csrfmiddlewaretoken": csrf})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": server.origin,
            "Referer": server.origin + url,
        }
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())

    # First the plain request: a page that fails (or outlasts gunicorn's 30 s) costs no more.
    started = time.perf_counter()
    row.check = request(server.port, method, url, headers, body).status
    row.check_ms = (time.perf_counter() - started) * 1000
    if row.check not in expected:
        row.failed.append(f"answered {row.check} to a plain {method.upper()}")
        site.calm()
        return row
    try:
        # A page that took seconds is counted on its first request, without a warm-up.
        warm = row.check_ms < 5000
        measured = site.ask("measure", index=index, who=who, url=url, warm=warm)
        row.queries, row.main_ms = measured["queries"], measured["main_ms"]
        row.kb = measured["bytes"] / 1024
        if measured["status"] not in expected:
            row.failed.append(f"answered {measured['status']} in-process (django.test.Client)")
            return row
        if row.download:
            row.memory = measure_memory(site.env, index, who, url)
    except ProbeError as exc:
        row.failed.append(f"in-process measurement failed: {exc}")
        return row

    options: dict[str, Any] = {"method": method, "headers": headers, "body": body}
    warm_bodies: list[str] = []
    if page["fresh"]:
        # Each request its own values: the warm-up's and the run's, none sent twice.
        forms = site.ask("forms", index=index, count=(WARMUP_SECONDS + seconds) * FRESH_PER_SECOND)[
            "forms"
        ]
        encoded = [urlencode({**f, "csrfmiddlewaretoken": csrf}) for f in forms]
        cut = WARMUP_SECONDS * FRESH_PER_SECOND
        warm_bodies, options["bodies"] = encoded[:cut], encoded[cut:]
    wrk(
        server.origin,
        url,
        seconds=WARMUP_SECONDS,
        connections=2,
        threads=1,
        **{**options, "bodies": warm_bodies},
    )
    site.calm()
    load = wrk(server.origin, url, seconds=seconds, ours=site.ticks, **options)
    row.drained = site.calm()
    row.rps, row.p50_ms, row.p99_ms = load.rps, load.p50_ms, load.p99_ms
    row.requests, row.bad, row.busy = load.requests, load.bad(method), load.busy
    row.statuses, row.socket_errors = load.statuses, load.socket_errors
    if load.ran_out:
        row.failed.append(
            f"wrk used up the {len(options['bodies'])} fresh forms it was given: raise "
            "FRESH_PER_SECOND"
        )
    if load.requests == 0:
        row.failed.append("no request completed")
    elif load.error_share(method) > ERROR_SHARE:
        row.failed.append(
            f"{row.bad} of {load.requests} responses were errors "
            f"({_describe(load.statuses, load.socket_errors)})"
        )
    return row


def _describe(statuses: dict[str, int], socket_errors: dict[str, int]) -> str:
    parts = [f"{k} {v}" for k, v in statuses.items() if v]
    parts += [f"{k} errors {v}" for k, v in socket_errors.items() if v]
    return ", ".join(parts)


def run_all(sites: list[Site], seconds: int, only: str) -> None:
    """Each page and user on every database in turn, back to back, so that the N-county
    figures are compared with 1-county figures taken moments before. POSTs come last: the
    rows they add would show in the lists measured after them."""
    first = sites[0].pages
    order = sorted(first, key=lambda i: (first[i]["method"] == "post", i))
    jobs = []
    for index in order:
        people = list(dict.fromkeys(w for s in sites for w in s.pages[index]["who"]))
        for who in people:
            for site in sites:
                page = site.pages[index]
                if who in page["who"] and any(o in unquote(page["url"]) for o in only.split(",")):
                    jobs.append((site, index, who))
    started = time.monotonic()
    for n, (site, index, who) in enumerate(jobs, 1):
        page = site.pages[index]
        minutes = (time.monotonic() - started) / 60
        progress(
            f"  [{n}/{len(jobs)} {minutes:.1f} min] {site.name} {who or 'public'} "
            f"{page['method'].upper()} {unquote(page['url'])}"
        )
        row = run_page(site, index, who, seconds)
        if row.failed:
            progress(f"    FAILED: {'; '.join(row.failed)}")
        site.rows.append(row)


# --- targets and output -----------------------------------------------------------------


def judge(rows: list[Row], bare: float, one: dict[tuple[int, str, str], Row]) -> None:
    """Marks what each row missed; N rows are compared with `one`, the 1-county rows."""
    by_key = {r.key: r for r in rows}
    for row in rows:
        if row.failed or row.rps is None or row.p50_ms is None:
            continue
        row.x_bare = row.rps / bare
        share = PUBLIC_SHARE if not row.who else STAFF_SHARE
        if row.rps < bare / share:
            row.miss("req/s", f"{row.rps:.1f} req/s < bare/{share} = {bare / share:.1f}")
        if row.db != "N":
            continue
        small = one.get(row.key)
        if small and small.p50_ms and not small.failed:
            row.n_over_1 = row.p50_ms / small.p50_ms
            limit = GROWTH * small.p50_ms + ALLOWANCE_MS
            if row.who in SAME_SCALE and row.p50_ms > limit:
                row.miss(
                    "N/1",
                    f"p50 {row.p50_ms:.1f} ms > {GROWTH} x 1-county {small.p50_ms:.1f} ms "
                    f"+ {ALLOWANCE_MS:.0f} ms",
                )
        zfw = by_key.get((row.index, row.method, "zfw"))
        if row.who == "zfw_province" and zfw and zfw.p50_ms and not zfw.failed:
            limit = PROVINCE_FACTOR * zfw.p50_ms + ALLOWANCE_MS
            if row.p50_ms > limit:
                row.miss(
                    "province p50",
                    f"p50 {row.p50_ms:.1f} ms > {PROVINCE_FACTOR:.0f} x zfw's {zfw.p50_ms:.1f} "
                    f"ms + {ALLOWANCE_MS:.0f} ms",
                )
            most = None if zfw.queries is None else zfw.queries + EXTRA_QUERIES
            if row.queries is not None and most is not None and row.queries > most:
                row.miss(
                    "province queries",
                    f"{row.queries} queries > zfw's {zfw.queries} + {EXTRA_QUERIES}",
                )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: float | None, spec: str, width: int) -> str:
    return f"{'—' if value is None else format(value, spec):>{width}}"


def print_table(site: Site, bare: float) -> None:
    rows = site.rows
    say()
    say(
        f"{site.title} (req/s targets: public {bare / PUBLIC_SHARE:.1f}, staff "
        f"{bare / STAFF_SHARE:.1f})"
    )
    pw = max([_width(r.label) for r in rows] + [4])
    ww = max([len(r.who or "public") for r in rows] + [3])
    header = (
        f"{'who':<{ww}} page{' ' * (pw - 4)} {'req/s':>7} {'p50':>7} {'p99':>7} "
        f"{'×bare':>6} {'N/1':>5} {'queries':>7} {'main q':>7} {'KB':>7} {'busy%':>5}  result"
    )
    say(header)
    say("-" * _width(header))
    for r in rows:
        busy = " ~" if r.busy is not None and r.busy >= BUSY_WARNING else ""
        say(
            f"{r.who or 'public':<{ww}} {r.label}{' ' * (pw - _width(r.label))} "
            f"{_cell(r.rps, '.1f', 7)} {_cell(r.p50_ms, '.1f', 7)} {_cell(r.p99_ms, '.1f', 7)} "
            f"{_cell(r.x_bare, '.3f', 6)} {_cell(r.n_over_1, '.2f', 5)} "
            f"{_cell(r.queries, 'd', 7)} {_cell(r.main_ms, '.2f', 7)} {_cell(r.kb, '.1f', 7)} "
            f"{_cell(r.busy, '.0f', 5)}  {r.verdict}{busy}"
        )
    # The req/s misses show in the table (×bare against the targets in the legend).
    for r in rows:
        reasons = r.failed + [m for m, t in zip(r.missed, r.targets, strict=True) if t != "req/s"]
        for reason in reasons:
            say(f"  {r.verdict} {r.who or 'public'} {r.label}: {reason}")
    for r in rows:
        if r.memory:
            m = r.memory
            say(
                f"  export {r.who} {r.label}: {m['bytes'] / 1024:.0f} KB, peak RSS "
                f"{m['peak_mb']:.0f} MB, +{m['rise_mb']:.1f} MB over the {m['before_mb']:.0f} MB "
                "before the request"
            )
        if not r.drained:
            say(
                f"  note {r.who or 'public'} {r.label}: the backlog the run left was cut short "
                f"by restarting gunicorn (over {DRAIN_LIMIT} s)"
            )
        if not r.failed and r.bad:
            bad = {k: v for k, v in r.statuses.items() if v and k not in ("2xx", "3xx")}
            say(
                f"  note {r.who or 'public'} {r.label}: {r.bad} bad responses, under "
                f"{ERROR_SHARE:.0%} ({_describe(bad, r.socket_errors)})"
            )
    errors, timeouts, warnings, first = site.server.log_counts()
    if errors or timeouts or warnings:
        say(
            f"  server log: {errors} errors, {timeouts} worker timeouts (a request over 30 s), "
            f"{warnings} warnings"
        )
        if first:
            say("    " + first.replace("\n", "\n    "))


LEGEND = f"""\
req/s, p50, p99 (ms): wrk over HTTP, {CONNECTIONS} connections, {THREADS} threads; gunicorn \
{WORKERS} sync workers. ×bare: req/s over the bare view's.
N/1: N-county p50 over 1-county p50 of the same page and user (run back to back). queries: \
per request, in-process. main q: the page's main query alone, median of {MAIN_QUERY_RUNS}, ms. \
KB: response size. busy%: share of the machine's CPU that other processes used during the run \
(~ marks {BUSY_WARNING:.0f}% or more: those figures are low).
Targets: public req/s >= bare/{PUBLIC_SHARE}; staff req/s >= bare/{STAFF_SHARE}; \
{", ".join(SAME_SCALE)}: N-county p50 <= {GROWTH} x 1-county p50 + {ALLOWANCE_MS:.0f} ms; \
zfw_province: p50 <= {PROVINCE_FACTOR:.0f} x zfw's + {ALLOWANCE_MS:.0f} ms and queries <= \
zfw's + {EXTRA_QUERIES}; errors under {ERROR_SHARE:.0%} (GET: not 2xx; POST: not 2xx/3xx; \
socket errors). The {ALLOWANCE_MS:.0f} ms allowance keeps sub-millisecond noise from failing a \
comparison."""


def git_revision() -> str:
    def git(*args: str) -> str:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)  # noqa: S603, S607
        return result.stdout.strip() if result.returncode == 0 else ""

    with contextlib.suppress(OSError):
        dirty = git("status", "--porcelain", "--untracked-files=no")
        return (git("rev-parse", "--short", "HEAD") or "unknown") + ("+changes" if dirty else "")
    return "unknown"


def machine_busy(seconds: float = 2) -> float:
    """% of the machine's CPU in use now (by anything: the bench has not started)."""
    busy0, total0 = machine_ticks()
    time.sleep(seconds)
    busy1, total1 = machine_ticks()
    return 100 * (busy1 - busy0) / max(1, total1 - total0)


def _on_signal(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> int:
    began = time.monotonic()
    counties = env_int("BENCH_COUNTIES", 20)
    seconds = env_int("BENCH_SECONDS", 8)
    only = os.environ.get("BENCH_ONLY", "")
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    if not shutil.which("wrk"):
        raise BenchError("wrk is missing: scripts/ensure-system-packages.sh wrk")
    cluster = Cluster()
    work = Path(tempfile.mkdtemp(prefix="zhengfa-bench."))
    servers: list[Server | Site] = []
    try:
        idle = machine_busy()
        cluster.start()
        version = cluster.sql("SHOW server_version")[0][0]
        say("make bench: the busiest pages over HTTP on PostgreSQL")
        say(
            f"PostgreSQL {version} (autovacuum on, fsync off); N = {counties} counties; "
            f"{seconds} s per wrk run, {CONNECTIONS} connections, {THREADS} wrk threads; "
            f"gunicorn {WORKERS} sync workers; nproc {os.cpu_count()}; Python "
            f"{platform.python_version()}; revision {git_revision()}"
        )
        say(
            f"machine {idle:.0f}% busy before the bench started"
            + (": other work is running, figures will be low and noisy" if idle > 10 else "")
        )
        if only:
            say(f"BENCH_ONLY={only!r}: only pages whose URL contains it")
        say()
        builds = [build(cluster, "bench1", 1, work)]
        do_n = counties > 1
        if do_n and not seed_takes_counties(app_env(cluster.url("bench1"), work / "var-help")):
            say(
                "seed_demo does not take --counties yet: the N-county database is skipped "
                "(only the demo county is measured)."
            )
            do_n = False
        if do_n:
            progress(f"building the {counties}-county database (seed_demo --counties {counties})")
            builds.append(build(cluster, "benchN", counties, work))
        for b in builds:
            say(
                f"{b.name} ({b.counties} {'county' if b.counties == 1 else 'counties'}): "
                f"migrate {b.migrate_s:.1f} s, seed_demo {b.seed_s:.1f} s, VACUUM ANALYZE "
                f"{b.analyze_s:.1f} s; {b.size_mb:.0f} MB"
            )
            if b.totals:
                say(f"  {b.totals}")

        bare_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bare", "PYTHONPATH": str(HERE)}
        bare_env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        bare_server = Server(
            "the bare view",
            "django.core.wsgi:get_wsgi_application()",
            bare_env,
            "/",
            work / "gunicorn-bare.log",
        )
        servers.append(bare_server)
        sites = [Site("1", "bench1", 1, cluster, work)]
        if do_n:
            sites.append(Site("N", "benchN", counties, cluster, work))
        servers += sites
        bare_server.start()
        for site in sites:
            site.start()

        def measure_bare() -> Load:
            def ticks() -> int:
                return bare_server.ticks() + cluster.ticks()

            settle(ticks)
            wrk(bare_server.origin, "/", seconds=WARMUP_SECONDS, connections=2, threads=1)
            settle(ticks)
            return wrk(bare_server.origin, "/", seconds=seconds, ours=ticks)

        bare = measure_bare()
        say(
            f"\nbare view (HttpResponse('ok'), no middleware): {bare.rps:.0f} req/s, "
            f"p50 {bare.p50_ms:.1f} ms, p99 {bare.p99_ms:.1f} ms, busy {bare.busy:.0f}%"
        )
        say(LEGEND)

        run_all(sites, seconds, only)
        for site in sites:
            judge(site.rows, bare.rps, {r.key: r for r in sites[0].rows})
            print_table(site, bare.rps)

        bare_end = measure_bare()
        drift = bare_end.rps / bare.rps - 1
        say(
            f"\nbare view again at the end: {bare_end.rps:.0f} req/s ({drift:+.0%} against the "
            "start; the ratios use the start)"
        )
        if abs(drift) > 0.2:
            say("  the machine's speed changed during the run: ratios are not reliable, run again")
        every = [r for site in sites for r in site.rows]
        busy = [r.busy for r in every if r.busy is not None]
        if busy:
            say(
                f"other processes used {statistics.mean(busy):.0f}% of the machine's CPU on "
                f"average during the runs, at most {max(busy):.0f}% in one"
            )
        failed = [r for r in every if r.failed]
        missed = [r for r in every if r.missed and not r.failed]
        kinds: dict[str, int] = {}
        for r in missed:
            for target in dict.fromkeys(r.targets):
                kinds[target] = kinds.get(target, 0) + 1
        which = " (" + ", ".join(f"{k} {v}" for k, v in kinds.items()) + ")" if kinds else ""
        ok = len(every) - len(failed) - len(missed)
        summary = f"{len(every)} runs: {ok} ok, {len(missed)} MISSED{which}, {len(failed)} FAILED"
        wall = time.monotonic() - began
        say(f"{summary}; wall time {wall / 60:.1f} min")

        json_path = os.environ.get("BENCH_JSON")
        if json_path:
            document = {
                "meta": {
                    "postgresql": version,
                    "counties": counties,
                    "seconds": seconds,
                    "connections": CONNECTIONS,
                    "threads": THREADS,
                    "workers": WORKERS,
                    "nproc": os.cpu_count(),
                    "revision": git_revision(),
                    "only": only,
                    "busy_before": idle,
                    "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "wall_s": wall,
                },
                "builds": [asdict(b) for b in builds],
                "bare": {"start": asdict(bare), "end": asdict(bare_end)},
                "rows": [asdict(r) | {"verdict": r.verdict} for r in every],
                "summary": summary,
            }
            Path(json_path).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
            say(f"results written to {json_path}")
        return 1 if failed or missed else 0
    finally:
        for server in reversed(servers):
            server.stop()
        cluster.remove()
        shutil.rmtree(work, ignore_errors=True)


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else "")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("probe", help="(internal) in-process measurements, JSON lines on stdin")
    memory = sub.add_parser("memory", help="(internal) peak memory of one export")
    memory.add_argument("index", type=int)
    memory.add_argument("who")
    memory.add_argument("url")
    args = parser.parse_args()
    if args.command == "probe":
        return probe_main()
    if args.command == "memory":
        return memory_main(args.index, args.who, args.url)
    try:
        return main()
    except BenchError as exc:
        print(f"\nmake bench could not run: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; the throwaway cluster and servers are removed", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(cli())
