"""Platform-neutral inbound events and outbound replies.

Adapters convert a Telegram update, a Matrix event or a console line into one
of these events, and render the replies back. Choice ids stay short because
Telegram caps callback data at 64 bytes.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime

MAX_CHOICE_ID_BYTES = 64
# What a chat message cannot carry, or carries as invisible trouble: control characters
# but tab and line feed, lone surrogates (no encoding can write them; PostgreSQL refuses
# NUL) and the non-characters U+FFFE and U+FFFF. Neither lessons nor learners may send them.
UNSENDABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Address:
    """Where a reply goes: a chat on a platform."""

    platform: str
    chat_id: str


@dataclass(frozen=True)
class Sender:
    """Who sent an event, from where."""

    platform: str
    user_id: str
    chat_id: str
    display_name: str | None = None
    # The platform's guess at the person's language (Telegram's language_code,
    # the console's --lang); used until the learner picks one.
    language_hint: str | None = None

    @property
    def address(self) -> Address:
        return Address(self.platform, self.chat_id)


@dataclass(frozen=True)
class TextMessage:
    sender: Sender
    text: str
    event_id: str | None = None


@dataclass(frozen=True)
class Command:
    """``/name args`` on Telegram and the console, ``!name args`` on Matrix."""

    sender: Sender
    name: str
    args: str = ""
    event_id: str | None = None


@dataclass(frozen=True)
class ChoiceSelected:
    """The learner picked one of the choices of an earlier reply."""

    sender: Sender
    choice_id: str
    event_id: str | None = None
    # What the platform needs to answer in place, opaque to the coach: Telegram
    # edits the pressed message to show the choice (and the feedback) there.
    # Kept with the first reply, so a reply sent after a restart is still shown in place.
    origin: str | None = None


@dataclass(frozen=True)
class ChatUnreachable:
    """The platform refuses messages to this chat: the person blocked the bot or left."""

    address: Address


Event = TextMessage | Command | ChoiceSelected


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    # A box to tick (select-all-that-apply): True ticked, False not; None for a plain button.
    # Adapters draw the box their own way; the label stays the plain text.
    ticked: bool | None = None

    def __post_init__(self) -> None:
        if len(self.id.encode()) > MAX_CHOICE_ID_BYTES:
            raise ValueError(f"choice id over {MAX_CHOICE_ID_BYTES} bytes: {self.id!r}")


@dataclass(frozen=True)
class Picture:
    path: str
    alt: str


@dataclass(frozen=True)
class Document:
    """A file that goes with a reply, such as the learner's data for /mydata."""

    filename: str
    mimetype: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Audio:
    """A voice message made from ``Speech``: an Ogg Opus file and how long it plays."""

    path: str
    duration_ms: int


@dataclass(frozen=True)
class Speech:
    """Text to send as a voice message ("Read it aloud").

    The engine only asks; the bot's speech engine makes the sound after the
    transaction, just before sending (``bot.speech``), and sets ``audio``.
    """

    text: str
    language: str
    # What the text is (lesson, card, version, which text of the card): with the language
    # and the speech engine it names the sound in the cache, so it is made once.
    key: str
    # The reply's text when the sound cannot be made: the text itself, with a short note.
    fallback: str
    audio: Audio | None = None


@dataclass(frozen=True)
class Reply:
    """One message to one chat: text, optional title, picture, file or voice, and choices."""

    to: Address
    text: str
    title: str | None = None
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    picture: Picture | None = None
    # A message the learner did not just ask for (the day's invitation, a reminder, a digest):
    # it should make their phone ring. An answer to what they just did need not.
    notify: bool = False
    # The choices answer a quiz question: a platform may show them as a poll, and must
    # not show the learner's answer to anyone else (Matrix reactions are not encrypted).
    quiz: bool = False
    # Sent as a file beside the text: a JSON document on Telegram, an (encrypted) file on Matrix.
    document: Document | None = None
    # Sent as a voice message, the text beside it: a voice note on Telegram, an (encrypted)
    # m.audio on Matrix, a file path on the console.
    speech: Speech | None = None


@dataclass(frozen=True)
class Outgoing:
    """A reply the coach has stored for sending; the platform's sender reports back by ``id``."""

    id: int
    reply: Reply
    # The event's ``origin``, on the first reply it caused.
    origin: str | None
    # Not sent by then, it is dropped: an invitation hours late, or an answer to a question long gone.
    expires_at: datetime


def encode(reply: Reply) -> str:
    """A reply's content as JSON for the outbox (its address is stored beside it).

    A file travels inside it (base64), so it is stored, sent and deleted with
    its reply, in the same transactions: no file on disk to lose, to send twice
    or to forget when the learner erases their data. Speech is stored as its
    text, not its sound: the sound is made (or found in the cache) when sent.
    """
    document, speech = reply.document, reply.speech
    return json.dumps(
        {
            "text": reply.text,
            "title": reply.title,
            "choices": [[c.id, c.label, c.ticked] for c in reply.choices],
            "picture": [reply.picture.path, reply.picture.alt] if reply.picture else None,
            "notify": reply.notify,
            "quiz": reply.quiz,
            "document": (
                [document.filename, document.mimetype, base64.b64encode(document.data).decode()]
                if document
                else None
            ),
            "speech": [speech.text, speech.language, speech.key, speech.fallback] if speech else None,
        },
        ensure_ascii=False,
    )


def decode(to: Address, content: str) -> Reply:
    data = json.loads(content)
    picture = data.get("picture")
    document = data.get("document")
    speech = data.get("speech")
    return Reply(
        to,
        data["text"],
        data.get("title"),
        tuple(Choice(c[0], c[1], c[2]) for c in data.get("choices", ())),
        Picture(picture[0], picture[1]) if picture else None,
        bool(data.get("notify", False)),
        bool(data.get("quiz", False)),
        Document(document[0], document[1], base64.b64decode(document[2])) if document else None,
        Speech(speech[0], speech[1], speech[2], speech[3]) if speech else None,
    )
