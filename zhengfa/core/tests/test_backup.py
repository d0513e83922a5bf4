"""``manage.py backup`` and ``restore``: a round trip gives back every row and every file,
on whichever database the tests run (SQLite in ``make test``, PostgreSQL in its own run), and
a restore under other keys is refused before anything is replaced."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import translation

from zhengfa.core import backup
from zhengfa.core.attachments import attach, stored_files
from zhengfa.core.crypto import encrypted_columns
from zhengfa.core.testing import _rows, _tables, png_upload
from zhengfa.core.tests.testapp.services import case_open
from zhengfa.org.models import Unit
from zhengfa.org.testing import demo_county

# Committed rows (the copy reads the database from another connection), and the reference rows
# that migrations write put back for each test after the flush that ends the one before.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def everything() -> tuple[dict[str, list[str]], dict[str, str]]:
    """Every row of every table as stored, and every stored file's SHA-256."""
    tables = {}
    for table in _tables():
        columns, rows = _rows(table)
        tables[table] = sorted(repr(dict(zip(columns, row, strict=True))) for row in rows)
    files = {}
    for name in stored_files():
        with default_storage.open(name, "rb") as fh:
            files[name] = hashlib.sha256(fh.read()).hexdigest()
    return tables, files


def build(*, demo: bool = False) -> None:
    """Records with personal data, their timelines and follow-up codes, and stored files:
    the demo county for the round trip, one unit's for the refusals (quicker)."""
    if demo:
        demo_county.restore()
        unit = Unit.objects.get(code="ZFW")
    else:
        unit = Unit.objects.create(code="ZFW", name="政法委", kind="committee")
    for color in ("red", "green", "blue"):
        case, _code = case_open(unit=unit, title=color, by=None, phone="13900001111")
        attach(record=case, upload=png_upload(f"{color}.png", color), by=None)


def wipe() -> None:
    call_command("flush", interactive=False, verbosity=0)
    for name in list(stored_files()):
        default_storage.delete(name)


def test_a_round_trip_gives_back_every_row_and_every_file(tmp_path: Path) -> None:
    build(demo=True)
    before = everything()
    tables, files = before
    assert len(files) >= 3
    assert sum(len(rows) for rows in tables.values()) > 10000
    # Personal data is stored encrypted: the round trip must carry tokens the keys still read.
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        encrypted = 0
        for table, column in encrypted_columns():
            cursor.execute(
                f"SELECT COUNT(*) FROM {quote(table)} WHERE {quote(column)} <> ''"  # noqa: S608
            )
            encrypted += cursor.fetchone()[0]
    assert encrypted > 10

    out = io.StringIO()
    call_command("backup", str(tmp_path / "b"), stdout=out)
    assert "b" in out.getvalue()
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert set(manifest["files"]) == set(files)
    # The keys are never in the backup, in any form that gives them back.
    raw = b"".join(p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file())
    for key in [*settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_HASH_KEY]:
        assert key.encode() not in raw

    wipe()
    assert everything() != before
    call_command("restore", str(tmp_path / "b"), stdout=out)
    after = everything()
    assert after[1] == before[1]
    for table in before[0]:
        assert after[0][table] == before[0][table], table
    assert after == before


def test_a_restore_under_another_key_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    build()
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    Unit.objects.filter(code="ZFW").update(name="备份之后改的名字")
    now = everything()
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=["a-key-that-never-made-this-backup"]),
        translation.override("en"),
        pytest.raises(CommandError, match=r"FIELD_ENCRYPTION_KEY.*Nothing was changed"),
    ):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    with (
        override_settings(FIELD_HASH_KEY="another-lookup-key"),
        translation.override("en"),
        pytest.raises(CommandError, match=r"FIELD_HASH_KEY.*Nothing was changed"),
    ):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    assert everything() == now

    # A key rotated in but not yet run through (rotate_field_keys): the values still need the
    # old key, which the site then dropped. Refused before anything changes, not halfway.
    with override_settings(FIELD_ENCRYPTION_KEYS=["the-new-key", *settings.FIELD_ENCRYPTION_KEYS]):
        call_command("backup", str(tmp_path / "rotating"), stdout=io.StringIO())
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=["the-new-key"]),
        translation.override("en"),
        pytest.raises(CommandError, match=r"FIELD_ENCRYPTION_KEY.*Nothing was changed"),
    ):
        call_command("restore", str(tmp_path / "rotating"), "--check", stdout=io.StringIO())
    assert everything() == now

    # With the new key first and the backup's after it, the restore goes through.
    with override_settings(FIELD_ENCRYPTION_KEYS=["the-new-key", *settings.FIELD_ENCRYPTION_KEYS]):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    assert Unit.objects.get(code="ZFW").name != "备份之后改的名字"


