"""Crash under load: `make drill`. Public submissions go on while the servers are killed.

What one run does:

1. Starts a throwaway PostgreSQL 15 cluster (``scripts/bench.py``'s ``Cluster``: initdb into a
   temporary folder, a private port, removed at the end, also on an error or Ctrl-C) and
   builds the demo county in it (``migrate``, ``createcachetable``, ``seed_demo``). The app
   runs as in production on one host: a cache all processes share (``dbcache``), uploads
   under a var folder of the drill's own (``$ZHENGFA_VAR_DIR/media``).
2. Serves it with gunicorn, 4 sync workers (``scripts/bench/gunicorn.conf.py`` with
   ``GUNICORN_CMD_ARGS``), and runs the background worker (``manage.py worker``) beside it.
3. Drives the public forms from 10 client threads, each a browser of its own (cookies, CSRF
   token, the form's token and the answer to its proof-of-work puzzle, solved as
   ``zhengfa.js`` does): opinions with and without a photo (``/opinion/``), reports
   (``/report/``), applications for mediation (``/mediation/apply/``), bookings
   (``/appointments/<offer>/``) and requests for a home visit (``/home-visit/``). Each
   submission carries a unique marker in the text the follow-up page shows back, and a
   photo whose pixels are made from the marker. A submission is *acknowledged* when its
   POST is answered by the redirect to its code page; the code is then read from that page.
   A request cut off by a kill is sent again with the same body (the same form's token),
   as a person presses the button again, up to 4 times.
4. Meanwhile, every 5 to 15 seconds, SIGKILLs one of: a random gunicorn worker (gunicorn
   starts another), the gunicorn master with all its workers at once (a new gunicorn is
   started on the same port), or the background worker (started again). The first kills
   include at least 2 of the master and 1 of the background worker.
5. Stops when DRILL_ACKS submissions were acknowledged and DRILL_KILLS kills were made (or
   after DRILL_MINUTES, which fails the run), lets every client finish its submission,
   stops everything, starts it again cleanly and POSTs every code read to ``/query/``: the
   record it opens must show that submission's marker, and no other.
6. Stops everything again and checks the database and the stored files in-process
   (``drill.py check``, with DATABASE_URL of the drill's database):

   - every acknowledged submission's record exists (else it is *lost*), of the kind sent,
     with exactly the photos it was sent with, each stored file present, of the size and
     SHA-256 its row names and with the pixels sent; and so does every record of an
     unacknowledged submission that was committed anyway (its answer was cut off);
   - no record of the drill lacks its follow-up code or its first timeline entry;
   - no attachment row, timeline entry or follow-up code (generic relations, which no
     foreign key guards) names a record that does not exist, in the whole database;
   - files without their record: a stored file that no attachment row names is what a
     transaction rolled back by a kill leaves behind (the file is written before its row).
     They are counted, removed by ``attachments.sweep_orphans`` with no grace period (as the
     daily job does after an hour), and counted again: none may be left;
   - a marker found on two records (the same form made twice): every public form carries a
     token, so that is a failure.

Prints the counts and exits 0 when nothing acknowledged was lost, no record is half-written,
no orphan is left after the sweep, no code opens the wrong record or nothing, at least
DRILL_ACKS submissions were acknowledged and at least DRILL_KILLS kills were made (2 of them
of the master); 1 when one of these fails; 2 when the harness itself cannot run.

Environment:

- ``DRILL_ACKS``: acknowledged submissions to reach (default 2000).
- ``DRILL_KILLS``: kills to make at least (default 8; at least 3, as 2 are of the master
  and 1 of the background worker).
- ``DRILL_MINUTES``: longest time of the load (default 8).
- ``DRILL_SEED``: seed of the random choices (default: a new one, printed).
- ``PGBIN``: PostgreSQL 15's binaries (default /usr/lib/postgresql/15/bin).

A run takes about 6 to 9 minutes on 2 cores with the defaults. The gunicorn, worker and
PostgreSQL logs of a failed run are kept in the folder it names.

``scripts/drill.py check IN OUT`` is the in-process half, run by the harness as a child.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import html
import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from bench import (
    PYTHON,
    ROOT,
    BenchError,
    Cluster,
    Server,
    app_env,
    children,
    env_int,
    manage,
    progress,
    say,
    spawn,
    stop,
    tail,
)

CLIENTS = 10
WORKERS = 4
PROOF_OF_WORK_MAX = 1000  # the puzzle stays, cheaper: the drill measures no flood protection
KILL_EVERY = (5.0, 15.0)  # seconds between kills, uniformly drawn
SENDS = 4  # a submission's POST is sent at most this often (the same body)
REQUEST_TIMEOUT = 60
SERVER_WAIT = 90  # seconds a client waits for the server to answer again
MARKER = re.compile(r"DRILL-[0-9a-f]{16}")
PHOTO_SIDE = 40
DRILL_DB = "drill"


class Transient(Exception):
    """A request that got no answer, or a 5xx: the server was killed under it."""


class GaveUp(Exception):
    """A submission that could not be sent (no answer after waiting, or nothing to book)."""


# --- what the clients send ------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A public form: where it is, the field whose text the follow-up page shows back (the
    marker goes there), the model its record is (``app_label.model``), how often a photo is
    attached and how often the kind is chosen."""

    name: str
    path: str
    text_field: str
    model: str
    photo_share: float
    weight: int


