"""A chat held in memory, for tests: send text, press buttons, read the replies.

It drives the engine exactly as a platform adapter would, so engine tests read
like a transcript::

    chat = MemoryChat(coach, "alice")
    chat.command("/start")
    chat.press("English")
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from lessons.chat import Choice, ChoiceSelected, Command, Event, Reply, Sender, TextMessage
from lessons.engine import Coach
from lessons.grading import normalise

PLATFORM = "memory"
_event_ids = itertools.count(1)


class NoSuchChoiceError(AssertionError):
    pass


@dataclass
class MemoryChat:
    coach: Coach
    user: str
    language: str | None = None
    platform: str = PLATFORM
    transcript: list[Reply] = field(default_factory=list)
    last: list[Reply] = field(default_factory=list)
    # The name the platform gives; the user id when None.
    display_name: str | None = None

    @property
    def sender(self) -> Sender:
        name = self.user if self.display_name is None else self.display_name
        return Sender(self.platform, self.user, f"chat-{self.user}", name, self.language)

    def _push(self, event: Event) -> list[Reply]:
        outgoing = self.coach.handle(event)
        # This chat is the platform: it took every reply at once.
        self.coach.sent([o.id for o in outgoing])
        self.last = [o.reply for o in outgoing]
        self.transcript += self.last
        return self.last

    def command(self, line: str, event_id: str | None = None) -> list[Reply]:
        name, _sep, args = line.lstrip("/!").partition(" ")
        return self._push(Command(self.sender, name, args, self._id(event_id)))

    def say(self, text: str, event_id: str | None = None) -> list[Reply]:
        return self._push(TextMessage(self.sender, text, self._id(event_id)))

    def choose(self, choice_id: str, event_id: str | None = None) -> list[Reply]:
        return self._push(ChoiceSelected(self.sender, choice_id, self._id(event_id)))

    def press(self, label: str, event_id: str | None = None) -> list[Reply]:
        """Press the button whose label contains ``label`` in the last replies."""
        return self.choose(self.find(label).id, event_id)

    def find(self, label: str) -> Choice:
        wanted = normalise(label)
        for reply in reversed(self.last):
            for choice in reply.choices:
                if wanted in normalise(choice.label):
                    return choice
        shown = [c.label for r in self.last for c in r.choices]
        raise NoSuchChoiceError(f"no choice like {label!r}; shown: {shown}")

    @property
    def choices(self) -> list[Choice]:
        return [c for r in self.last for c in r.choices]

    @property
    def text(self) -> str:
        """The last replies as one text, titles included."""
        return "\n".join(f"{r.title}\n{r.text}" if r.title else r.text for r in self.last)

    def _id(self, event_id: str | None) -> str:
        return event_id if event_id is not None else f"m{next(_event_ids)}"
