"""Read it aloud on Telegram: `digicoach run` uploads the card as a voice note (Ogg Opus) with sendVoice."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest

from tests.e2e.telegram.test_telegram_chat import onboard
from tests.support.speech import is_ogg_opus, need_espeak

pytestmark = pytest.mark.e2e


def test_a_card_read_aloud_arrives_as_a_voice_note_and_the_lesson_goes_on_from_it(coach, learner, tmp_path):
    need_espeak()
    running = coach()
    georgette = learner()
    onboard(georgette)
    georgette.press("Start today's lesson")
    card = georgette.wait_for("A long sentence is a strong password.")[-1]
    assert georgette.buttons(card) == ["Next", "🔊 Read it aloud"]

    georgette.press("Read it aloud")
    [voice] = [m for m in georgette.wait_for("This card, read aloud.") if "voice" in m]
    assert voice["caption"] == "Strong passwords (1/2)\n🔊 This card, read aloud."
    assert georgette.buttons(voice) == ["Next"]
    upload = georgette.emulator.control("file", georgette.token, file_id=voice["voice"]["file_id"])
    assert upload["mime_type"] == "audio/ogg"
    sound = base64.b64decode(upload["content"])
    assert is_ogg_opus(sound)
    assert voice["voice"]["duration"] >= 1
    # The card it was pressed under keeps its text and loses its buttons: one place to go on from.
    pressed = next(m for m in georgette.messages() if m["message_id"] == card["message_id"])
    assert "reply_markup" not in pressed
    assert pressed["text"].startswith("Strong passwords (1/2)\nA long sentence is a strong password.")

    georgette.press("Next")
    second = georgette.wait_for("Never use the same password twice.")[-1]
    assert georgette.buttons(second) == ["Start the quiz", "🔊 Read it aloud"]
    georgette.press("Read it aloud")
    georgette.wait_for("This card, read aloud.")
    georgette.press("Start the quiz")
    georgette.wait_for("Which is strongest?")

    assert georgette.stats()["voices"] == 2
    # Each card's sound made once, under the coach's data folder.
    assert len(list(Path(running.environ["DIGICOACH_DATA_DIR"]).rglob("*.ogg"))) == 2
    assert "Traceback" not in running.output()


def test_when_the_sound_cannot_be_made_the_card_comes_as_text_with_a_note(coach, learner, tmp_path):
    need_espeak()
    # opusenc is gone between the start (which saw it) and the press: the engine fails.
    tools = tmp_path / "bin"
    tools.mkdir()
    for program in ("espeak-ng", "opusenc"):
        (tools / program).symlink_to(str(shutil.which(program)))
    running = coach(PATH=str(tools))
    georgette = learner()
    onboard(georgette)
    georgette.press("Start today's lesson")
    georgette.wait_for("A long sentence is a strong password.")
    (tools / "opusenc").unlink()
    georgette.press("Read it aloud")
    [text] = georgette.wait_for("Here is the text:")
    assert text["text"] == (
        "Strong passwords (1/2)\n"
        "Sorry, I cannot read it aloud right now. Here is the text:\n\nA long sentence is a strong password."
    )
    assert georgette.buttons(text) == ["Next"]
    assert georgette.stats()["voices"] == 0
    assert "could not read a card aloud" in running.output()
