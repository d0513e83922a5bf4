"""A whole copy of the site, made while it runs and put back in one go:
``manage.py backup DIR`` and ``manage.py restore DIR``.

A backup is a folder::

    manifest.json       what it holds: tables and their row counts, the migrations applied,
                        every file's SHA-256, and one-way tags of the keys it needs
    database.sqlite3    SQLite's online backup of the embedded database, or
    database.dump       pg_dump's archive (custom format) of the PostgreSQL database
    files/...           every stored file, under its stored name

The database is copied first and the files after it: files are only ever added before their
row (never changed), so every file the copy names is in the folder. A file newer than the
copy is harmless (the daily sweep removes what no row names). The folder is written under a
temporary name and renamed when complete: a folder with the final name is a whole backup.

The keys of the encrypted fields (``FIELD_ENCRYPTION_KEY``, ``FIELD_HASH_KEY``) are never in
a backup; its manifest keeps a one-way tag of each, so that a restore under other keys is
refused before anything is replaced, instead of showing garbage.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import crypto
from .attachments import stored_files

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
# Tables whose rows are not copied: sessions are live sign-ins (their keys are what a browser's
# cookie holds), not records; a restore signs everybody out.
LEFT_OUT = ("django_session",)


class BackupError(Exception):
    """Something a person must put right; the message says what, in plain words."""


@dataclass(frozen=True)
class Summary:
    folder: Path
    tables: int
    rows: int
    files: int
    bytes: int
    # Files that records name but storage did not hold when the backup was made.
    missing: tuple[str, ...] = ()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stored_sha256(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(db)s.") % {"db": vendor})
    return vendor


def table_counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        return _counts(cursor, tables, quote)


def _counts(cursor: Any, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def _encrypted_values(cursor: Any, quote: Callable[[str], str]) -> Iterator[tuple[str, str]]:
    """(table.column, token) of every stored encrypted value, a batch at a time."""
    for table, column in crypto.encrypted_columns():
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} "  # noqa: S608
            f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> ''"
        )
        while rows := cursor.fetchmany(2000):
            for (token,) in rows:
                yield f"{table}.{column}", token


def _inventory(cursor: Any, tables: list[str], quote: Callable[[str], str]) -> dict[str, Any]:
    """What the copy holds, read in the copy's own state: row counts, the migrations applied,
    and the tags of the keys its encrypted values need."""
    cursor.execute("SELECT app, name FROM django_migrations")
    migrations = sorted(f"{app}.{name}" for app, name in cursor.fetchall())
    needed: set[str] = set()
    unreadable: Counter[str] = Counter()
    readable = 0
    for where, token in _encrypted_values(cursor, quote):
        tag = crypto.key_of(token)
        if tag is None:
            unreadable[where] += 1
        else:
            needed.add(tag)
            readable += 1
    from .models import Attachment

    column = str(Attachment._meta.get_field("file").column)
    cursor.execute(
        f"SELECT {quote(column)} FROM {quote(Attachment._meta.db_table)}"  # noqa: S608
    )
    named = {name for (name,) in cursor.fetchall() if name}
    return {
        "tables": _counts(cursor, tables, quote),
        "migrations": migrations,
        "keys_needed": sorted(needed),
        "unreadable": unreadable,
        "readable": readable,
        "named_files": named,
    }


# --- PostgreSQL's own tools ---------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """pg_dump, pg_restore or psql: from PGBIN, else the newest installed, else from PATH."""
    if os.environ.get("PGBIN"):
        candidates = [Path(os.environ["PGBIN"]) / name]
    else:
        # Debian's /usr/bin/pg_dump is a wrapper that asks for a local cluster: the real
        # programs first, newest version first (a dump needs one at least as new as the server).
        installed = [
            p for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}") if p.parts[-3].isdigit()
        ]
        candidates = sorted(installed, key=lambda p: int(p.parts[-3]), reverse=True)
        found = shutil.which(name)
        candidates += [Path(found)] if found else []
    for path in candidates:
        if path.is_file():
            return str(path)
    raise BackupError(
        _("%(tool)s is not installed (Debian: apt-get install postgresql-client).") % {"tool": name}
    )


def _pg_env() -> dict[str, str]:
    params = connection.get_connection_params()
    env = dict(os.environ)
    for key, var in (
        ("host", "PGHOST"),
        ("port", "PGPORT"),
        ("user", "PGUSER"),
        ("password", "PGPASSWORD"),
        ("dbname", "PGDATABASE"),
    ):
        if params.get(key):
            env[var] = str(params[key])
    return env


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(  # noqa: S603
        command, env=_pg_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if result.returncode:
        _failed(what, result.stderr)


def _failed(what: str, stderr: str) -> None:
    raise BackupError(_("%(what)s failed: %(why)s") % {"what": what, "why": stderr.strip()[-2000:]})


# --- Backup -------------------------------------------------------------------------------------


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _a_site_or_refuse(tables: list[str]) -> None:
    if "django_migrations" not in tables:
        raise BackupError(
            _(
                "%(name)s holds no site: run the backup with the site's own settings "
                "(DATABASE_URL, the same environment file as the site)."
            )
            % {"name": connection.settings_dict["NAME"]}
        )


def _copy_database(vendor: str, target: Path) -> dict[str, Any]:
    """Copy the database to `target`; returns the inventory of exactly what was copied."""
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent state while the site keeps writing.
            source.backup(copy)
            cursor = copy.cursor()
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'"
            )
            tables = sorted(name for (name,) in cursor.fetchall())
            _a_site_or_refuse(tables)
            with copy:
                for table in LEFT_OUT:
                    copy.execute(f"DELETE FROM {_sqlite_quote(table)}")  # noqa: S608
            inventory = _inventory(cursor, tables, _sqlite_quote)
            (status,) = copy.execute("PRAGMA integrity_check").fetchone()
            # One file, no -wal beside it: the copy is what the folder holds.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
            source.close()
        if status != "ok":
            raise BackupError(_("The copy of the database is damaged: %(why)s") % {"why": status})
        return inventory
    quote = connection.ops.quote_name
    # pg_dump reads the snapshot of this transaction: the counts are of what it copies.
    with transaction.atomic(), connection.cursor() as in_snapshot:
        in_snapshot.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        in_snapshot.execute("SELECT pg_export_snapshot()")
        (snapshot,) = in_snapshot.fetchone()
        tables = sorted(connection.introspection.table_names(in_snapshot))
        _a_site_or_refuse(tables)
        inventory = _inventory(in_snapshot, tables, quote)
        command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
        command += [f"--snapshot={snapshot}", "-f", str(target)]
        command += [f"--exclude-table-data={quote(t)}" for t in LEFT_OUT]
        _run(command, "pg_dump")
    inventory["tables"].update({t: 0 for t in LEFT_OUT if t in inventory["tables"]})
    # The archive's table of contents must read back.
    _run([_pg_tool("pg_restore"), "--list", str(target)], "pg_restore --list")
    return inventory


def _clear_partials(parent: Path) -> None:
    """Folders of backups that were killed halfway (a day old: none is still being written)."""
    day_ago = timezone.now().timestamp() - 86400
    for stale in parent.glob(".*.partial-*"):
        with contextlib.suppress(OSError):
            if stale.is_dir() and stale.stat().st_mtime < day_ago:
                shutil.rmtree(stale)


def backup(folder: Path, progress: Callable[[str], None] = lambda _text: None) -> Summary:
    """Write a whole backup into `folder`, which must not exist yet or be empty."""
    vendor = _vendor()
    folder = folder.resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(
            _("%(folder)s already holds something: give a new folder for each backup.")
            % {"folder": folder}
        )
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _clear_partials(parent)
        partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=parent))
    except OSError as exc:
        raise BackupError(
            _("Cannot write in %(folder)s: %(why)s") % {"folder": parent, "why": exc.strerror}
        ) from exc
    try:
        progress(_("Copying the database …"))
        dump = partial / DUMPS[vendor]
        inventory = _copy_database(vendor, dump)
        if inventory["unreadable"]:
            raise BackupError(_unreadable_message(inventory["unreadable"], inventory["readable"]))
        progress(_("Copying the stored files …"))
        files: dict[str, str] = {}
        size = dump.stat().st_size
        for name in stored_files():
            target = partial / FILES / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with default_storage.open(name, "rb") as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except FileNotFoundError:
                # Swept since it was listed: a file no row named (rows name files that stay).
                target.unlink(missing_ok=True)
                continue
            files[name] = _sha256(target)
            size += target.stat().st_size
        manifest = {
            "format": FORMAT,
            "made_at": timezone.now().isoformat(),
            "database": {"engine": vendor, "file": dump.name, "sha256": _sha256(dump)},
            "migrations": inventory["migrations"],
            "tables": inventory["tables"],
            "left_out": list(LEFT_OUT),
            "files": files,
            "keys": {**crypto.key_fingerprints(), "needed": inventory["keys_needed"]},
            "unreadable_values": 0,  # a backup is written only when every value reads
            # Named by records but already gone from storage: no restore brings them back.
            "missing_files": sorted(inventory["named_files"] - set(files)),
        }
        (partial / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        if folder.exists():
            folder.rmdir()
        partial.rename(folder)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(
            _("Cannot write the backup: %(why)s") % {"why": exc.strerror or exc}
        ) from exc
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    counts = inventory["tables"]
    missing = tuple(manifest["missing_files"])
    return Summary(folder, len(counts), sum(counts.values()), len(files), size, missing)


def _unreadable_message(unreadable: Counter[str], readable: int) -> str:
    """Why no backup was written: none of the values read (the command was not given the
    site's key), or some did not (a key dropped too early after a rotation, or damage)."""
    count = sum(unreadable.values())
    if not readable:
        return ngettext(
            "The encryption key this command was given (FIELD_ENCRYPTION_KEY) cannot read "
            "%(count)s stored value: a backup made so could not be restored, so none was "
            "written. Run the backup with the site's own settings (the same environment file "
            "as the site).",
            "The encryption key this command was given (FIELD_ENCRYPTION_KEY) cannot read "
            "%(count)s stored values: a backup made so could not be restored, so none was "
            "written. Run the backup with the site's own settings (the same environment file "
            "as the site).",
            count,
        ) % {"count": count}
    return ngettext(
        "%(count)s stored value (in %(column)s) cannot be read with any key in "
        "FIELD_ENCRYPTION_KEY, though the others can: a key dropped too early after a "
        "rotation (put it back after the new one and run rotate_field_keys), or a damaged "
        "value. No backup was written.",
        "%(count)s stored values (e.g. in %(column)s) cannot be read with any key in "
        "FIELD_ENCRYPTION_KEY, though the others can: a key dropped too early after a "
        "rotation (put it back after the new one and run rotate_field_keys), or damaged "
        "values. No backup was written.",
        count,
    ) % {"count": count, "column": unreadable.most_common(1)[0][0]}


def missing_message(missing: Sequence[str]) -> str:
    """What to say of files that records name but the backup could not find in storage."""
    return ngettext(
        "%(count)s file that a record names was not in storage when the backup was made "
        "(%(name)s): no restore of this backup brings it back. Look for it in older backups.",
        "%(count)s files that records name were not in storage when the backup was made "
        "(e.g. %(name)s): no restore of this backup brings them back. Look for them in older "
        "backups.",
        len(missing),
    ) % {"count": len(missing), "name": missing[0]}


# --- Restore ------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(
            _("%(folder)s is not a backup: it has no manifest.json.") % {"folder": folder}
        ) from exc
    except (OSError, ValueError) as exc:
        raise BackupError(
            _("The manifest of %(folder)s cannot be read: %(why)s") % {"folder": folder, "why": exc}
        ) from exc
    if not isinstance(manifest, dict):
        raise BackupError(
            _("The manifest of %(folder)s cannot be read: %(why)s")
            % {"folder": folder, "why": _("something is missing from it")}
        )
    if manifest.get("format") != FORMAT:
        raise BackupError(_("This backup was written in a format this version does not read."))
    return manifest


