"""The speech engine with the real espeak-ng and opusenc: an Ogg Opus voice message, made once."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import speech
from bot.speech import Speaker, SpeechError, SpeechSettingsError, Voice, find_voices, ogg_opus_duration_ms
from lessons.chat import Address, Reply, Speech
from lessons.model import LANGUAGES
from tests.support.speech import first_page, is_ogg_opus, need_espeak

CARDS = {
    "nl": "Phishing is een valse e-mail. De afzender doet alsof hij je bank is.",
    "en": "Phishing is a fake e-mail. The sender pretends to be your bank.",
    "fr": "Le phishing est un faux e-mail. L'expéditeur se fait passer pour votre banque.",
    "de": "Phishing ist eine gefälschte E-Mail. Der Absender gibt sich als Ihre Bank aus.",
}


def card(language: str = "en", text: str | None = None, key: str = "phishing/0/v1/card") -> Speech:
    return Speech(text or CARDS[language], language, key, f"Sorry.\n\n{text or CARDS[language]}")


@pytest.fixture
def speaker(tmp_path: Path) -> Speaker:
    need_espeak()
    found = find_voices({})
    assert set(found) == set(LANGUAGES)
    return Speaker(tmp_path / "speech", found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_card_becomes_an_ogg_opus_voice_message_in_each_language(speaker, language):
    audio = asyncio.run(speaker.audio(card(language)))
    data = Path(audio.path).read_bytes()
    assert is_ogg_opus(data)
    page = first_page(data)
    assert page[:4] == b"OggS"  # the capture pattern
    assert page[5] == 0x02  # the first page of its stream
    assert page[28:36] == b"OpusHead"
    assert page[36] == 1  # OpusHead version 1
    # Spoken at 150 words a minute, twelve words or so take several seconds.
    assert 3_000 < audio.duration_ms < 15_000
    # 24 kbit/s: about 3 kB a second, pages and headers included.
    assert len(data) < 4 * audio.duration_ms
    assert Path(audio.path).is_relative_to(speaker.folder)
    assert speaker.processes == 2  # the engine, then opusenc


def test_a_sound_is_made_once_then_found_without_any_process(speaker, tmp_path):
    made = asyncio.run(speaker.audio(card()))
    assert speaker.processes == 2
    again = asyncio.run(speaker.audio(card()))
    assert again == made
    assert speaker.processes == 2
    # A new process (a restart) finds it too, even with programs that cannot run.
    broken = {
        code: Voice(v.engine, v.name, "/nowhere/espeak-ng", "/nowhere/opusenc")
        for code, v in speaker.voices.items()
    }
    restarted = Speaker(speaker.folder, broken)
    assert asyncio.run(restarted.audio(card())) == made
    assert restarted.processes == 0
    # Two learners pressing at once: made once.
    fresh = Speaker(tmp_path / "other", speaker.voices)

    async def both() -> None:
        await asyncio.gather(fresh.audio(card()), fresh.audio(card()))

    asyncio.run(both())
    assert fresh.processes == 2


def test_a_new_version_of_a_card_or_another_language_is_a_new_sound(speaker):
    first = asyncio.run(speaker.audio(card()))
    edited = asyncio.run(speaker.audio(card(text="Phishing is a fake message.", key="phishing/0/v2/card")))
    dutch = asyncio.run(speaker.audio(card("nl")))
    assert len({first.path, edited.path, dutch.path}) == 3
    assert edited.duration_ms < first.duration_ms


def test_a_voiced_reply_carries_its_sound_and_a_failed_one_its_text(speaker, tmp_path):
    to = Address("console", "me")
    reply = Reply(to, "🔊 This card, read aloud.", speech=card())
    voiced = asyncio.run(speaker.voiced(reply))
    assert voiced.speech is not None and voiced.speech.audio is not None
    assert voiced.text == reply.text

    failing = Speaker(
        tmp_path / "failing", {"en": Voice("espeak-ng", "en-gb", shutil.which("false") or "false")}
    )
    fallback = asyncio.run(failing.voiced(reply))
    assert fallback.speech is None
    assert fallback.text == f"Sorry.\n\n{CARDS['en']}"
    assert not list((tmp_path / "failing").rglob("*.ogg"))  # nothing half made is kept


def test_a_hanging_engine_is_stopped_and_the_text_sent(tmp_path):
    hangs = tmp_path / "hangs"
    hangs.write_text("#!/bin/sh\nexec sleep 30\n")
    hangs.chmod(0o755)
    slow = Speaker(tmp_path / "speech", {"en": Voice("espeak-ng", "en-gb", str(hangs))}, timeout=0.5)
    with pytest.raises(SpeechError, match="took more than"):
        asyncio.run(slow.audio(card()))


def test_a_text_longer_than_a_card_is_not_read(speaker):
    with pytest.raises(SpeechError, match="longer than a card"):
        asyncio.run(speaker.audio(card(text="word " * 400)))
    assert speaker.processes == 0


def test_a_language_without_a_voice_is_not_read(tmp_path):
    with pytest.raises(SpeechError, match="no voice"):
        asyncio.run(Speaker(tmp_path, {}).audio(card()))


def test_what_is_not_ogg_opus_is_refused():
    with pytest.raises(SpeechError):
        ogg_opus_duration_ms(b"RIFF....WAVEfmt ")


def test_a_piper_voice_set_but_missing_stops_the_start_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no piper, no opusenc
    with pytest.raises(SpeechSettingsError) as error:
        find_voices({"nl": tmp_path / "nl_BE-nathalie-medium.onnx"})
    said = str(error.value)
    assert "'piper' program is not on PATH" in said
    assert "nl: voice model" in said and "not found" in said
    assert "unset DIGICOACH_PIPER_MODELS" in said


def test_without_espeak_ng_nothing_is_offered(tmp_path, monkeypatch):
    need_espeak()
    with monkeypatch.context() as bare:
        bare.setenv("PATH", str(tmp_path))
        assert speech.configure(True, {}, tmp_path) is None
    assert speech.configure(False, {}, tmp_path) is None
    on = speech.configure(True, {}, tmp_path)
    assert on is not None and on.languages == frozenset(LANGUAGES)
    assert on.folder == (tmp_path / "speech").resolve()  # under the data folder; backups leave it out


def test_digicoach_refuses_to_start_with_a_missing_piper_voice(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", f"sqlite:///{tmp_path / 'c.sqlite3'}"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "DIGICOACH_PIPER_MODELS": f"nl={tmp_path / 'nl.onnx'}"},
    )
    assert done.returncode != 0
    assert "DIGICOACH_PIPER_MODELS is set, but" in done.stderr
    assert "Traceback" not in done.stderr
