"""Fixtures shared by every test: a store on a new database, a clock, a coach.

The store is on SQLite unless a folder's conftest.py says otherwise: the
engine and storage tests run on each of ``DATABASES`` (their ids say which,
``[sqlite]`` or ``[postgresql]``). The PostgreSQL server starts when the first
test that needs it runs, and stops when the session ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.adapters.memory import MemoryChat
from lessons.engine import Coach
from lessons.lesson_library import Library
from lessons.loader import load_library
from storage.unit_of_work import Store
from tests.support.clock import FakeClock
from tests.support.databases import Databases, PostgreSQLDatabases, SQLiteDatabases
from tests.support.postgresql import PostgreSQL, PostgreSQLUnavailableError
from tests.support.servers import cannot_start

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database() -> str:
    """The database a test's store is on: SQLite, the coach's default."""
    return "sqlite"


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SQLiteDatabases:
    return SQLiteDatabases(tmp_path_factory.mktemp("databases"))


@pytest.fixture(scope="session")
def postgresql_databases() -> Iterator[PostgreSQLDatabases]:
    server = PostgreSQL()
    try:
        server.start()
    except PostgreSQLUnavailableError as error:
        server.stop()
        cannot_start("PostgreSQL", error)
    try:
        yield PostgreSQLDatabases(server)
    finally:
        server.stop()


@pytest.fixture
def databases(database: str, request: pytest.FixtureRequest) -> Databases:
    found: Databases = request.getfixturevalue(f"{database}_databases")
    return found


@pytest.fixture
def empty_database(databases: Databases) -> Iterator[str]:
    """The URL of a new database without tables, for tests of what creates them."""
    url = databases.empty()
    yield url
    databases.drop(url)


@pytest.fixture
def store(database: str, databases: Databases) -> Iterator[Store]:
    """A new database at the newest migration, a copy of one migrated once per session."""
    url = databases.migrated()
    store = Store(url)
    assert store.engine.dialect.name == database
    yield store
    store.close()
    databases.drop(url)


@pytest.fixture(scope="session")
def fixture_library() -> Library:
    loaded = load_library([FIXTURES / "library"], ("nl", "en"))
    assert loaded.library is not None, [str(p) for p in loaded.problems]
    return loaded.library


@pytest.fixture
def coach(store: Store, fixture_library: Library, clock: FakeClock, tmp_path: Path) -> Coach:
    return Coach(store, fixture_library, clock, charts=tmp_path / "charts")


@pytest.fixture
def chat(coach: Coach) -> Callable[..., MemoryChat]:
    def make(user: str = "alice", language: str | None = "en") -> MemoryChat:
        return MemoryChat(coach, user, language)

    return make
