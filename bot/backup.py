"""Backup and restore: the database and the data folder together, taken while the coach runs.

The two belong together: the Matrix adapter keeps its login, its crypto
store (the device's keys and the room keys learners shared) and its sync
position in the data folder, and the database knows which Matrix events were
handled. Restored apart, the bot would be a new device that cannot read what
learners send, or would skip or repeat their messages.

A backup is taken in this order, so that a copy made while the coach runs is
one the coach can start from:

1. the data folder: its small files (sync position, choices shown), then the
   crypto store. The sync position is thus never newer than the database
   copied after it: the restored coach syncs again from there and drops the
   events the database says it handled, so nothing is lost or answered twice;
   and the crypto store holds every key that position needs.
2. the database: SQLite through its online backup API (a consistent copy while
   others write), PostgreSQL with ``pg_dump`` in its custom format.
3. ``backup.json``, last: a folder without it is an unfinished backup.

SQLite files in the data folder (nio's crypto store) are copied with the
same online backup API, since the coach may write them meanwhile. Cards read
aloud (``speech/``) are left out: the coach makes them again when asked.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.lesson_reload import PID_FILE, running_coach
from bot.speech import CACHE_FOLDER

MANIFEST = "backup.json"
SQLITE_COPY = "digicoach.sqlite3"
POSTGRESQL_DUMP = "digicoach.pgdump"
DATA = "data"
FORMAT = 1
# The state that only makes sense for the process that wrote it.
NOT_COPIED = {PID_FILE}
SQLITE_HEADER = b"SQLite format 3\x00"
CRYPTO_STORE = Path("matrix") / "crypto-store"


class BackupError(Exception):
    """What keeps a backup or restore from being made, in words an operator can act on."""


@dataclass(frozen=True)
class Manifest:
    format: int
    made_at: str
    digicoach: str
    database: str  # "sqlite" or "postgresql"
    migration: str | None
    data_files: int


def _empty(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database that others may be writing (the online backup API)."""
    reading = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        writing = sqlite3.connect(target)
        try:
            reading.backup(writing)
        finally:
            writing.close()
    finally:
        reading.close()
    os.chmod(target, source.stat().st_mode & 0o777)


def _files(folder: Path) -> Iterator[Path]:
    """The data folder's files, the crypto store last (see the module docstring)."""
    sounds = folder / CACHE_FOLDER
    everything = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.name not in NOT_COPIED and sounds not in p.parents
    )
    store = folder / CRYPTO_STORE
    yield from (p for p in everything if store not in p.parents)
    yield from (p for p in everything if store in p.parents)


def _copy_folder(source: Path, target: Path) -> int:
    """Copy ``source`` into the new folder ``target`` with its modes; SQLite files consistently."""
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(target, source.stat().st_mode & 0o777)
    copied = 0
    for path in _files(source):
        relative = path.relative_to(source)
        into = target / relative
        for folder in reversed(relative.parents[:-1]):
            (target / folder).mkdir(exist_ok=True)
            os.chmod(target / folder, (source / folder).stat().st_mode & 0o777)
        if path.name.endswith(("-wal", "-shm", "-journal")):
            continue  # part of the SQLite database beside it, which the backup API copies whole
        if _is_sqlite(path):
            copy_sqlite(path, into)
        else:
            shutil.copy2(path, into)
        copied += 1
    return copied


def _postgresql_environment(url: URL) -> dict[str, str]:
    """libpq's variables for ``url``: the password never on a command line."""
    variables = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    return {**os.environ, **{name: value for name, value in variables.items() if value}}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install Debian's 'postgresql-client' (the server's major version), "
            f"or copy the database with your own tools first and then the data folder (README, 'Backup')"
        )
    return found


def _migration(url: str) -> str | None:
    from storage.migrate import revisions
    from storage.unit_of_work import make_engine

    engine = make_engine(url)
    try:
        return revisions(engine)[0]
    finally:
        engine.dispose()


def backup(database_url: str, data_dir: Path, target: Path) -> Manifest:
    """Copy the database and the data folder into the new or empty folder ``target``."""
    if not _empty(target):
        raise BackupError(f"{target} is not empty: give a new folder for each backup")
    url = make_url(database_url)
    kind = url.get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {kind} database")
    if kind == "sqlite" and not Path(url.database or "").is_file():
        raise BackupError(f"{database_url} does not exist: nothing to back up")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    copied = _copy_folder(data_dir, target / DATA) if data_dir.is_dir() else 0
    if kind == "sqlite":
        copy_sqlite(Path(url.database or ""), target / SQLITE_COPY)
        migration = _migration(f"sqlite:///{target / SQLITE_COPY}")
    else:
        migration = _migration(database_url)
        done = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target / POSTGRESQL_DUMP}"],
            env=_postgresql_environment(url),
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        os.chmod(target / POSTGRESQL_DUMP, 0o600)
    manifest = Manifest(FORMAT, datetime.now(UTC).isoformat(timespec="seconds"), version("digicoach"),
                        kind, migration, copied)  # fmt: skip
    (target / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(source: Path) -> Manifest:
    try:
        data = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(**data)
    except FileNotFoundError:
        raise BackupError(f"{source} is not a finished digicoach backup: it has no {MANIFEST}") from None
    except (ValueError, TypeError) as error:
        raise BackupError(f"{source / MANIFEST} cannot be read: {error}") from None


def _database_is_empty(database_url: str) -> bool:
    from sqlalchemy import inspect

    from storage.unit_of_work import make_engine

    engine = make_engine(database_url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(source: Path, database_url: str, data_dir: Path) -> Manifest:
    """Put the backup in ``source`` back into an empty database and an empty data folder."""
    manifest = read_manifest(source)
    if manifest.format != FORMAT:
        raise BackupError(f"{source} has backup format {manifest.format}; this version reads {FORMAT}")
    if (pid := running_coach(data_dir)) is not None:
        raise BackupError(f"a coach (process {pid}) serves from {data_dir}: stop it first")
    if not _empty(data_dir):
        raise BackupError(f"{data_dir} is not empty: restore into a new data folder (DIGICOACH_DATA_DIR)")
    url = make_url(database_url)
    kind = url.get_backend_name()
    if kind != manifest.database:
        raise BackupError(f"the backup holds a {manifest.database} database; {database_url} is {kind}")
    if kind == "sqlite":
        path = Path(url.database or "")
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(f"{database_url} exists: restore into a new database file")
        path.parent.mkdir(parents=True, exist_ok=True)
        copy_sqlite(source / SQLITE_COPY, path)
    else:
        if not _database_is_empty(database_url):
            raise BackupError(f"{database_url} has tables: restore into a new, empty database")
        done = subprocess.run(
            [_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={url.database}",
             str(source / POSTGRESQL_DUMP)],
            env=_postgresql_environment(url),
            capture_output=True,
            text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    if (source / DATA).is_dir():
        _copy_folder(source / DATA, data_dir)
    return manifest
