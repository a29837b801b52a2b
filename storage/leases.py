"""Jobs that one coach process at a time may do, held as PostgreSQL advisory locks.

Each lease has a connection of its own, because PostgreSQL frees an advisory
lock when the session holding it ends: a process that dies gives its jobs up
without anyone's help. The server also ends a lease's session that stays
silent for ``silent_seconds`` (``idle_session_timeout``), so a holder cut off
from the database loses the lock even when no packet says so; a holder asks
``still_held`` far more often than that.
"""

from __future__ import annotations

import contextlib
import logging
import zlib

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# The first of the two keys of every digicoach advisory lock ("dc"); the second names the job.
NAMESPACE = 0x6463
# Seconds to wait for the database to accept a connection, and for the network to carry an answer.
CONNECT_SECONDS = 5


def shared(url: str) -> bool:
    """Whether several coach processes can share this database (SQLite has one writer: no)."""
    return make_url(url).get_backend_name() == "postgresql"


def lock_key(job: str) -> int:
    """The job's second key: a stable 32-bit signed number from its name."""
    return zlib.crc32(job.encode()) - (1 << 31)


class Lease:
    """One job's advisory lock, on a connection of its own."""

    def __init__(self, url: str, job: str, silent_seconds: float) -> None:
        self.job = job
        self._key = lock_key(job)
        self._silent_ms = int(silent_seconds * 1000)
        self._engine: Engine = create_engine(
            url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            # A dead network fails a ping within seconds, not after the kernel's two hours.
            connect_args={"connect_timeout": CONNECT_SECONDS, "tcp_user_timeout": CONNECT_SECONDS * 1000},
        )
        self._connection: Connection | None = None

    def take(self) -> bool:
        """Try once to take the job; True when this process holds it now."""
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
                self._end_when_silent(self._connection)
            taken = self._connection.execute(
                text("SELECT pg_try_advisory_lock(:namespace, :key)"),
                {"namespace": NAMESPACE, "key": self._key},
            ).scalar_one()
            return bool(taken)
        except DBAPIError as error:
            log.warning("cannot ask the database for the job %s: %s", self.job, error.orig or error)
            self._drop()
            return False

    def _end_when_silent(self, connection: Connection) -> None:
        """Have the server end this session (and free the lock) when the holder falls silent."""
        try:
            connection.execute(text(f"SET idle_session_timeout = {self._silent_ms}"))
        except ProgrammingError:
            # Before PostgreSQL 14: a holder cut off without its connection closing keeps the
            # job until the server's TCP keepalive notices (tcp_keepalives_idle, README).
            log.warning("this PostgreSQL has no idle_session_timeout (version 14 and later have it)")

    def still_held(self) -> bool:
        """Whether the lock's session is still alive (one round trip); False once it is not."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            return True
        except DBAPIError:
            self._drop()
            return False

    def give_up(self) -> None:
        """Let another process take the job now."""
        self._drop()

    def close(self) -> None:
        self._drop()
        self._engine.dispose()

    def _drop(self) -> None:
        # Closing the session frees its locks; nothing else needs undoing.
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.close()
            self._connection = None