def _safe_name(name: Any) -> bool:
    """A stored file's name as the storage makes them: relative, no way out of its folder."""
    if not isinstance(name, str) or not name or "\x00" in name or "\\" in name:
        return False
    return not set(name.split("/")) & {"", ".", ".."}


def check(folder: Path) -> dict[str, Any]:
    """Everything a restore needs, verified before anything is replaced."""
    manifest = read_manifest(folder)
    try:
        database, files, keys = manifest["database"], manifest["files"], manifest["keys"]
        engine, dump, needed = database["engine"], database["file"], keys["needed"]
        known = set(manifest["migrations"])
        shapes = [
            (database, dict, str),
            (files, dict, str),
            (keys, dict, None),
            (manifest["tables"], dict, int),
            (needed, list, str),
            (manifest["migrations"], list, str),
            (manifest.get("missing_files", []), list, str),
            ([manifest["made_at"]], list, str),
        ]
        for value, kind, item in shapes:
            if not isinstance(value, kind):
                raise TypeError(kind)
            items = list(value.items()) if isinstance(value, dict) else [("", v) for v in value]
            if item is not None and not all(
                isinstance(k, str) and type(v) is item for k, v in items
            ):
                raise TypeError(item)
    except (KeyError, TypeError, AttributeError) as exc:
        raise BackupError(
            _("The manifest of %(folder)s cannot be read: %(why)s")
            % {"folder": folder, "why": _("something is missing from it")}
        ) from exc
    if manifest.get("unreadable_values", 0) != 0:
        # Not written by `backup`, which writes none unless every value reads.
        raise BackupError(_("This backup holds values its keys could not read when it was made."))
    vendor = _vendor()
    if engine != vendor or dump != DUMPS[vendor]:
        raise BackupError(
            _("This backup is of a %(theirs)s database; this site runs on %(ours)s.")
            % {"theirs": engine, "ours": vendor}
        )
    bad = sorted(str(name) for name in files if not _safe_name(name))
    if bad:
        raise BackupError(
            _("The backup names a file outside its folder: %(name)s. Nothing was changed.")
            % {"name": bad[0]}
        )
    ours = crypto.key_fingerprints()
    # Every key the backup's values were encrypted with must be among this site's keys.
    if not set(needed) <= set(ours["encryption"]):
        raise BackupError(
            _(
                "The encryption key (FIELD_ENCRYPTION_KEY) is not the one this backup was made "
                "with: its personal data (names, phone numbers, ID numbers) could not be read. "
                "Nothing was changed. Set the key the site had when the backup was made, and "
                "run the restore again."
            )
        )
    if keys.get("hash") != ours["hash"]:
        raise BackupError(
            _(
                "The lookup key (FIELD_HASH_KEY) is not the one this backup was made with: "
                "searches by ID number would find nothing. Nothing was changed. Set the key "
                "the site had when the backup was made, and run the restore again."
            )
        )
    newer = known - {f"{app}.{name}" for app, name in _known_migrations()}
    if newer:
        raise BackupError(
            _(
                "This backup was made by a newer version of the platform (%(migration)s). "
                "Install that version first."
            )
            % {"migration": sorted(newer)[0]}
        )
    expected = [(dump, database.get("sha256"))]
    expected += [(f"{FILES}/{name}", digest) for name, digest in files.items()]
    damaged = [
        name
        for name, digest in expected
        if not (folder / name).is_file() or _sha256(folder / name) != digest
    ]
    if damaged:
        raise BackupError(
            ngettext(
                "The backup is incomplete or damaged: %(count)s file is missing or changed, "
                "%(name)s. Nothing was changed.",
                "The backup is incomplete or damaged: %(count)s files are missing or changed, "
                "e.g. %(name)s. Nothing was changed.",
                len(damaged),
            )
            % {"count": len(damaged), "name": damaged[0]}
        )
    if vendor == "postgresql":
        # This host's pg_restore must read the copy (an older one refuses a newer archive).
        listed = subprocess.run(  # noqa: S603
            [_pg_tool("pg_restore"), "--list", str(folder / dump)], capture_output=True
        )
        if listed.returncode:
            raise BackupError(
                _(
                    "This host's pg_restore cannot read the backup's database copy (%(why)s). "
                    "Nothing was changed. Install the PostgreSQL client the backup was made "
                    "with, or a newer one."
                )
                % {"why": listed.stderr.decode(errors="replace").strip()[-500:]}
            )
    return manifest


