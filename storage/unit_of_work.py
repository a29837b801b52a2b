"""The database connection and one transaction per handled event."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.erasure import scrub, scrub_owed
from storage.organisations import AuditLog, Invites, Organisations, Regions, Roles, Teams
from storage.personal_data import PersonalData
from storage.replies import Replies
from storage.repositories import (
    Answers,
    Deliveries,
    HandledEvents,
    Learners,
    Pauses,
    Placements,
    Pushes,
    ReviewCards,
)
from storage.team_progress import TeamProgress

SQLITE_BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class Transaction:
    """The repositories of one transaction."""

    learners: Learners
    deliveries: Deliveries
    answers: Answers
    events: HandledEvents
    pushes: Pushes
    pauses: Pauses
    reviews: ReviewCards
    placements: Placements
    regions: Regions
    organisations: Organisations
    teams: Teams
    roles: Roles
    invites: Invites
    audit: AuditLog
    progress: TeamProgress
    personal: PersonalData
    replies: Replies


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # A deleted row's bytes are overwritten with zeros, not left in the file (storage.erasure).
        cursor.execute("PRAGMA secure_delete = ON")
        if engine.url.database not in (None, "", ":memory:"):
            # WAL: readers do not block the writer; one process writes at a time.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: a deferred transaction that reads and
        # then writes can fail with "database is locked" under concurrency.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """Owns the engine; hands out one transaction at a time per caller.

    The URL has no default here: which database a deployment uses is a
    setting (``DIGICOACH_DATABASE_URL``), and its default is stated there.
    """

    def __init__(self, url: str, holder: str | None = None) -> None:
        self.url = url
        # The name this process holds the replies it sends by (``storage.replies``); None: no sender.
        self.holder = holder
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Commit when the block ends normally, roll back when it raises.

        A transaction that erased someone is scrubbed after its commit (``storage.erasure``).
        """
        with self._sessions() as session:
            with session.begin():
                yield _repositories(session, self.holder)
            if scrub_owed(session):
                scrub(self.engine)

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        from storage.migrate import upgrade

        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def _repositories(session: Session, holder: str | None = None) -> Transaction:
    return Transaction(
        learners=Learners(session),
        deliveries=Deliveries(session),
        answers=Answers(session),
        events=HandledEvents(session),
        pushes=Pushes(session),
        pauses=Pauses(session),
        reviews=ReviewCards(session),
        placements=Placements(session),
        regions=Regions(session),
        organisations=Organisations(session),
        teams=Teams(session),
        roles=Roles(session),
        invites=Invites(session),
        audit=AuditLog(session),
        progress=TeamProgress(session),
        personal=PersonalData(session),
        replies=Replies(session, holder),
    )
