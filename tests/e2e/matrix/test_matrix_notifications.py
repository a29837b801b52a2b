"""The day's invitation rings the learner's phone on Matrix; answers to what they just did do not."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.matrix.learner import Learner
from tests.e2e.matrix.test_matrix_chat import onboard

pytestmark = pytest.mark.e2e


def lesson_due_a_minute_ago(database) -> None:
    """Every day a lesson day, the lesson time a minute ago: the next start's first tick invites."""
    due = (datetime.now(ZoneInfo("Europe/Brussels")) - timedelta(minutes=1)).time().replace(microsecond=0)
    with sqlite3.connect(database) as db:
        db.execute("UPDATE learners SET weekdays = '1234567', delivery_time = ?", (due.isoformat(),))


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_the_scheduled_invitation_is_a_text_that_notifies_answers_are_notices(
    synapse, bot_process, tmp_path, encrypted
):
    bot = bot_process("coach")
    bot_id = bot.env["MATRIX_USER_ID"]
    bot.env["DIGICOACH_SPREAD_MINUTES"] = "0"

    async def conversation() -> None:
        async with Learner(synapse.url, synapse.register("georgette"), tmp_path / "learner") as learner:
            room = await learner.open_dm(bot_id, encrypted=encrypted)
            await onboard(learner, room, bot_id)
            # Everything so far answered what the learner did: notices, which do not ring.
            assert {n.kind for n in learner.notices} == {"m.notice"}
            if not encrypted:
                # The homeserver applies the push rules itself in a plain room.
                assert learner.client.rooms[room].unread_notifications == 0
            bot.stop()
            lesson_due_a_minute_ago(tmp_path / "coach.sqlite3")
            bot.start()
            invitation = await learner.expect(room, "Your lesson for today is ready")
            assert invitation.kind == "m.text"  # decrypted first, in an encrypted room: the client decides
            assert "1. Start" in invitation.body
            if not encrypted:
                await learner.wait(
                    lambda: learner.client.rooms[room].unread_notifications >= 1, "the invitation to notify"
                )

    bot.serve(conversation)
    assert "Traceback" not in bot.log, bot.log
