"""Read it aloud on Matrix: in an encrypted DM a card arrives as an encrypted voice message (m.audio)."""

from __future__ import annotations

import pytest
from nio import RoomEncryptedAudio
from nio.crypto.attachments import decrypt_attachment

from tests.e2e.matrix.learner import Learner
from tests.e2e.matrix.test_matrix_chat import first_lesson, number_of, onboard_to_first_card
from tests.support.speech import is_ogg_opus, need_espeak

pytestmark = pytest.mark.e2e


def test_a_card_read_aloud_is_an_encrypted_voice_message_the_learner_can_decrypt_and_play(
    synapse, bot_process, tmp_path
):
    need_espeak()
    bot = bot_process("coach")
    bot_id = bot.env["MATRIX_USER_ID"]
    account = synapse.register("said")
    lesson = first_lesson()
    cards = len(lesson["cards"])

    async def conversation() -> None:
        async with Learner(synapse.url, account, tmp_path / "said") as learner:
            room = await learner.open_dm(bot_id, encrypted=True)
            card = await onboard_to_first_card(learner, room, bot_id)
            assert lesson["cards"][0]["text"]["en"] in card.body
            await learner.say(room, number_of(card, "🔊 Read it aloud"))
            after = await learner.expect(room, "🔊 This card, read aloud.")
            # The card's own way on, under the sound; no second "Read it aloud".
            assert f"1. {'Start the quiz' if cards == 1 else 'Next'}" in after.body
            assert "Read it aloud" not in after.body
            await learner.wait(lambda: learner.audios, "the voice message")
            [audio] = learner.audios
            assert isinstance(audio, RoomEncryptedAudio), audio  # encrypted in an encrypted room
            content = audio.source["content"]
            assert content["msgtype"] == "m.audio"
            assert content["info"]["mimetype"] == "audio/ogg"
            assert content["org.matrix.msc3245.voice"] == {}
            duration = content["info"]["duration"]
            assert duration > 1000 and content["org.matrix.msc1767.audio"] == {"duration": duration}
            ciphertext = await learner.download(audio.url)
            assert not ciphertext.startswith(b"OggS")  # the homeserver holds only ciphertext
            sound = decrypt_attachment(ciphertext, audio.key["k"], audio.hashes["sha256"], audio.iv)
            assert is_ogg_opus(sound)
            assert content["info"]["size"] == len(sound)
            await learner.say(room, "1")
            await learner.expect(room, f"(2/{cards})" if cards > 1 else "Question 1 of")

    bot.serve(conversation)
    assert "refused" not in bot.log and "Traceback" not in bot.log, bot.log
