"""The coach in a terminal: no account, no server (``digicoach chat``).

Works on a terminal and with piped input. Choices print as numbered lines; the
learner answers with the number or the label. ``/quit`` or end of input ends
the chat. A file the coach sends (``/mydata``) is written to the current
folder, as a browser saves a download, and its path printed; a card read
aloud prints the path of its sound (Ogg Opus), for any audio player.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.adapters import Handler, Outcome, Report
from bot.adapters.labels import label
from bot.sharing import Sharing
from lessons.chat import (
    Choice,
    ChoiceSelected,
    Command,
    Document,
    Event,
    Outgoing,
    Reply,
    Sender,
    TextMessage,
)
from lessons.grading import normalise

PLATFORM = "console"
QUIT_COMMANDS = frozenset({"quit", "exit"})


class Quit:
    """The learner ended the chat."""


def convert(line: str, sender: Sender, choices: tuple[Choice, ...]) -> Event | Quit | None:
    """One typed line -> an event, using the numbered choices last shown."""
    text = line.strip()
    if not text:
        return None
    if text.startswith("/"):
        name, _sep, args = text[1:].partition(" ")
        if name.lower() in QUIT_COMMANDS:
            return Quit()
        return Command(sender, name.lower(), args.strip())
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return ChoiceSelected(sender, choices[int(text) - 1].id)
    by_label = {normalise(c.label): c for c in choices}
    if (choice := by_label.get(normalise(text))) is not None:
        return ChoiceSelected(sender, choice.id)
    return TextMessage(sender, text)


def render(reply: Reply, saved: Path | None = None) -> str:
    """A reply as terminal text: title, text, then numbered choices; ``saved``: where its file went."""
    lines: list[str] = []
    if reply.title:
        lines.append(f"» {reply.title}")
    lines.append(reply.text)
    if reply.picture:
        lines.append(f"[picture: {reply.picture.alt} – {reply.picture.path}]")
    if saved is not None:
        lines.append(f"[file: {saved}]")
    if reply.speech is not None and reply.speech.audio is not None:
        audio = reply.speech.audio
        lines.append(f"[voice: {audio.path} ({audio.duration_ms / 1000:.0f} s)]")
    lines += [f"  [{n}] {label(choice)}" for n, choice in enumerate(reply.choices, start=1)]
    return "\n".join(lines)


def save(document: Document, folder: Path) -> Path:
    """Write ``document`` into ``folder`` under its own name, or name-2, name-3 ... if that is taken."""
    name = Path(document.filename).name  # never a path of the sender's choosing
    path = folder / name
    number = 1
    while True:
        try:
            # Only the learner may read it: it is everything the coach keeps about them.
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
                file.write(document.data)
            return path.resolve()
        except FileExistsError:
            number += 1
            path = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"


@dataclass
class ConsoleAdapter:
    user: str
    language: str | None = None
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    platform: str = PLATFORM
    # Lines are never read twice.
    redelivery: timedelta = timedelta(0)
    # A terminal is always there, and one person at it: nothing to share with other processes.
    connected: bool = True
    sending: bool = True
    # Where files the coach sends are written.
    files: Path = field(default_factory=Path.cwd)
    _choices: tuple[Choice, ...] = ()
    _printed: set[int] = field(default_factory=set)
    _printing: asyncio.Condition = field(default_factory=asyncio.Condition)
    _stopped: bool = False
    _reader_gone: bool = False

    @property
    def sender(self) -> Sender:
        return Sender(PLATFORM, self.user, self.user, self.user, self.language)

    def _interactive(self) -> bool:
        return self.stdin.isatty()

    async def _read_line(self) -> str | None:
        if self._interactive():
            self.stdout.write("> ")
            self.stdout.flush()
        line = await asyncio.to_thread(self.stdin.readline)
        if not line:
            return None
        if not self._interactive():
            # Piped input: echo it so the output reads as a conversation.
            self.stdout.write(f"> {line.rstrip()}\n")
        return line

    def print(self, replies: Sequence[Reply]) -> None:
        for reply in replies:
            saved = save(reply.document, self.files) if reply.document is not None else None
            self.stdout.write(render(reply, saved) + "\n\n")
            if reply.choices:
                self._choices = reply.choices
        self.stdout.flush()

    async def deliver(self, replies: Sequence[Outgoing], report: Report) -> None:
        try:
            self.print([r.reply for r in replies])
        except BrokenPipeError:
            # Whoever read the output went away (e.g. `| head`): nobody is left to show it to.
            self._reader_gone = True
        await report(replies, Outcome.SENT)
        async with self._printing:
            self._printed.update(r.id for r in replies)
            self._printing.notify_all()

    async def run(self, handle: Handler) -> None:
        # Opening the chat is saying hello: a newcomer is greeted, a returning learner told where they are.
        await self._until_printed({r.id for r in await handle(Command(self.sender, "start"))})
        while not self._stopped and (line := await self._read_line()) is not None:
            event = convert(line, self.sender, self._choices)
            if isinstance(event, Quit):
                break
            if event is not None:
                await self._until_printed({r.id for r in await handle(event)})
        else:
            if self._interactive():
                # Ctrl-D leaves the cursor after the prompt: the shell's prompt gets a line of its own.
                self.stdout.write("\n")
                self.stdout.flush()

    async def _until_printed(self, answered: set[int]) -> None:
        # The next line is read once this one's answer is on screen, so a piped chat reads in order.
        async with self._printing:
            await self._printing.wait_for(lambda: answered <= self._printed)
            self._printed -= answered
        if self._reader_gone:
            raise BrokenPipeError

    def stop(self) -> None:
        self._stopped = True

    def share(self, sharing: Sharing) -> None:
        return

    async def close(self) -> None:
        return None
