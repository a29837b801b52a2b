"""Three coach processes on one PostgreSQL: the poller killed again and again, nothing lost or sent twice."""

from __future__ import annotations

import os

import pytest

from bot import sharing
from tests.e2e.telegram.several import run_fleet

pytestmark = pytest.mark.e2e

KILLS = int(os.environ.get("DIGICOACH_TEST_POLLER_KILLS", "10"))
LEARNERS = int(os.environ.get("DIGICOACH_TEST_FLEET", "2000"))
LIMIT = 50.0


def test_three_processes_share_one_poller_one_send_budget_and_lose_nothing_when_it_is_killed(
    emulator, token, tmp_path, postgresql_databases
):
    url = postgresql_databases.migrated()
    try:
        figures = run_fleet(emulator, token, url, tmp_path, kills=KILLS, learners=LEARNERS, limit=LIMIT)
    finally:
        postgresql_databases.drop(url)
    print(figures)
    assert figures.kills >= KILLS
    assert figures.invitations_lost == 0, figures
    # Telegram takes no idempotency key: a process killed between Telegram's answer and its record
    # of it sends that one message again at its restart. A reply two processes both sent would
    # show up by the hundred.
    assert figures.invitations_twice <= figures.kills, figures
    assert figures.answers_given >= KILLS
    assert (figures.answers_lost, figures.answers_twice, figures.replies_lost) == (0, 0, 0), figures
    assert figures.most_polling_at_once == 1, figures
    # A standby takes over after TRY_EVERY + STOP_AFTER seconds, plus the time its log line takes.
    assert max(figures.takeovers) <= 15, figures
    assert figures.peak_sends_per_second <= LIMIT, figures
    assert min(figures.takeovers) >= sharing.STOP_AFTER
