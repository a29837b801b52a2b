"""Fixtures for the Telegram end-to-end tests: one emulator per session, one bot per test."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.telegram.emulator import Coach, Emulator, Learner, running_emulator

_bots = itertools.count(1)
_users = itertools.count(1001)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with running_emulator() as running:
        yield running


@pytest.fixture
def token() -> str:
    # The emulator keeps each bot's state apart by token: one bot per test.
    return f"{next(_bots)}:test-token"


@pytest.fixture
def learner(emulator: Emulator, token: str) -> Callable[..., Learner]:
    def make(**details: str) -> Learner:
        return Learner(emulator, token, next(_users), **details)  # type: ignore[arg-type]

    return make


@pytest.fixture
def coach(emulator: Emulator, token: str, tmp_path: Path) -> Iterator[Callable[..., Coach]]:
    started: list[Coach] = []

    def make(**env: str) -> Coach:
        running = Coach(emulator, token, tmp_path / "coach.sqlite3", **env)
        running.start()
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()
