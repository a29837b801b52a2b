"""What is too large for one Matrix event reaches the learner all the same, against a real Synapse.

A homeserver refuses an event of 65,536 bytes or more; encrypted, an event is
a third larger than its content. ``/mydata`` after 48 lessons (hundreds of
kilobytes) arrives as a short notice and an encrypted ``m.file``; a text too
long for one event arrives as several notices.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from nio import RoomEncryptedFile
from nio.crypto.attachments import decrypt_attachment

from bot.adapters import Outcome
from lessons.chat import Address, Outgoing, Reply
from lessons.loader import load_library
from storage.unit_of_work import Store
from tests.e2e.matrix.learner import Learner
from tests.support.history import give_history

pytestmark = pytest.mark.e2e


async def _onboard(learner: Learner, room: str, bot_id: str) -> None:
    await learner.wait(lambda: learner.member(room, bot_id), "the bot to join")
    await learner.expect(room, "2. English")
    await learner.say(room, "2")
    await learner.expect(room, "Your privacy")
    await learner.say(room, "1")
    await learner.expect(room, "At what time")
    await learner.say(room, "09:30")
    await learner.expect(room, "All set!")


def test_mydata_after_48_lessons_arrives_as_an_encrypted_json_file(synapse, bot_process, tmp_path):
    bot = bot_process("coach")
    bot_id = bot.env["MATRIX_USER_ID"]
    account = synapse.register("georgette")
    lessons = sorted(load_library().library.lessons.values(), key=lambda lesson: lesson.id)[:48]

    async def conversation() -> None:
        async with Learner(synapse.url, account, tmp_path / "georgette") as learner:
            room = await learner.open_dm(bot_id, encrypted=True)
            await _onboard(learner, room, bot_id)
            store = Store(bot.env["DIGICOACH_DATABASE_URL"])
            try:
                with store.transaction() as tx:
                    learner_id = tx.learners.find("matrix", account.user_id).id
                give_history(store, learner_id, lessons)
            finally:
                store.close()
            await learner.say(room, "!mydata")
            summary = await learner.expect(room, "This is everything I keep about you")
            assert "• 48 lessons and reviews you started." in summary.body
            await learner.wait(lambda: learner.files, "the file")
            [file] = learner.files
            assert isinstance(file, RoomEncryptedFile), file  # encrypted in an encrypted room
            assert file.body.startswith("digicoach-mydata-") and file.body.endswith(".json")
            assert file.source["content"]["info"]["mimetype"] == "application/json"
            ciphertext = await learner.download(file.url)
            assert b"platform_user_id" not in ciphertext  # the homeserver holds only ciphertext
            plain = decrypt_attachment(ciphertext, file.key["k"], file.hashes["sha256"], file.iv)
            assert file.source["content"]["info"]["size"] == len(plain) > 100_000
            data = json.loads(plain)
            assert data["learner"]["platform_user_id"] == account.user_id
            assert len(data["lessons"]) == 48

    bot.serve(conversation)
    assert "refused" not in bot.log and "Traceback" not in bot.log, bot.log


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "unencrypted"])
def test_a_text_too_long_for_one_event_arrives_as_several_notices(synapse, bot_process, tmp_path, encrypted):
    bot = bot_process("coach")
    bot_id = bot.env["MATRIX_USER_ID"]
    # 12,000 emoji: 144 KB in the body alone as matrix-nio writes it, four times an event's limit.
    text = "\n".join(f"{n:03} " + "😀" * 99 for n in range(120))

    async def conversation() -> None:
        async with Learner(synapse.url, synapse.register("nele"), tmp_path / "learner") as learner:
            room = await learner.open_dm(bot_id, encrypted=encrypted)
            await learner.expect(room, "2. English")
            bot.stop()
            adapter = bot.adapter()
            reported: list[Outcome] = []

            async def report(_replies, outcome: Outcome) -> None:
                reported.append(outcome)

            long = Reply(Address("matrix", room), text, title="A long read")
            await adapter.deliver(
                [Outgoing(77, long, None, datetime.now(UTC) + timedelta(minutes=5))], report
            )
            assert reported == [Outcome.SENT]
            await learner.expect(room, "119 ")
            pieces = [n.body for n in learner.notices if n.room_id == room and "😀" in n.body]
            assert len(pieces) > 1
            assert pieces[0].startswith("A long read\n\n000 ")
            assert "".join(pieces).removeprefix("A long read").replace("\n", "") == text.replace("\n", "")
            await adapter.close()

    bot.serve(conversation)