def _known_migrations() -> Iterator[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    yield from MigrationLoader(None, ignore_no_migrations=True).disk_migrations


def _replace_database(vendor: str, dump: Path) -> None:
    connections.close_all()
    if vendor == "sqlite":
        source = sqlite3.connect(dump)
        live = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
        try:
            source.backup(live)
        finally:
            live.close()
            source.close()
        return
    # pg_restore writes the archive as SQL, streamed into psql inside one transaction that
    # first drops the old tables; COMMIT is sent only once pg_restore has finished well.
    # Otherwise psql is stopped before it (pg_restore failing halfway), or stops itself at an
    # error, or this process is killed: the session ends without it, and the server rolls
    # everything back.
    psql = [_pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"]
    with tempfile.TemporaryFile() as psql_errors, tempfile.TemporaryFile() as restore_errors:
        sink = subprocess.Popen(  # noqa: S603
            psql,
            env=_pg_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
        )
        archive = subprocess.Popen(  # noqa: S603
            [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "-f", "-", str(dump)],
            env=_pg_env(),
            stdout=subprocess.PIPE,
            stderr=restore_errors,
        )
        assert sink.stdin is not None and archive.stdout is not None
        restored = psql_stopped = False
        try:
            sink.stdin.write(
                b"SET client_min_messages = warning;\nBEGIN;\n"
                b"DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"
            )
            shutil.copyfileobj(archive.stdout, sink.stdin, 1 << 16)
            restored = archive.wait() == 0
            if restored:
                sink.stdin.write(b"\nCOMMIT;\n")
                sink.stdin.close()
        except BrokenPipeError:
            psql_stopped = True  # at an error: its transaction is gone
        finally:
            archive.stdout.close()
            if archive.poll() is None:
                archive.kill()
            archive.wait()
            if not restored:
                sink.kill()  # the connection drops, and the transaction with it
            with contextlib.suppress(BrokenPipeError):
                sink.stdin.close()
            sink.wait()
        # Whichever stopped first says why (the other was stopped because of it).
        if psql_stopped or (sink.returncode and not archive.returncode):
            psql_errors.seek(0)
            _failed("psql", psql_errors.read().decode(errors="replace"))
        if archive.returncode:
            restore_errors.seek(0)
            _failed("pg_restore", restore_errors.read().decode(errors="replace"))


def _replace_files(folder: Path, manifest: dict[str, Any]) -> None:
    wanted = manifest["files"]
    for name in list(stored_files()):
        if name not in wanted or _stored_sha256(name) != wanted[name]:
            default_storage.delete(name)
    for name in wanted:
        if default_storage.exists(name):
            continue
        with open(folder / FILES / name, "rb") as fh:
            saved = default_storage.save(name, File(fh))
        if saved != name:
            raise BackupError(
                _("The storage renamed %(name)s to %(saved)s.") % {"name": name, "saved": saved}
            )


def unreadable_values() -> list[str]:
    """Encrypted columns holding a value the configured keys cannot decrypt."""
    bad: list[str] = []
    with connection.cursor() as cursor:
        for where, token in _encrypted_values(cursor, connection.ops.quote_name):
            if where not in bad and crypto.key_of(token) is None:
                bad.append(where)
    return bad


def restore(
    folder: Path, progress: Callable[[str], None] = lambda _text: None
) -> tuple[Summary, dict[str, Any]]:
    """Replace the database and the stored files with the backup in `folder`."""
    manifest = check(folder)
    vendor = manifest["database"]["engine"]
    progress(_("Replacing the database …"))
    _replace_database(vendor, folder / manifest["database"]["file"])
    progress(_("Replacing the stored files …"))
    try:
        _replace_files(folder, manifest)
    except OSError as exc:
        raise BackupError(
            _("The stored files could not all be put back (%(why)s): run the restore again.")
            % {"why": exc.strerror or exc}
        ) from exc
    counts = table_counts()
    if counts != manifest["tables"]:
        different = sorted(
            t
            for t in set(counts) | set(manifest["tables"])
            if counts.get(t) != manifest["tables"].get(t)
        )
        raise BackupError(
            _("After the restore, table %(table)s does not hold what the backup counted.")
            % {"table": different[0]}
        )
    unreadable = unreadable_values()
    if unreadable:
        raise BackupError(
            _(
                "The database was restored, but %(column)s holds values the configured keys "
                "cannot decrypt: set FIELD_ENCRYPTION_KEY to the keys the site had when the "
                "backup was made (the old ones after the new one, separated by commas)."
            )
            % {"column": unreadable[0]}
        )
    summary = Summary(
        folder,
        len(counts),
        sum(counts.values()),
        len(manifest["files"]),
        sum((folder / FILES / n).stat().st_size for n in manifest["files"]),
    )
    return summary, manifest


def pending_migrations(manifest: dict[str, Any]) -> int:
    """Migrations of this version that the restored database has not had yet."""
    return len({f"{app}.{name}" for app, name in _known_migrations()} - set(manifest["migrations"]))
