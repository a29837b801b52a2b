"""Text from a chat platform, made safe to store and to show: the one step where it enters the engine.

A platform passes on what people type and what they call themselves, and a
broken or forged client sends anything: NUL (PostgreSQL refuses it in text),
lone surrogates (no encoding can write them), terminal escapes, direction
overrides that turn the rest of a digest line around, a name of thousands of
characters. ``clean`` runs first in ``Coach.handle``; after it, every text of
an event holds only what a chat message can carry (``chat.UNSENDABLE``) and is
no longer than the engine and the database keep. Ids are not text to repair:
an event with an id no platform sends (longer than the database keeps, or with
control characters) is dropped whole, since nothing about its sender could be
stored, nor anything sent back.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from lessons.chat import MAX_CHOICE_ID_BYTES, UNSENDABLE, ChoiceSelected, Command, Event, TextMessage
from storage.models import MAX_PLATFORM_ID

log = logging.getLogger(__name__)

# Telegram's own limit on a message; nothing a learner types to the coach needs more.
MAX_TEXT = 4096
# A name is shown inside other text (a digest, /mydata): Telegram's first and last name are 64 each.
MAX_NAME = 100
# Telegram's commands are at most 32 characters; the longest of ours is 17.
MAX_COMMAND = 32
# The longest language tag kept (the learners' locale column).
MAX_LANGUAGE_HINT = 16

_LINE_BREAK = re.compile("\r\n?")
# Embeddings, overrides and isolates: in a name they reorder what follows it on the line.
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")


def text(value: str, most: int = MAX_TEXT) -> str:
    """``value`` with '\\n' line breaks, nothing a chat cannot carry, and at most ``most`` characters."""
    return UNSENDABLE.sub("", _LINE_BREAK.sub("\n", value))[:most]


def name(value: str | None) -> str | None:
    """A display name on one line, without direction controls, shortened with '…'; None if nothing is left."""
    if value is None:
        return None
    one_line = _SPACE.sub(" ", _DIRECTION.sub("", UNSENDABLE.sub("", value))).strip()
    if len(one_line) > MAX_NAME:
        one_line = one_line[: MAX_NAME - 1] + "…"
    return one_line or None


def _usable_id(value: str) -> bool:
    return 0 < len(value) <= MAX_PLATFORM_ID and not UNSENDABLE.search(value)


def _choice_id(value: str) -> str:
    """The id as pressed, or '' (no button) when no button of ours could have it."""
    if UNSENDABLE.search(value) or len(value.encode()) > MAX_CHOICE_ID_BYTES:
        return ""
    return value


def clean(event: Event) -> Event | None:
    """``event`` with its texts cleaned and bounded; None when its ids are none a platform sends."""
    sender = event.sender
    ids = [sender.user_id, sender.chat_id, *([event.event_id] if event.event_id is not None else [])]
    if not all(_usable_id(i) for i in ids):
        log.warning(
            "dropped a %s event with an id no platform sends (longest %d characters, or a control character)",
            sender.platform,
            max(len(i) for i in ids),
        )
        return None
    hint = text(sender.language_hint, MAX_LANGUAGE_HINT) if sender.language_hint else None
    sender = replace(sender, display_name=name(sender.display_name), language_hint=hint)
    if isinstance(event, TextMessage):
        return replace(event, sender=sender, text=text(event.text))
    if isinstance(event, Command):
        return replace(event, sender=sender, name=text(event.name, MAX_COMMAND), args=text(event.args))
    assert isinstance(event, ChoiceSelected)
    return replace(event, sender=sender, choice_id=_choice_id(event.choice_id))