def test_a_damaged_or_foreign_backup_is_refused(tmp_path: Path) -> None:
    build()
    folder = tmp_path / "b"
    call_command("backup", str(folder), stdout=io.StringIO())
    with translation.override("en"):
        with pytest.raises(CommandError, match="already holds something"):
            call_command("backup", str(folder), stdout=io.StringIO())
        with pytest.raises(CommandError, match="not a backup"):
            call_command("restore", str(tmp_path), stdout=io.StringIO())
        stored = next(p for p in (folder / "files").rglob("*") if p.is_file())
        stored.write_bytes(stored.read_bytes() + b"x")
        with pytest.raises(CommandError, match="damaged: 1 file is missing"):
            call_command("restore", str(folder), "--check", stdout=io.StringIO())
        manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
        manifest["migrations"].append("core.9999_from_the_future")
        (folder / "manifest.json").write_text(json.dumps(manifest))
        with pytest.raises(CommandError, match="newer version"):
            call_command("restore", str(folder), stdout=io.StringIO())
        # A crafted manifest cannot reach outside the backup or the storage.
        manifest["migrations"].remove("core.9999_from_the_future")
        for name in ("../../outside.txt", "/etc/passwd", "attachments/./x", ""):
            manifest["files"] = {name: "0" * 64}
            (folder / "manifest.json").write_text(json.dumps(manifest))
            with pytest.raises(CommandError, match="outside its folder"):
                call_command("restore", str(folder), stdout=io.StringIO())
        (folder / "manifest.json").write_text('{"format": 1, "database": {}}')
        with pytest.raises(CommandError, match="cannot be read"):
            call_command("restore", str(folder), stdout=io.StringIO())
        # Values of the wrong shape are refused plainly too, not with a traceback.
        good: dict[str, Any] = json.loads(json.dumps(manifest))
        good["files"] = {}
        for where, value in (
            ("files", ["attachments/x.png"]),
            ("files", {"attachments/x.png": 7}),
            ("tables", {"core_attachment": "3"}),
            ("migrations", "core.0001_initial"),
            ("database", ["sqlite"]),
        ):
            (folder / "manifest.json").write_text(json.dumps({**good, where: value}))
            with pytest.raises(CommandError, match="cannot be read"):
                call_command("restore", str(folder), "--check", stdout=io.StringIO())
        (folder / "manifest.json").write_text(
            json.dumps({**good, "keys": {**good["keys"], "needed": 3}})
        )
        with pytest.raises(CommandError, match="cannot be read"):
            call_command("restore", str(folder), "--check", stdout=io.StringIO())
        without_date = {k: v for k, v in good.items() if k != "made_at"}
        for shape in ("[1, 2]", json.dumps(without_date)):
            (folder / "manifest.json").write_text(shape)
            with pytest.raises(CommandError, match="cannot be read"):
                call_command("restore", str(folder), "--check", stdout=io.StringIO())
        # One made under keys that could not read its values is refused, whoever made it.
        (folder / "manifest.json").write_text(json.dumps({**good, "unreadable_values": 12}))
        with pytest.raises(CommandError, match="could not read when it was made"):
            call_command("restore", str(folder), "--check", stdout=io.StringIO())


def test_a_backup_under_keys_that_cannot_read_the_data_is_not_written(tmp_path: Path) -> None:
    """Run from cron without the site's keys, the backup says so at once, instead of a
    backup that every restore would then refuse."""
    build()
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=["not-the-site's-key"]),
        translation.override("en"),
        pytest.raises(CommandError, match=r"cannot read \d+ stored values.*none was written"),
    ):
        call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    assert list(tmp_path.iterdir()) == []  # no backup, no partial folder

    # Some values no key reads, though the others read: a key dropped too early after a
    # rotation. Said so, with where they are; no backup.
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in encrypted_columns():  # the first with values is kept
            cursor.execute(
                f"SELECT COUNT(*) FROM {quote(table)} WHERE {quote(column)} <> ''"  # noqa: S608
            )
            if cursor.fetchone()[0]:
                break
        cursor.execute(
            f"UPDATE {quote(table)} SET {quote(column)} = 'gAAAAAnot-a-token' "  # noqa: S608
            f"WHERE id = (SELECT MIN(id) FROM {quote(table)} WHERE {quote(column)} <> '')"
        )
    where = re.escape(f"(in {table}.{column})")
    with (
        translation.override("en"),
        pytest.raises(CommandError, match=rf"1 stored value {where}.*rotate_field_keys"),
    ):
        call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    assert list(tmp_path.iterdir()) == []


