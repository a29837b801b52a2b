"""Every reply reaches the learner once: a graceful stop, one coach per folder, outages and stalls."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import suppress

import httpx
import pytest

from tests.e2e.telegram.emulator import FIXTURE_LIBRARY, Learner, running_emulator, wait_until
from tests.e2e.telegram.test_telegram_chat import onboard

pytestmark = pytest.mark.e2e

BREAKS = range(1, 9)


def ask_for_breaks(georgette: Learner) -> None:
    """Eight messages whose answers all differ: "/pause 1" ... "/pause 8" (each names its own date)."""
    for days in BREAKS:
        georgette.command(f"/pause {days}")


def break_answers(georgette: Learner) -> list[str]:
    return [m["text"] for m in georgette.messages() if "break" in (m.get("text") or "").lower()]


def wait_for_break_answers(georgette: Learner, deadline: float = 60) -> Counter[str]:
    """Wait until each "/pause N" has its answer; how many copies of each arrived."""

    def answered() -> Counter[str] | None:
        try:
            seen = Counter(break_answers(georgette))
        except httpx.HTTPError:  # the emulator is away (an outage under test)
            return None
        return seen if len(seen) == len(BREAKS) else None

    wait_until(answered, "an answer to every /pause", deadline)
    time.sleep(1)  # anything sent twice would have come by now
    return Counter(break_answers(georgette))


def test_sigterm_takes_no_more_messages_sends_what_waits_and_exits_0(coach, learner, tmp_path):
    running = coach(TELEGRAM_MAX_PER_CHAT_PER_SECOND="1")  # the answers queue up: one a second
    georgette = learner()
    onboard(georgette)
    ask_for_breaks(georgette)
    georgette.wait_until_confirmed()  # handled and stored; most answers still wait their turn
    assert len(break_answers(georgette)) < len(BREAKS)
    assert running.terminate() == 0
    # Everything decided went out before the coach stopped, once, and it cleaned up after itself.
    assert set(wait_for_break_answers(georgette, deadline=5).values()) == {1}
    assert not (tmp_path / "data" / "coach.pid").exists()
    assert "SIGTERM: stopping" in running.output()
    assert "Traceback" not in running.output()


def test_a_second_coach_on_the_same_data_folder_exits_at_once_with_a_clear_message(coach, learner):
    first = coach()
    georgette = learner()
    georgette.command("/start")
    georgette.wait_for("Which language")  # the first one serves
    second = coach()
    assert second.process is not None
    assert second.process.wait(timeout=30) == 2
    assert "another coach (process" in second.output() and "DIGICOACH_DATA_DIR" in second.output()
    georgette.press("English")
    georgette.wait_for("Before we start")  # the first one still serves, undisturbed
    assert first.process is not None and first.process.poll() is None


def test_an_outage_of_the_bot_api_loses_no_reply_and_sends_none_twice(coach, learner, emulator, token):
    running = coach(TELEGRAM_MAX_PER_CHAT_PER_SECOND="1")
    georgette = learner()
    onboard(georgette)
    ask_for_breaks(georgette)
    georgette.wait_until_confirmed()
    emulator.control("outage", token, seconds=10)  # connections refused for 10 s
    assert set(wait_for_break_answers(georgette).values()) == {1}
    assert "Telegram does not answer" in running.output()
    assert "Telegram answers again" in running.output()
    georgette.command("/progress")  # polling came back too
    georgette.wait_for("Your progress")


def test_after_a_stall_a_reply_arrives_at_most_twice(coach, learner, emulator):
    """A Bot API that stops answering (paused) keeps what it was sent: a call that timed out may
    have arrived. The coach sends it once more when Telegram answers again, not again and again."""
    running = coach(TELEGRAM_MAX_PER_CHAT_PER_SECOND="1")
    georgette = learner()
    onboard(georgette)
    ask_for_breaks(georgette)
    georgette.wait_until_confirmed()
    emulator.process.send_signal(signal.SIGSTOP)
    try:
        time.sleep(12)  # longer than a call's timeout: the calls under way time out
    finally:
        emulator.process.send_signal(signal.SIGCONT)
    copies = wait_for_break_answers(georgette)
    assert max(copies.values()) <= 2, copies
    assert "Telegram does not answer" in running.output()


def test_update_ids_that_start_over_are_not_taken_for_repeats(tmp_path):
    """A new Bot API server (a reset self-hosted one, a new bot) counts update ids from 1 again."""
    database = tmp_path / "coach.sqlite3"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "9:restarted",
        "TELEGRAM_POLL_TIMEOUT": "5",
        "TELEGRAM_MAX_PER_CHAT_PER_SECOND": "50",
        "DIGICOACH_DATABASE_URL": f"sqlite:///{database}",
        "DIGICOACH_DATA_DIR": str(tmp_path / "data"),
        "DIGICOACH_LESSONS": str(FIXTURE_LIBRARY),
    }
    for round_ in range(2):
        with running_emulator() as fresh:
            env["TELEGRAM_API_BASE_URL"] = fresh.url
            log = (tmp_path / f"coach-{round_}.log").open("w")
            process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, stdout=log, stderr=log)
            try:
                georgette = Learner(fresh, "9:restarted", 4242)
                georgette.command("/help" if round_ == 0 else "/progress")
                georgette.wait_for("/mydata" if round_ == 0 else "No lessons done yet")
            finally:
                with suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
                process.wait(30)
                log.close()
    assert "dropping duplicate" not in (tmp_path / "coach-1.log").read_text()