# The five public forms that make a record followed by a code. The registry lists them as
# public entries and follow-up kinds but does not describe their fields, so they are named
# here; the checker finds the records through registry.followups.
KINDS = (
    Kind("opinion", "/opinion/", "content", "campaign.suggestion", 0.5, 4),
    Kind("report", "/report/", "story", "supervision.report", 0.3, 2),
    Kind("mediation", "/mediation/apply/", "facts", "mediation.case", 0.3, 2),
    Kind("booking", "/appointments/", "note", "service.appointment", 0.0, 1),
    Kind("visit", "/home-visit/", "need", "service.homevisit", 0.0, 1),
)
BY_NAME = {k.name: k for k in KINDS}

# Values for the required fields that are not the marker's (a mobile number is drawn).
VALUES = {
    "name": "演练群众",
    "person": "演练老人",
    "respondent": "演练对方",
    "address": "康保镇演练路1号",
}


def photo_pixels(marker: str) -> bytes:
    """The photo's RGB pixels, made from the marker: the checker makes them again and
    compares them with the stored picture (re-encoded by the app, the same pixels)."""
    return hashlib.shake_256(marker.encode()).digest(PHOTO_SIDE * PHOTO_SIDE * 3)


def photo_png(marker: str) -> bytes:
    from PIL import Image

    img = Image.frombytes("RGB", (PHOTO_SIDE, PHOTO_SIDE), photo_pixels(marker))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@dataclass
class Submission:
    id: int
    kind: str
    model: str
    marker: str
    photo: bool
    sends: int = 0  # how often its POST was sent
    cut_off: int = 0  # sendings that got no answer, or a 5xx
    statuses: list[int] = field(default_factory=list)
    acknowledged: bool = False  # answered by the redirect to its code page
    already: bool = False  # answered "already sent" (a redirect to /query/)
    refused: str = ""  # answered with the form again (400), or given up
    code: str = ""


@dataclass
class Field:
    tag: str
    type: str
    name: str
    value: str
    checked: bool
    required: bool


