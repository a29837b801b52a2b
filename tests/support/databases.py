"""New databases for tests, on SQLite or PostgreSQL: empty, or at the newest migration.

Running the Alembic chain takes most of a second, too long to repeat for every
test of two suites on two databases. So each kind of database runs it once,
into a template, and every test gets a copy of that: SQLite a copy of the file
(through SQLite's backup API), PostgreSQL ``CREATE DATABASE ... TEMPLATE``,
which copies the template's files on the server.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url

from storage.unit_of_work import Store
from tests.support.postgresql import PostgreSQL

DATABASES = ("sqlite", "postgresql")


class Databases(Protocol):
    def empty(self) -> str:
        """The URL of a new database without tables."""
        ...

    def migrated(self) -> str:
        """The URL of a new database at the newest migration."""
        ...

    def drop(self, url: str) -> None:
        """Remove a database that ``empty`` or ``migrated`` made."""
        ...


def _migrate(url: str) -> None:
    store = Store(url)
    try:
        store.upgrade()
    finally:
        store.close()


class SQLiteDatabases:
    """Database files in one folder."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._made = 0
        self._template: Path | None = None

    def _new_file(self) -> Path:
        self._made += 1
        return self._folder / f"coach-{self._made}.sqlite3"

    def empty(self) -> str:
        return f"sqlite:///{self._new_file()}"

    def migrated(self) -> str:
        if self._template is None:
            template = self._new_file()
            _migrate(f"sqlite:///{template}")
            self._template = template
        copy = self._new_file()
        with closing(sqlite3.connect(self._template)) as source, closing(sqlite3.connect(copy)) as target:
            source.backup(target)
        return f"sqlite:///{copy}"

    def drop(self, url: str) -> None:
        path = make_url(url).database
        assert path, url
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)


class PostgreSQLDatabases:
    """Databases on one PostgreSQL server."""

    def __init__(self, server: PostgreSQL) -> None:
        self._server = server
        self._template: str | None = None

    def empty(self) -> str:
        return self._server.new_database()

    def migrated(self) -> str:
        if self._template is None:
            template = self._server.new_database()
            _migrate(template)
            self._server.make_template(template)
            self._template = template
        return self._server.new_database(template=self._template)

    def drop(self, url: str) -> None:
        self._server.drop_database(url)
