"""Matrix events -> neutral events: pure functions, no connection, no state.

Commands are ``!name args`` (``/name`` and the bare command word work too);
a number or a label of the choices last shown in the room, a number reaction
on a message with choices, or the answer to a quiz poll becomes a
``ChoiceSelected``, whose ``origin`` names the message that carried the choice
(so a poll can be ended once its answer was graded).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lessons import flows
from lessons.chat import Choice, ChoiceSelected, Command, Event, Sender, TextMessage
from lessons.grading import normalise

PLATFORM = "matrix"
COMMAND_PREFIXES = ("!", "/")
# Keycap digits as Element's reaction picker sends them: digit, VS16, U+20E3.
NUMBER_KEYS = (*(f"{n}\ufe0f\u20e3" for n in range(1, 10)), "🔟")


@dataclass(frozen=True)
class Incoming:
    """What the adapter needs of one room event, taken out of nio's event classes."""

    event_id: str
    sender: str
    room_id: str
    display_name: str | None = None
    body: str | None = None
    reaction_key: str | None = None
    reacts_to: str | None = None
    # A poll response: the answer id picked, and the poll it answers.
    poll_answer: str | None = None
    poll_id: str | None = None


def server_of(user_id: str) -> str:
    """``@anna:gent.be`` -> ``gent.be``."""
    return user_id.partition(":")[2].lower()


def allowed(user_id: str, servers: Iterable[str]) -> bool:
    return server_of(user_id) in {s.lower() for s in servers}


def number_key(position: int) -> str:
    """The reaction key of the choice at ``position`` (1-based)."""
    return NUMBER_KEYS[position - 1]


def _position_of_key(key: str) -> int | None:
    plain = key.replace("\ufe0f", "")
    for position, candidate in enumerate(NUMBER_KEYS, start=1):
        if plain == candidate.replace("\ufe0f", ""):
            return position
    return None


def _choice_typed(text: str, choices: tuple[Choice, ...]) -> Choice | None:
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1]
    if text in NUMBER_KEYS or _position_of_key(text) is not None:
        position = _position_of_key(text)
        return choices[position - 1] if position is not None and position <= len(choices) else None
    return {normalise(c.label): c for c in choices}.get(normalise(text))


def convert(
    incoming: Incoming,
    last_choices: tuple[Choice, ...],
    choices_by_message: Mapping[str, tuple[Choice, ...]],
) -> Event | None:
    """One message or reaction -> an event, or None when it means nothing to the coach.

    ``last_choices`` are the choices of the latest message with choices in the
    room (for typed answers); ``choices_by_message`` maps recent bot messages to
    their choices (for reactions, so a reaction on an old question still names
    that question and the engine can refuse it as stale).
    """
    sender = Sender(PLATFORM, incoming.sender, incoming.room_id, incoming.display_name)
    if incoming.poll_answer is not None:
        # Only an answer the poll offered: a forged id names no choice of that message. A poll
        # the bot had no time to note (killed right after sending it) is the latest choices shown,
        # which are noted before the send.
        known = choices_by_message.get(incoming.poll_id or "")
        offered = {c.id for c in (known if known is not None else last_choices)}
        if incoming.poll_answer not in offered:
            return None
        return ChoiceSelected(sender, incoming.poll_answer, incoming.event_id, incoming.poll_id)
    if incoming.reaction_key is not None:
        choices = choices_by_message.get(incoming.reacts_to or "", ())
        position = _position_of_key(incoming.reaction_key)
        if position is None or position > len(choices):
            return None
        return ChoiceSelected(sender, choices[position - 1].id, incoming.event_id, incoming.reacts_to)
    text = (incoming.body or "").strip()
    if not text:
        return None
    if text.startswith(COMMAND_PREFIXES) and len(text) > 1:
        name, _sep, args = text[1:].partition(" ")
        return Command(sender, name.lower(), args.strip(), incoming.event_id)
    if (choice := _choice_typed(text, last_choices)) is not None:
        return ChoiceSelected(sender, choice.id, incoming.event_id)
    # A command's bare word ("help", "lesson") works too: Matrix clients have no command menu.
    if text.lower() in {c.name for c in flows.commands()}:
        return Command(sender, text.lower(), "", incoming.event_id)
    return TextMessage(sender, text, incoming.event_id)


def is_one_to_one(members: Mapping[str, str], bot_user_id: str) -> bool:
    """True when the room holds the bot and exactly one other person (joined or invited).

    ``members`` maps user id -> membership from the room's ``m.room.member`` state.
    """
    present = {user for user, membership in members.items() if membership in ("join", "invite")}
    return len(present - {bot_user_id}) == 1