def test_a_file_missing_from_storage_is_reported_by_backup_and_check(tmp_path: Path) -> None:
    build()
    gone = sorted(stored_files())[0]
    default_storage.delete(gone)
    with translation.override("en"), pytest.raises(CommandError, match="not in storage"):
        call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    # The backup was written all the same (the best copy there is), and says what it lacks.
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert manifest["missing_files"] == [gone]
    assert gone not in manifest["files"] and len(manifest["files"]) == 2
    said = io.StringIO()
    with translation.override("en"):
        call_command("restore", str(tmp_path / "b"), "--check", stdout=io.StringIO(), stderr=said)
    assert gone in said.getvalue()


def test_values_no_configured_key_reads_are_found() -> None:
    build()
    assert backup.unreadable_values() == []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in encrypted_columns():  # noqa: B007 (the first with rows is kept)
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
            if cursor.fetchone()[0]:
                break
        cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = 'gAAAAAnot-a-token'")  # noqa: S608
    assert backup.unreadable_values() == [f"{table}.{column}"]


def test_a_backup_made_while_the_site_writes_restores_whole(tmp_path: Path) -> None:
    import threading

    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections

    from zhengfa.core.models import JobRun

    build()
    SessionStore().create()  # somebody signed in: his session is not carried by the backup
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        try:
            while not stop.is_set():
                written.append(JobRun.objects.create(name="drill", period=str(len(written))).pk)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 20:
            pass
        call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    finally:
        stop.set()
        writer.join()
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert 0 < manifest["tables"]["core_jobrun"] <= len(written)
    assert manifest["tables"]["django_session"] == 0
    call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    assert JobRun.objects.count() == manifest["tables"]["core_jobrun"]
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_restore is PostgreSQL's")
def test_a_postgresql_restore_that_fails_halfway_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pg_restore stopping halfway (a damaged disk, a killed process), or unable to read
    the archive at all (an older client than the one that made it): the database stays as
    it was, and the command says why."""
    build()
    call_command("backup", str(tmp_path / "b"), stdout=io.StringIO())
    Unit.objects.filter(code="ZFW").update(name="备份之后改的名字")
    now = everything()
    real = Path(backup._pg_tool("pg_restore")).parent
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "psql").symlink_to(real / "psql")
    fake = tools / "pg_restore"
    # The table of contents reads; the SQL stops after its first part (the old tables are
    # dropped and some new ones made by then), and the program fails.
    fake.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *--list*) exec "{real}/pg_restore" "$@";; esac\n'
        f'"{real}/pg_restore" "$@" | head -c 30000\n'
        'echo "pg_restore: error: could not read from input file" >&2\n'
        "exit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PGBIN", str(tools))
    with translation.override("en"), pytest.raises(CommandError, match="could not read"):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    assert everything() == now

    # An archive this host's pg_restore cannot read is refused by the check, before anything.
    fake.write_text(
        "#!/bin/sh\n"
        'echo "pg_restore: error: unsupported version (1.16) in file header" >&2\n'
        "exit 1\n"
    )
    with translation.override("en"), pytest.raises(CommandError, match="unsupported version"):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    assert everything() == now

    # psql stopping at an error (a site user that does not own the schema) names its reason,
    # not the pg_restore it stopped.
    fake.unlink()
    fake.symlink_to(real / "pg_restore")
    (tools / "psql").unlink()
    (tools / "psql").write_text(
        "#!/bin/sh\n"
        "head -c 1000 >/dev/null\n"
        'echo "ERROR:  must be owner of schema public" >&2\n'
        "exit 3\n"
    )
    (tools / "psql").chmod(0o755)
    with translation.override("en"), pytest.raises(CommandError, match=r"psql.*must be owner"):
        call_command("restore", str(tmp_path / "b"), stdout=io.StringIO())
    assert everything() == now