class FormParser(HTMLParser):
    """The POST forms of a page, with their fields and each select's options."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.form: dict[str, Any] | None = None
        self.select: Field | None = None
        self.options: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = {"method": a.get("method", "get").lower(), "action": a.get("action", "")}
            self.form["fields"] = []
            self.form["options"] = {}
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        if tag in ("input", "select", "textarea") and a.get("name"):
            f = Field(
                tag,
                a.get("type", "text").lower() if tag == "input" else tag,
                a["name"],
                a.get("value", ""),
                "checked" in a,
                "required" in a,
            )
            self.form["fields"].append(f)
            if tag == "select":
                self.select = f
                self.form["options"][f.name] = []
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if value:
                self.form["options"][self.select.name].append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def main_form(page: str) -> dict[str, Any]:
    parser = FormParser()
    parser.feed(page)
    posts = [f for f in parser.forms if f["method"] == "post"]
    if not posts:
        raise GaveUp("the page has no form")
    return max(posts, key=lambda f: len(f["fields"]))


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple:
    boundary = "drill" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, filename, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


@dataclass
class Reply:
    status: int
    location: str
    body: bytes
    set_cookies: set[str]


class Browser:
    """One citizen's browser: its cookies, one connection per request."""

    def __init__(self, port: int, rng: random.Random) -> None:
        self.port, self.rng = port, rng
        self.cookies: dict[str, str] = {}
        self.days: dict[str, list[str]] = {}  # booking: the days each offer shows
        self.offers: list[str] = []

    def send(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body or None, headers=sent)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise Transient(f"{exc.__class__.__name__}: {exc}") from exc
        finally:
            conn.close()
        names = set()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value, _, attrs = rest.partition(";")
            name = name.strip()
            if value in ("", '""') or "max-age=0" in attrs.lower():
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
                names.add(name)
        if response.status >= 500:
            raise Transient(f"HTTP {response.status}")
        location = response.getheader("Location", "")
        return Reply(response.status, location, data, names)

    def wait_for_server(self) -> None:
        deadline = time.monotonic() + SERVER_WAIT
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise GaveUp("the server did not come back")

    def get(self, path: str, tries: int = SENDS) -> Reply:
        for attempt in range(tries):
            try:
                return self.send("GET", path)
            except Transient:
                if attempt == tries - 1:
                    raise GaveUp(f"GET {path}: no answer") from None
                time.sleep(0.3)
                self.wait_for_server()
        raise AssertionError

    def form_page(self, kind: Kind) -> tuple[str, str]:
        if kind.name != "booking":
            return kind.path, self.get(kind.path).body.decode()
        if not self.offers:
            found = re.findall(r'href="(/appointments/\d+/)"', self.get(kind.path).body.decode())
            self.offers = list(dict.fromkeys(found))
            if not self.offers:
                raise GaveUp("no service takes appointments")
        offer = self.rng.choice(self.offers)
        if offer not in self.days:
            page = self.get(offer).body.decode()
            self.days[offer] = re.findall(r'href="\?day=([0-9-]+)"', page)
        if not self.days[offer]:
            raise GaveUp("no day open")
        path = f"{offer}?day={self.rng.choice(self.days[offer])}"
        return path, self.get(path).body.decode()

    def fill(self, form: dict[str, Any], kind: Kind, text: str) -> list[tuple[str, str]]:
        rng = self.rng
        values: list[tuple[str, str]] = []
        radios: dict[str, list[Field]] = {}
        for f in form["fields"]:
            if f.type == "radio":
                radios.setdefault(f.name, []).append(f)
            elif f.type in ("hidden",):
                values.append((f.name, f.value))
            elif f.type == "select":
                options = form["options"].get(f.name) or []
                if options:
                    values.append((f.name, rng.choice(options)))
            elif f.name == kind.text_field:
                values.append((f.name, text))
            elif f.type in ("text", "textarea", "tel", "email") and f.required:
                if f.name == "phone":
                    values.append((f.name, "139" + "".join(rng.choices("0123456789", k=8))))
                else:
                    values.append((f.name, VALUES.get(f.name, "演练")))
        for name, group in radios.items():
            checked = [f for f in group if f.checked]
            values.append((name, (checked[0] if checked else rng.choice(group)).value))
        return values

    def submit(self, kind: Kind, number: int, log: list[Submission], lock: threading.Lock) -> None:
        from zhengfa.core.challenge import new_token, solve

        path, page = self.form_page(kind)
        form = main_form(page)
        names = {f.name for f in form["fields"]}
        if kind.text_field not in names:
            raise GaveUp(f"{path} has no field {kind.text_field} (nothing to book?)")
        if kind.name == "booking" and "slot" not in names:
            raise GaveUp("no time left that day")
        marker = f"DRILL-{self.rng.getrandbits(64):016x}"
        text = f"演练提交 {marker}:群众反映的情况,请核实处理。"
        fields = self.fill(form, kind, text)
        proof = re.search(r'data-proof="([^"]+)"', page)
        if proof:
            puzzle = json.loads(self.get(html.unescape(proof.group(1))).body)
            answer = {"proof": solve(puzzle), "submission": new_token()}
            fields = [(k, answer.get(k, v)) for k, v in fields]
        photo = any(f.type == "file" for f in form["fields"]) and self.rng.random() < (
            kind.photo_share
        )
        files = [("attachments", "photo.png", photo_png(marker))] if photo else []
        body, content_type = multipart(fields, files)
        sub = Submission(number, kind.name, kind.model, marker, photo)
        with lock:
            log.append(sub)
        action = html.unescape(form["action"]) or path
        reply = None
        while sub.sends < SENDS:
            sub.sends += 1
            try:
                reply = self.send("POST", action, body, {"Content-Type": content_type})
            except Transient as exc:
                sub.cut_off += 1
                sub.statuses.append(int(str(exc)[5:]) if str(exc).startswith("HTTP ") else 0)
                reply = None
                time.sleep(0.3 + self.rng.random())
                self.wait_for_server()
                continue
            sub.statuses.append(reply.status)
            break
        if reply is None:
            sub.refused = "no answer"
            return
        if reply.status == 302 and "zf_code_once" in reply.set_cookies:
            sub.acknowledged = True
            done = self.get(reply.location, tries=SENDS * 2)
            found = re.search(r'id="followup-code"[^>]*>([0-9A-Z-]+)<', done.body.decode())
            sub.code = found.group(1) if found else ""
        elif reply.status == 302 and reply.location.startswith("/query/"):
            sub.already = True
        else:
            errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]{1,80})', reply.body.decode())
            sub.refused = f"HTTP {reply.status}: {errors[0].strip() if errors else ''}"


