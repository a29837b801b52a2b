"""Read it aloud: a card's text as an Ogg Opus voice message, made once and kept on disk.

espeak-ng (a Debian package) speaks all four languages with no set-up.
Piper speaks more naturally when the admin points ``DIGICOACH_PIPER_MODELS``
at voice models on this machine; nothing is ever downloaded. Either engine
writes WAV, which ``opusenc`` (Debian's opus-tools) turns into Ogg Opus: what
Telegram's ``sendVoice`` wants and what Matrix clients play as a voice message.

The sound is made after the reply's transaction has committed, just before
the reply is sent (the courier asks), by child processes the event loop
awaits: never under the database's write lock, never in the tick. It is kept
under the data folder, named by engine, voice, language, the card's key and
a hash of the text, so each card in each language and version is made once;
a file found there starts no process. A sound that cannot be made in time
turns the reply into the text with a short note (``Speech.fallback``): the
learner loses the sound, never the reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lessons.chat import Audio, Outgoing, Reply, Speech
from lessons.model import LANGUAGES, MAX_CARD

log = logging.getLogger(__name__)

# The sounds' folder under the data folder: made again as needed, so backups leave it out.
CACHE_FOLDER = "speech"
# A card is at most MAX_CARD characters; a longer text is not a card, and is not read.
MAX_SPOKEN = MAX_CARD
# espeak-ng says a full card in well under a second; Piper on a slow CPU in a few.
TIMEOUT_SECONDS = 30.0
# espeak-ng's voices for our languages; Belgian French, as the municipalities speak it.
ESPEAK_VOICES: Mapping[str, str] = {"nl": "nl", "en": "en-gb", "fr": "fr-be", "de": "de"}
# Words a minute: espeak-ng's 175 is quick for someone who finds reading (or Dutch) hard.
ESPEAK_SPEED = "150"
# Speech needs little: 24 kbit/s Opus is clear, about 3 kB a second.
OPUS_ARGUMENTS = ("--quiet", "--speech", "--bitrate", "24")
# Opus always counts time in 48 kHz samples, whatever the source's rate.
OPUS_RATE = 48_000


class SpeechError(Exception):
    """The sound could not be made; the reply goes out as text."""


class SpeechSettingsError(Exception):
    """Read-aloud is configured in a way that cannot work: said at start, never to a learner."""


@dataclass(frozen=True)
class Voice:
    """One engine's voice for one language, and how to run it."""

    engine: str  # "espeak-ng" or "piper"; part of the cache key
    name: str  # espeak-ng's voice, or the Piper model's file name; part of the cache key
    program: str  # the engine's executable
    opusenc: str = "opusenc"
    model: Path | None = None  # Piper's .onnx file

    def command(self, wav: Path) -> list[str]:
        """The command that reads the text on stdin and writes ``wav``."""
        if self.model is not None:
            return [self.program, "--model", str(self.model), "--output_file", str(wav)]
        return [self.program, "-v", self.name, "-s", ESPEAK_SPEED, "--stdin", "-w", str(wav)]


def parse_piper_models(value: str) -> dict[str, Path]:
    """``nl=/voices/nl.onnx,fr=/voices/fr.onnx`` as {language: model}; ValueError if malformed."""
    models: dict[str, Path] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        language, sep, path = part.partition("=")
        language, path = language.strip(), path.strip()
        if not sep or not path:
            raise ValueError(
                f"'{part}' is not LANGUAGE=MODEL, like nl=/srv/voices/nl_BE-nathalie-medium.onnx"
            )
        if language not in LANGUAGES:
            raise ValueError(f"unknown language '{language}'; use {', '.join(LANGUAGES)}")
        models[language] = Path(path)
    return models


def find_voices(piper_models: Mapping[str, Path]) -> dict[str, Voice]:
    """The voice for each language this machine can speak; Piper's where a model is set.

    Raises ``SpeechSettingsError`` when a Piper model is set but cannot be
    used: the admin asked for it, so a silent fallback would hide the mistake.
    """
    opusenc = shutil.which("opusenc")
    if piper_models:
        piper = shutil.which("piper")
        missing = [
            problem
            for problem in (
                None if piper else "the 'piper' program is not on PATH",
                None if opusenc else "'opusenc' is not on PATH (Debian package opus-tools)",
                *(
                    f"{language}: voice model {model} not found"
                    for language, model in piper_models.items()
                    if not model.is_file()
                ),
                *(
                    f"{language}: {model}.json (the model's settings, beside it) not found"
                    for language, model in piper_models.items()
                    if model.is_file() and not Path(f"{model}.json").is_file()
                ),
            )
            if problem
        ]
        if missing:
            raise SpeechSettingsError(
                "DIGICOACH_PIPER_MODELS is set, but " + "; ".join(missing) + ". Install Piper and its "
                "voices, or unset DIGICOACH_PIPER_MODELS to read aloud with espeak-ng"
            )
    if opusenc is None:
        return {}
    found: dict[str, Voice] = {}
    espeak = shutil.which("espeak-ng")
    for language in LANGUAGES:
        model = piper_models.get(language)
        if model is not None:
            found[language] = Voice("piper", model.name, str(shutil.which("piper")), opusenc, model)
        elif espeak is not None:
            found[language] = Voice("espeak-ng", ESPEAK_VOICES[language], espeak, opusenc)
    return found


