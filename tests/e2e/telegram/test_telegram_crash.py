"""Kill the bot at a bad moment: no answer is lost, none counts twice."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.telegram.emulator import wait_until
from tests.e2e.telegram.test_telegram_chat import onboard

pytestmark = pytest.mark.e2e


def answers(database) -> list[tuple[str, int]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT question_id, correct FROM answers ORDER BY id").fetchall()


def test_an_answer_sent_while_the_bot_is_down_counts_exactly_once(coach, learner, tmp_path):
    database = tmp_path / "coach.sqlite3"
    running = coach()
    georgette = learner()
    onboard(georgette)
    georgette.press("Start today's lesson")
    georgette.wait_for("(1/2)")
    georgette.press("Next")
    georgette.wait_for("(2/2)")
    georgette.press("Start the quiz")
    georgette.wait_for("Which is strongest?")
    georgette.wait_until_confirmed()

    running.kill()
    georgette.press("coffee-bike-rain-lamp")  # the bot is down: Telegram keeps the update
    assert georgette.stats()["pending_updates"] == 1

    restarted = coach()
    georgette.wait_for("The same password everywhere is safe.")
    # The feedback is in the edited question, once.
    texts = [m.get("text") or "" for m in georgette.messages()]
    assert sum(t.count("✅ Right!\nLength makes a password strong.") for t in texts) == 1
    confirmed = georgette.wait_until_confirmed()
    assert answers(database) == [("length", 1)]

    # Telegram sends the answer again (a crash after handling, before the confirmation):
    # the engine knows its update id and drops it.
    georgette.emulator.control("redeliver", georgette.token, update_id=confirmed[-1])
    wait_until(lambda: len(georgette.stats()["confirmed_updates"]) == len(confirmed) + 1, "the redelivery")
    georgette.command("/progress")
    after = georgette.wait_for("Your progress")
    assert after[-1]["text"].startswith("Your progress")
    assert len(after) == 1, [m["text"] for m in after]  # nothing came of the repeated answer
    assert answers(database) == [("length", 1)]
    assert "dropping duplicate event telegram/tg:" in restarted.output()
