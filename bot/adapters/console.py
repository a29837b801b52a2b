"""The coach in a terminal: no account, no server (``digicoach chat``).

Works on a terminal and with piped input. Choices print as numbered lines; the
learner answers with the number or the label. ``/quit`` or end of input ends
the chat.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from typing import TextIO

from bot.adapters import Handler, Unreachable
from bot.adapters.labels import label
from lessons.chat import Choice, ChoiceSelected, Command, Event, Reply, Sender, TextMessage
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


def render(reply: Reply) -> str:
    """A reply as terminal text: title, text, then numbered choices."""
    lines: list[str] = []
    if reply.title:
        lines.append(f"» {reply.title}")
    lines.append(reply.text)
    if reply.picture:
        lines.append(f"[picture: {reply.picture.alt} – {reply.picture.path}]")
    lines += [f"  [{n}] {label(choice)}" for n, choice in enumerate(reply.choices, start=1)]
    return "\n".join(lines)


@dataclass
class ConsoleAdapter:
    user: str
    language: str | None = None
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    platform: str = PLATFORM
    # A terminal never refuses a message.
    unreachable: Unreachable | None = None
    _choices: tuple[Choice, ...] = ()

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

    async def send(self, replies: list[Reply]) -> None:
        for reply in replies:
            self.stdout.write(render(reply) + "\n\n")
            if reply.choices:
                self._choices = reply.choices
        self.stdout.flush()

    async def run(self, handle: Handler) -> None:
        while (line := await self._read_line()) is not None:
            event = convert(line, self.sender, self._choices)
            if isinstance(event, Quit):
                break
            if event is not None:
                await self.send(await handle(event))