def ogg_opus_duration_ms(data: bytes) -> int:
    """How long an Ogg Opus file plays; SpeechError if ``data`` is not one.

    The last page's granule position counts 48 kHz samples from the start,
    including the encoder's pre-skip, which the first page's OpusHead gives.
    """
    if not data.startswith(b"OggS") or data[28:36] != b"OpusHead":
        raise SpeechError("opusenc wrote no Ogg Opus file")
    pre_skip = int.from_bytes(data[38:40], "little")
    last = data.rfind(b"OggS")
    granule = int.from_bytes(data[last + 6 : last + 14], "little")
    return max(0, granule - pre_skip) * 1000 // OPUS_RATE


@dataclass
class Speaker:
    """Makes and keeps the sound of ``Speech``; one per app, shared by every platform."""

    folder: Path
    voices: Mapping[str, Voice]
    timeout: float = TIMEOUT_SECONDS
    # Child processes started so far: a sound found in the folder starts none.
    processes: int = field(default=0, init=False)
    _making: dict[Path, asyncio.Lock] = field(default_factory=dict, init=False)

    @property
    def languages(self) -> frozenset[str]:
        """The languages a card can be read aloud in: the coach offers the button only for these."""
        return frozenset(self.voices)

    def path(self, speech: Speech) -> Path:
        """Where the sound of ``speech`` is kept: one file per engine, voice, language, card and text."""
        voice = self._voice(speech)
        text = hashlib.sha256(speech.text.encode()).hexdigest()
        name = hashlib.sha256(
            "\0".join((voice.engine, voice.name, speech.language, speech.key, text)).encode()
        ).hexdigest()[:40]
        return self.folder / name[:2] / f"{name}.ogg"

    async def audio(self, speech: Speech) -> Audio:
        """The sound of ``speech``, from the folder or made now; SpeechError if it cannot be made."""
        if len(speech.text) > MAX_SPOKEN:
            raise SpeechError(f"{len(speech.text)} characters is longer than a card ({MAX_SPOKEN})")
        path = self.path(speech)
        # Two learners pressing on the same card at once: it is made once.
        async with self._making.setdefault(path, asyncio.Lock()):
            if not path.is_file():
                await self._make(speech, path)
        self._making.pop(path, None)
        data = await asyncio.to_thread(path.read_bytes)
        return Audio(str(path.resolve()), ogg_opus_duration_ms(data))

    async def voiced(self, reply: Reply) -> Reply:
        """``reply`` with its sound, or as text with a short note when the sound cannot be made."""
        speech = reply.speech
        if speech is None or speech.audio is not None:
            return reply
        try:
            audio = await self.audio(speech)
        except SpeechError as error:
            log.error("could not read a card aloud (%s); sending its text instead", error)
            return as_text(reply)
        return dataclasses.replace(reply, speech=dataclasses.replace(speech, audio=audio))

    async def prepare(self, outgoing: Outgoing) -> Outgoing:
        """``outgoing`` ready to send: its reply voiced (see ``voiced``)."""
        voiced = await self.voiced(outgoing.reply)
        return outgoing if voiced is outgoing.reply else dataclasses.replace(outgoing, reply=voiced)

    def _voice(self, speech: Speech) -> Voice:
        voice = self.voices.get(speech.language)
        if voice is None:
            raise SpeechError(f"no voice for language '{speech.language}'")
        return voice

    async def _make(self, speech: Speech, path: Path) -> None:
        voice = self._voice(speech)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Made beside its place and moved in whole: a crash leaves no half sound to be found.
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".making-") as scratch:
            wav, ogg = Path(scratch) / "speech.wav", Path(scratch) / "speech.ogg"
            await self._run(voice.command(wav), speech.text.encode())
            await self._run([voice.opusenc, *OPUS_ARGUMENTS, str(wav), str(ogg)])
            os.replace(ogg, path)

    async def _run(self, command: list[str], stdin: bytes = b"") -> None:
        self.processes += 1
        try:
            process = await asyncio.create_subprocess_exec(
                *command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as error:
            raise SpeechError(f"cannot start {command[0]}: {error}") from error
        try:
            _out, err = await asyncio.wait_for(process.communicate(stdin), self.timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise SpeechError(f"{Path(command[0]).name} took more than {self.timeout:.0f} s") from None
        if process.returncode != 0:
            said = err.decode(errors="replace").strip()[-300:]
            raise SpeechError(f"{Path(command[0]).name} failed ({process.returncode}): {said}")


def as_text(reply: Reply) -> Reply:
    """A reply read aloud, as its text with a short note instead."""
    return dataclasses.replace(reply, text=reply.speech.fallback, speech=None) if reply.speech else reply


def without_sound(outgoing: Outgoing) -> Outgoing:
    """A stored reply read aloud, sent by a coach that cannot speak (started since without espeak-ng)."""
    return dataclasses.replace(outgoing, reply=as_text(outgoing.reply))


def configure(enabled: bool, piper_models: Mapping[str, Path], data_dir: Path) -> Speaker | None:
    """The app's speaker, keeping its sounds under ``data_dir``; None when off or nothing can speak."""
    if not enabled:
        return None
    found = find_voices(piper_models)
    if not found:
        log.info("no espeak-ng and opusenc on this machine: cards are not offered read aloud")
        return None
    return Speaker((data_dir / CACHE_FOLDER).resolve(), found)