# --- the run -------------------------------------------------------------------------------


class Drill:
    def __init__(self, cluster: Cluster, work: Path, seed: int) -> None:
        self.cluster, self.work = cluster, work
        self.rng = random.Random(seed)
        self.seed = seed
        self.var = work / "var"
        env = app_env(cluster.url(DRILL_DB), self.var)
        env.update(
            CACHE_URL="dbcache://zhengfa_cache",
            PROOF_OF_WORK_MAX=str(PROOF_OF_WORK_MAX),
            GUNICORN_CMD_ARGS=f"--workers {WORKERS}",
            SMS_BACKEND="zhengfa.core.sms.FileBackend",
            SMS_FILE_PATH=str(work / "sms"),
        )
        self.env = env
        self.server = Server("the drill", "zhengfa.wsgi", env, "/healthz", work / "gunicorn.log")
        self.worker: subprocess.Popen[bytes] | None = None
        self.log: list[Submission] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.kills: Counter[str] = Counter()
        self.client_errors: Counter[str] = Counter()
        self.master_starts = 0

    # processes

    def start_worker(self) -> None:
        with open(self.work / "worker.log", "ab") as log:
            self.worker = spawn(
                [PYTHON, "manage.py", "worker", "-v0", "--interval", "10"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def start(self) -> None:
        self.server.start()
        self.start_worker()

    def stop_all(self) -> None:
        self.server.stop()
        stop(self.worker)

    def kill(self, what: str) -> str:
        proc = self.server.proc
        assert proc is not None and self.worker is not None
        if what == "worker":
            workers = children(proc.pid)
            if not workers:
                return "no gunicorn worker to kill (respawning)"
            pid = self.rng.choice(workers)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return f"gunicorn worker {pid}"
        if what == "master":
            pids = [proc.pid, *children(proc.pid)]
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            proc.wait()
            deadline = time.monotonic() + 30
            while any(_alive(p) for p in pids[1:]) and time.monotonic() < deadline:
                time.sleep(0.05)
            started = time.monotonic()
            self.server.start()
            self.master_starts += 1
            return (
                f"gunicorn master {pids[0]} and its {len(pids) - 1} workers "
                f"(new gunicorn answered after {time.monotonic() - started:.1f} s)"
            )
        pid = self.worker.pid
        self.worker.kill()
        self.worker.wait()
        self.start_worker()
        return f"background worker {pid}"

    # load

    def acknowledged(self) -> int:
        with self.lock:
            return sum(s.acknowledged for s in self.log)

    def client(self, index: int) -> None:
        rng = random.Random(self.seed * 100 + index)
        browser = Browser(self.server.port, rng)
        weights = [k.weight for k in KINDS]
        number = 0
        while not self.stopping.is_set():
            kind = rng.choices(KINDS, weights)[0]
            number += 1
            try:
                browser.submit(kind, index * 1_000_000 + number, self.log, self.lock)
            except GaveUp as exc:
                self.client_errors[f"{kind.name}: {exc}"] += 1
            except Exception as exc:  # a harness bug: counted and shown, the client goes on
                self.client_errors[f"{kind.name}: {exc.__class__.__name__}: {exc}"] += 1
                time.sleep(0.5)

    def load(self, target: int, kills: int, minutes: int) -> bool:
        """Runs the clients and the killer; True when both targets were reached in time."""
        plan = ["master", "master", "task"] + ["worker"] * max(0, kills - 3)
        self.rng.shuffle(plan)
        threads = [
            threading.Thread(target=self.client, args=(i,), name=f"client-{i}", daemon=True)
            for i in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        began = time.monotonic()
        reached = False
        while True:
            time.sleep(self.rng.uniform(*KILL_EVERY))
            acked = self.acknowledged()
            made = sum(self.kills.values())
            if acked >= target and made >= kills:
                reached = True
                break
            if time.monotonic() - began > minutes * 60:
                break
            what = (
                plan[made]
                if made < len(plan)
                else self.rng.choices(["worker", "master", "task"], [6, 2, 1])[0]
            )
            text = self.kill(what)
            self.kills[what] += 1
            progress(
                f"  {time.monotonic() - began:5.0f} s  {acked:5d} acknowledged  "
                f"kill {made + 1}: {text}"
            )
        progress(f"  {time.monotonic() - began:5.0f} s  stopping the clients")
        self.stopping.set()
        for t in threads:
            t.join(SERVER_WAIT * SENDS)
        self.load_seconds = time.monotonic() - began
        return reached

    # the codes over HTTP

    def check_codes(self) -> tuple[int, list[str]]:
        """POSTs every code read to /query/; returns (checked, what was wrong)."""
        subs = [s for s in self.log if s.code]
        wrong: list[str] = []
        lock = threading.Lock()
        queue = list(subs)

        def run(index: int) -> None:
            browser = Browser(self.server.port, random.Random(index))
            token = ""
            while True:
                with lock:
                    if not queue:
                        return
                    sub = queue.pop()
                try:
                    if not token:
                        page = browser.get("/query/").body.decode()
                        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
                        token = found.group(1) if found else ""
                    body, content_type = multipart(
                        [("csrfmiddlewaretoken", token), ("code", sub.code)], []
                    )
                    reply = browser.send("POST", "/query/", body, {"Content-Type": content_type})
                    if reply.status != 302:
                        problem = f"opens nothing (HTTP {reply.status})"
                    else:
                        shown = browser.get(reply.location).body.decode()
                        markers = set(MARKER.findall(shown))
                        problem = (
                            ""
                            if markers == {sub.marker}
                            else f"shows {sorted(markers) or 'no marker'}"
                        )
                except (Transient, GaveUp) as exc:
                    problem = f"no answer ({exc})"
                if problem:
                    with lock:
                        wrong.append(f"{sub.kind} {sub.marker} code {sub.code}: {problem}")

        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return len(subs), wrong


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def build(cluster: Cluster, env: dict[str, str]) -> float:
    started = time.monotonic()
    cluster.sql(f'CREATE DATABASE "{DRILL_DB}"')
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    manage(env, "seed_demo")
    return time.monotonic() - started


def run_check(env: dict[str, str], work: Path, log: list[Submission]) -> dict[str, Any]:
    inp, out = work / "submissions.json", work / "check.json"
    inp.write_text(json.dumps([asdict(s) for s in log]))
    result = subprocess.run(  # noqa: S603
        [PYTHON, str(Path(__file__).resolve()), "check", str(inp), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BenchError(f"the check failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    found: dict[str, Any] = json.loads(out.read_text())
    return found


# --- the in-process check ------------------------------------------------------------------


def check_main(inp: str, out: str) -> int:
    """Looks at the database and the stored files after the run (everything stopped)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengfa.settings")
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.storage import default_storage
    from PIL import Image

    from zhengfa.core.attachments import attachments_of, sweep_orphans
    from zhengfa.core.models import Attachment, FollowUp, TimelineEvent
    from zhengfa.core.registry import registry

    subs = {s["marker"]: s for s in json.loads(Path(inp).read_text())}
    # Every record a citizen follows with a code, by the text it shows him back.
    where: dict[str, list[Any]] = {}
    for model, view in registry.followups.items():
        for record in model._base_manager.all().iterator(chunk_size=500):
            for marker in set(MARKER.findall(str(view.submission(record) or ""))):
                where.setdefault(marker, []).append(record)

    def label(record: Any) -> str:
        return f"{record._meta.app_label}.{record._meta.model_name}"

    problems: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()

    def problem(what: str, text: str) -> None:
        counts[what] += 1
        problems.setdefault(what, [])
        if len(problems[what]) < 10:
            problems[what].append(text)

    found: dict[str, dict[str, Any]] = {}
    for marker, sub in subs.items():
        records = where.get(marker, [])
        found[marker] = {"records": len(records)}
        for record in records:
            name = f"{sub['kind']} {marker} ({label(record)} #{record.pk})"
            if label(record) != sub["model"]:
                problem("wrong kind", f"{name}: expected {sub['model']}")
            ct = ContentType.objects.get_for_model(type(record))
            if not FollowUp.objects.filter(content_type=ct, object_id=record.pk).exists():
                problem("record without its code", name)
            if (
                hasattr(record, "workflow")
                and not TimelineEvent.objects.filter(content_type=ct, object_id=record.pk).exists()
            ):
                problem("record without its timeline", name)
            files = list(attachments_of(record))
            if len(files) != (1 if sub["photo"] else 0):
                problem(
                    "record without the files it was saved with",
                    f"{name}: {len(files)} files, sent {1 if sub['photo'] else 0}",
                )
            for a in files:
                try:
                    with default_storage.open(str(a.file.name), "rb") as f:
                        data = f.read()
                except OSError:
                    problem("record without the files it was saved with", f"{name}: {a.file} gone")
                    continue
                if len(data) != a.size or hashlib.sha256(data).hexdigest() != a.sha256:
                    problem("file not as its row says", f"{name}: {a.file}")
                    continue
                with Image.open(io.BytesIO(data)) as img:
                    if img.convert("RGB").tobytes() != photo_pixels(marker):
                        problem("file not the photo sent", f"{name}: {a.file}")
    stray_markers = set(where) - set(subs)
    for marker in sorted(stray_markers)[:10]:
        problem("record of no submission", marker)

    # Generic relations, in the whole database: each row names an existing record.
    orphans: dict[str, int] = {}
    for model in (Attachment, TimelineEvent, FollowUp):
        missing = 0
        rows = model.objects.values_list("content_type", "object_id")
        by_type: dict[int, set[int]] = {}
        for ct_id, object_id in rows.iterator(chunk_size=5000):
            by_type.setdefault(ct_id, set()).add(object_id)
        for ct_id, ids in by_type.items():
            target = ContentType.objects.get_for_id(ct_id).model_class()
            if target is None:
                missing += model.objects.filter(content_type_id=ct_id).count()
                continue
            exist = set()
            listed = sorted(ids)
            for start in range(0, len(listed), 5000):
                chunk = listed[start : start + 5000]
                exist |= set(target._base_manager.filter(pk__in=chunk).values_list("pk", flat=True))
            gone = ids - exist
            if gone:
                missing += model.objects.filter(content_type_id=ct_id, object_id__in=gone).count()
        orphans[str(model._meta.model_name)] = missing

    # Attachment rows (all of them) whose file is not stored.
    rows_without_file = sum(
        not default_storage.exists(name)
        for name in Attachment.objects.values_list("file", flat=True).iterator()
    )

    def stored(folder: str) -> list[str]:
        try:
            folders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            return []
        return [f"{folder}/{n}" for n in files] + [
            name for sub in folders for name in stored(f"{folder}/{sub}")
        ]

    def strays() -> int:
        names = stored("attachments")
        known = set(Attachment.objects.values_list("file", flat=True))
        return sum(n not in known for n in names)

    stray_before = strays()
    swept = sweep_orphans(grace=dt.timedelta(0))
    stray_after = strays()

    result = {
        "found": found,
        "counts": dict(counts),
        "problems": problems,
        "orphans": orphans,
        "rows_without_file": rows_without_file,
        "files_without_record": {"found": stray_before, "swept": swept, "left": stray_after},
    }
    Path(out).write_text(json.dumps(result))
    return 0


# --- output --------------------------------------------------------------------------------


def report(
    drill: Drill, checked: int, wrong: list[str], result: dict[str, Any], acks: int, kills: int
) -> bool:
    log = drill.log
    found = result["found"]
    acked = [s for s in log if s.acknowledged]
    already = [s for s in log if s.already]
    present = [s for s in log if found[s.marker]["records"] >= 1]
    lost = [s for s in acked + already if found[s.marker]["records"] == 0]
    committed_unanswered = [
        s for s in log if not s.acknowledged and not s.already and found[s.marker]["records"]
    ]
    doubles = [s for s in log if found[s.marker]["records"] > 1]
    counts = result["counts"]
    half = sum(
        counts.get(k, 0)
        for k in (
            "record without its code",
            "record without its timeline",
            "record without the files it was saved with",
            "file not as its row says",
            "file not the photo sent",
            "wrong kind",
            "record of no submission",
        )
    )
    orphans = result["orphans"]
    files = result["files_without_record"]
    made = sum(drill.kills.values())

    say()
    say("by kind          submitted  acknowledged  found  lost  with photo  resent")
    for kind in KINDS:
        mine = [s for s in log if s.kind == kind.name]
        say(
            f"  {kind.name:<14} {len(mine):>9} {sum(s.acknowledged for s in mine):>13} "
            f"{sum(found[s.marker]['records'] >= 1 for s in mine):>6} "
            f"{sum(s in lost for s in mine):>5} {sum(s.photo for s in mine):>11} "
            f"{sum(s.sends > 1 for s in mine):>7}"
        )
    statuses = Counter(st for s in log for st in s.statuses)
    say(
        "POST answers: "
        + ", ".join(f"{k or 'cut off'}: {v}" for k, v in sorted(statuses.items()))
        + f"; kills: {made} ({', '.join(f'{k} {v}' for k, v in sorted(drill.kills.items()))})"
    )
    refusals = Counter(s.refused for s in log if s.refused)
    for text, n in refusals.most_common(5):
        say(f"  not accepted ({n}): {text}")
    for text, n in drill.client_errors.most_common(5):
        say(f"  not sent ({n}): {text}")
    errors = server_errors(drill.work / "gunicorn.log")
    say(
        f"server log: {sum(errors.values())} exceptions"
        + (" (requests cut off by a kill log none)" if not errors else "")
    )
    for text, n in errors.most_common(3):
        say(f"  ({n}) {text}")

    rows = [
        ("submitted (POST sent)", len(log), ""),
        ("acknowledged (redirect to the code page)", len(acked), f">= {acks}"),
        ("  of them answered only after a resend", sum(s.sends > 1 for s in acked), ""),
        ("answered 'already sent' (redirect to /query/)", len(already), ""),
        ("found in the database (of those submitted)", len(present), ""),
        ("  committed, answer cut off (not acknowledged)", len(committed_unanswered), ""),
        ("LOST (acknowledged, not found)", len(lost), "0"),
        ("made twice (the same form sent again)", len(doubles), "0"),
        ("records half-written (code, timeline, files, kind)", half, "0"),
        ("attachment rows whose file is not stored", result["rows_without_file"], "0"),
        ("attachment rows without their record", orphans["attachment"], "0"),
        ("timeline rows without their record", orphans["timelineevent"], "0"),
        ("follow-up codes without their record", orphans["followup"], "0"),
        ("files without their record: found (rolled back)", files["found"], "expected"),
        ("  removed by sweep_orphans(grace=0)", files["swept"], ""),
        ("  left after the sweep", files["left"], "0"),
        ("codes checked at /query/", checked, ""),
        ("  opening the wrong record or none", len(wrong), "0"),
        ("acknowledged but code not read", sum(not s.code for s in acked), ""),
        ("kills (SIGKILL)", made, f">= {kills}"),
        ("  of the gunicorn master", drill.kills["master"], ">= 2"),
    ]
    say()
    say(f"{'':<52} {'count':>6}  must be")
    for name, value, target in rows:
        say(f"{name:<52} {value:>6}  {target}")
    for what, texts in result["problems"].items():
        for text in texts:
            say(f"  {what}: {text}")
    for s in lost[:10]:
        say(f"  LOST {s.kind} {s.marker}: sent {s.sends}x, answers {s.statuses}, code {s.code!r}")
    for s in doubles[:10]:
        say(f"  made twice: {s.kind} {s.marker}: sent {s.sends}x, answers {s.statuses}")
    for text in wrong[:10]:
        say(f"  wrong code: {text}")
    say(
        "Files without their record are what a transaction rolled back by a kill leaves in "
        "storage (the file is written before its row); the daily sweep removes them. Only "
        "those left after the sweep count as orphans."
    )
    failures = [
        name
        for name, value, target in rows
        if (target == "0" and value) or (target.startswith(">=") and value < int(target.split()[1]))
    ]
    say()
    say(
        f"{len(lost)} lost, {files['left']} orphans left ({files['found']} rolled-back files "
        f"swept), {half} half-written, {len(wrong)} wrong codes over {len(acked)} acknowledged "
        f"submissions and {made} kills: " + ("PASSED" if not failures else "FAILED")
    )
    for name in failures:
        say(f"  failed: {name.strip()}")
    return not failures


def server_errors(log: Path) -> Counter[str]:
    """The exceptions the app logged (a worker killed mid-request logs nothing)."""
    found: Counter[str] = Counter()
    with contextlib.suppress(OSError), open(log, errors="replace") as f:
        for line in f:
            hit = re.match(r"([\w.]+(?:Error|Exception|Unavailable)): (.*)", line)
            if hit:
                found[f"{hit.group(1)}: {hit.group(2)[:100]}"] += 1
    return found


def _on_signal(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> int:
    began = time.monotonic()
    acks = env_int("DRILL_ACKS", 2000)
    kills = env_int("DRILL_KILLS", 8, minimum=3)
    minutes = env_int("DRILL_MINUTES", 8)
    seed = env_int("DRILL_SEED", random.SystemRandom().randrange(1, 10**6))
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    sys.path.insert(0, str(ROOT))  # the client solves the puzzle with the app's own code
    cluster = Cluster()
    work = Path(tempfile.mkdtemp(prefix="zhengfa-drill."))
    drill: Drill | None = None
    keep = False
    try:
        cluster.start()
        drill = Drill(cluster, work, seed)
        say("make drill: public submissions while the servers are killed (SIGKILL)")
        say(
            f"{CLIENTS} clients, gunicorn {WORKERS} sync workers and the background worker; "
            f"targets: {acks} acknowledged, {kills} kills; seed {seed} (DRILL_SEED)"
        )
        progress("building the demo county (migrate, seed_demo)")
        say(f"demo county built in {build(cluster, drill.env):.0f} s")
        drill.start()
        progress("load and kills:")
        reached = drill.load(acks, kills, minutes)
        say(
            f"load: {len(drill.log)} submissions in {drill.load_seconds:.0f} s"
            + ("" if reached else f" (targets not reached in {minutes} min)")
        )
        drill.stop_all()
        progress("restarting cleanly; checking the codes at /query/")
        drill.start()
        checked, wrong = drill.check_codes()
        drill.stop_all()
        progress("checking the database and the stored files")
        result = run_check(drill.env, work, drill.log)
        ok = report(drill, checked, wrong, result, acks, kills)
        say(f"wall time {(time.monotonic() - began) / 60:.1f} min")
        keep = not ok
        if keep:
            shutil.copy2(cluster.dir / "server.log", work / "postgresql.log")
            say(f"logs kept in {work}")
        return 0 if ok else 1
    except BenchError:
        keep = True
        raise
    finally:
        if drill is not None:
            drill.stopping.set()
            drill.stop_all()
        if keep:
            with contextlib.suppress(OSError):
                shutil.copy2(cluster.dir / "server.log", work / "postgresql.log")
            progress(f"logs kept in {work}; gunicorn: {tail(work / 'gunicorn.log', 5)}")
        cluster.remove()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else "")
    sub = parser.add_subparsers(dest="command")
    check = sub.add_parser("check", help="(internal) the in-process check, JSON in and out")
    check.add_argument("inp")
    check.add_argument("out")
    args = parser.parse_args()
    if args.command == "check":
        return check_main(args.inp, args.out)
    try:
        return main()
    except BenchError as exc:
        print(f"\nmake drill could not run: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; the throwaway cluster and servers are removed", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(cli())
