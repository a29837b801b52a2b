"""The same storage, engine and digest tests, run against a real PostgreSQL server.

This module's ``store`` fixture replaces the SQLite one for every test in it,
and the tests below are imported from their own modules unchanged, so what is
checked on SQLite is checked here on PostgreSQL: migrations, the outbox's
ON CONFLICT, two overlapping ticks, the loose index scan over time zones, a
whole lesson, digests with their privacy rules, and /forget.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from lessons.chat import Reply
from storage.unit_of_work import Store
from tests.engine.test_daily_rhythm import (  # noqa: F401 - collected here, run on PostgreSQL
    test_daylight_saving_keeps_the_local_time_and_skips_or_doubles_nothing,
    test_one_invitation_per_working_day_in_the_spread_window_none_at_the_weekend,
    test_two_overlapping_ticks_send_once,
)
from tests.engine.test_digest import (  # noqa: F401
    region,
    test_a_managers_digest_is_pinned_for_the_fixture_team,
    test_forget_keeps_the_team_figures_but_no_row_names_the_learner,
    test_the_weekly_digest_arrives_on_monday_at_eight_in_the_managers_time_zone,
)
from tests.engine.test_lesson import *  # noqa: F403
from tests.engine.test_privacy import *  # noqa: F403
from tests.storage.test_migrations import test_the_migrations_match_the_models  # noqa: F401
from tests.storage.test_repositories import *  # noqa: F403
from tests.support.flows import onboard
from tests.support.postgresql import PostgreSQL, PostgreSQLUnavailableError
from tests.support.servers import cannot_start
from tests.support.ticks import local


@pytest.fixture(scope="module")
def postgresql() -> Iterator[PostgreSQL]:
    server = PostgreSQL()
    try:
        server.start()
    except PostgreSQLUnavailableError as error:
        cannot_start("PostgreSQL", error)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def store(postgresql: PostgreSQL) -> Iterator[Store]:
    store = Store(postgresql.new_database())
    store.upgrade()
    assert store.engine.dialect.name == "postgresql"
    yield store
    store.close()


def test_ticks_that_overlap_on_planned_messages_send_each_once(chat, coach, clock):
    """Two ticks that both find the same invitations already planned (two processes, say)."""
    for name in ("alice", "bob", "carla"):
        onboard(chat(name))
    clock.now = local(2026, 3, 2, 9, 45)
    coach.plan_due(clock.now)  # committed, pending: both ticks below see the same rows
    start = threading.Barrier(2)
    sent: list[list[Reply]] = []

    def tick() -> None:
        start.wait()
        sent.append(coach.deliver_due(clock.now))

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.to.chat_id for batch in sent for r in batch) == ["chat-alice", "chat-bob", "chat-carla"]
