"""Erased personal data leaves no bytes behind in an SQLite database.

Deleting a row does not remove its bytes: SQLite leaves them in the page
until the space is used again, and in WAL mode the write-ahead log (the
``-wal`` file) holds every page as it was written, the person's rows included,
until a checkpoint copies the pages into the database and the log is written
over. So the coach runs SQLite with ``secure_delete`` (the bytes of a deleted
row, and of a page set free, are overwritten with zeros) and, after a
transaction that erased a person, checkpoints the log and truncates it to
nothing (``wal_checkpoint(TRUNCATE)``): the zeroed pages go into the database
file, and the log's copies of the old ones are gone.

A repository that erases says so with ``owe_scrub``; the unit of work scrubs
after that transaction commits (the engine knows nothing of it).

PostgreSQL has no such setting: a deleted row is invisible to every query at
once, but its bytes stay in the table's pages until VACUUM prunes them and
new rows use the space, and in the write-ahead log until its segment is
recycled (and in any WAL archive or base backup). A checkpoint or VACUUM
changes nothing a disk could not still show, so the coach does nothing
more there; an operator who must rule that out keeps PostgreSQL on an
encrypted volume and WAL archives and backups on a retention schedule.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_OWED = "digicoach.scrub"


def owe_scrub(session: Session) -> None:
    """This transaction erases someone: scrub once it commits."""
    session.info[_OWED] = True


def scrub_owed(session: Session) -> bool:
    """Whether the transaction of ``session`` erased someone; asking settles it."""
    return bool(session.info.pop(_OWED, False))


def scrub(engine: Engine) -> None:
    """Checkpoint SQLite's write-ahead log into the database file and truncate it."""
    if engine.dialect.name != "sqlite":
        return
    connection = engine.raw_connection()
    try:
        # Outside any transaction (the driver's autocommit): a checkpoint cannot run inside one.
        busy, _pages, _done = connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        connection.close()
    if busy:
        log.warning(
            "could not checkpoint the database's write-ahead log (another connection was using it): "
            "erased data stays in the -wal file until the next checkpoint"
        )
