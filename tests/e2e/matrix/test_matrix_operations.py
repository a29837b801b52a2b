"""Operating the Matrix coach: the restore drill, and a homeserver that is down at the first start."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.matrix.conftest import BotProcess
from tests.e2e.matrix.learner import Learner
from tests.e2e.matrix.test_matrix_chat import first_lesson, onboard_to_first_card
from tests.support.synapse import free_port

pytestmark = pytest.mark.e2e


def digicoach(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, timeout=120
    )


def tables(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table, ordered: two databases with the same content compare equal."""
    with sqlite3.connect(database) as connection:
        names = [n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: sorted(connection.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}


def next_monday() -> str:
    today = date.today()
    return (today + timedelta(days=7 - today.weekday())).isoformat()


def test_the_restore_drill(synapse, bot_process, tmp_path):
    """Mid-course, backup while serving, restore into a new folder, start there: all intact, once."""
    bot = bot_process("coach", password_login=True)
    bot_id = bot.env["MATRIX_USER_ID"]
    cards = len(first_lesson()["cards"])
    backup = tmp_path / "backup"
    new = tmp_path / "restored"
    restored_env = {
        **bot.env,
        "DIGICOACH_DATA_DIR": str(new / "data"),
        "DIGICOACH_DATABASE_URL": f"sqlite:///{new / 'coach.sqlite3'}",
    }
    # The restored coach has no password: it can only be the old device, from the restored login.
    del restored_env["MATRIX_PASSWORD"]
    restored = BotProcess.__new__(BotProcess)
    restored.__dict__.update(bot.__dict__ | {"env": restored_env, "directory": new, "starts": 0})
    new.mkdir()
    before: dict[str, object] = {}

    async def conversation() -> None:
        async with Learner(synapse.url, synapse.register("georgette"), tmp_path / "learner") as learner:
            room = await learner.open_dm(bot_id, encrypted=True)
            await onboard_to_first_card(learner, room, bot_id)
            await learner.say(room, "1")
            await learner.expect(room, f"(2/{cards})")

            made = digicoach(bot.env, "backup", str(backup))  # while the coach serves
            assert made.returncode == 0, made.stderr
            bot.process.send_signal(signal.SIGTERM)
            assert bot.process.wait(30) == 0
            before["tables"] = tables(tmp_path / "coach.sqlite3")
            before["plan"] = digicoach(bot.env, "schedule", "preview", "--date", next_monday()).stdout
            before["notices"] = len(learner.notices)

            put_back = digicoach(restored_env, "restore", str(backup))
            assert put_back.returncode == 0, put_back.stderr
            assert tables(new / "coach.sqlite3") == before["tables"]  # every learner's progress
            plan = digicoach(restored_env, "schedule", "preview", "--date", next_monday()).stdout
            assert plan == before["plan"] and "1 of 1 learner(s) get an invitation" in plan  # and schedule
            checked = digicoach(restored_env, "doctor")
            before["doctor"] = checked.stdout
            assert checked.returncode == 0, checked.stdout + checked.stderr

            restored.start()
            # Where she was: the next card. Read with the restored crypto store, by the same device.
            await learner.say(room, "1")
            await learner.expect(room, f"(3/{cards})")
            await learner.say(room, "!help")
            await learner.expect(room, "/progress")
            time.sleep(2)  # anything sent twice would come now
            new_notices = [n.body.split("\n", 1)[0] for n in learner.notices[before["notices"] :]]
            assert len(new_notices) == 2, new_notices

    try:
        bot.serve(conversation)
    finally:
        restored.stop()
    old_login = json.loads((tmp_path / "data" / "matrix" / "login.json").read_text())
    new_login = json.loads((new / "data" / "matrix" / "login.json").read_text())
    assert new_login == old_login
    assert (new / "data" / "matrix" / "login.json").stat().st_mode & 0o777 == 0o600
    assert f"ok    matrix: logged in as {bot_id}, device {old_login['device_id']}" in before["doctor"]
    assert f"ok    matrix: device {old_login['device_id']} is cross-signed" in before["doctor"]
    assert "with new device" not in restored.log and "cannot decrypt" not in restored.log, restored.log
    assert "Traceback" not in bot.log + restored.log


def test_a_homeserver_down_at_the_first_start_is_waited_for_as_telegram_is(synapse, tmp_path):
    # Nothing listens on this port: the first login cannot reach a homeserver.
    env = {
        **BotProcess(synapse, synapse.register("patient"), tmp_path, password_login=True).env,
        "MATRIX_HOMESERVER": f"http://127.0.0.1:{free_port()}",
    }
    log = tmp_path / "coach.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env, stdout=output, stderr=output
        )
    try:
        # The old adapter gave up after six tries, about 31 s; now it keeps trying, each wait logged.
        deadline = time.monotonic() + 90
        while log.read_text().count("log in: homeserver unreachable") < 7:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in log.read_text() and "CancelledError" not in log.read_text()
