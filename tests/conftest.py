"""Fixtures shared by every test: a store on a temporary SQLite file, a clock, a coach."""

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

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'coach.sqlite3'}")
    store.upgrade()
    yield store
    store.close()


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
