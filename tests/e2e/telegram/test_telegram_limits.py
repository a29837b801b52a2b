"""Telegram's flood limits, injected by the emulator: everything still arrives."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.telegram.emulator import wait_until

pytestmark = pytest.mark.e2e

LEARNERS = 30


def test_a_burst_over_the_overall_limit_is_delivered_by_honouring_retry_after(
    coach, learner, emulator, token
):
    # The emulator refuses more than 5 messages a second with a 429 and retry_after
    # (below Telegram's 30 so that even a slow test machine goes over it); the
    # coach is let to send faster than that, so it meets those refusals.
    emulator.control("limits", token, per_second=5, retry_after=1)
    running = coach(TELEGRAM_MAX_PER_SECOND="500")
    everyone = [learner() for _ in range(LEARNERS)]
    everyone[0].command("/help")
    everyone[0].wait_for("/progress")  # the coach is up
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda person: person.command("/help"), everyone))
    for person in everyone:
        person.wait_for("/mydata")
    stats = everyone[0].stats()
    assert stats["refused_429"] > 0  # the limit was really hit
    assert stats["sent"] == LEARNERS + 1
    assert "ERROR" not in running.output()


def test_a_chat_over_its_own_limit_still_gets_everything(coach, learner, emulator, token):
    emulator.control("limits", token, per_chat_per_second=1, retry_after=1)
    running = coach()
    busy, calm = learner(), learner()
    for _ in range(3):
        busy.command("/help")
    calm.command("/progress")
    calm.wait_for("No lessons done yet")
    for _ in range(3):
        busy.wait_for("/mydata")
    assert busy.stats()["refused_429"] > 0
    assert "ERROR" not in running.output()


def test_a_learner_who_blocked_the_bot_is_not_retried_forever(coach, learner, emulator, token, tmp_path):
    running = coach()
    gone, staying = learner(), learner()
    emulator.control("block", token, chat_id=gone.user_id)
    gone.command("/help")
    staying.command("/help")
    staying.wait_for("/mydata")
    wait_until(lambda: f"chat {gone.user_id} blocked the bot" in running.output(), "the 403 to be logged")
    assert gone.stats()["refused_403"] == 1  # once: not retried
    # ... and the coach marks them inactive, so the schedule stops writing to them.
    database = sqlite3.connect(tmp_path / "coach.sqlite3")
    wait_until(
        lambda: (
            database.execute(
                "SELECT active FROM learners WHERE platform_user_id = ?", (str(gone.user_id),)
            ).fetchone()
            == (0,)
        ),
        "the learner to be marked inactive",
    )
