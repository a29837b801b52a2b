"""Neutral replies -> Matrix message content: pure functions.

A reply to what the learner just did is an ``m.notice`` (bots speak in
notices, so other bots do not answer them); a message nobody asked for just
now (the day's invitation, a reminder, a digest) is an ``m.text``, because
Matrix's default push rule ``.m.rule.suppress_notices`` keeps notices from
ringing a phone. Both have a plain ``body`` and an HTML ``formatted_body``.

A quiz question is a poll (MSC3381, under the ``org.matrix.msc3381.poll.*``
names clients read), whose answer comes back as an encrypted poll response;
its text also carries the numbered choices, for clients without polls, where
the learner types the number. Other choices are a numbered list, and the
adapter adds one number reaction per choice so the learner can tap instead
of type; never on a quiz question, since reactions are not encrypted and the
homeserver would learn the answer.

A homeserver refuses an event of 65,536 bytes or more. In an encrypted room
the event carries the content encrypted: matrix-nio writes it as JSON with
every non-ASCII character escaped (``\\u00e9``, an emoji as two such), then
Megolm and base64 add a third, and the server its envelope. So a message is
held to ``MAX_CONTENT_BYTES`` of content measured that way, and a longer one
is cut into several notices (``bot.adapters.pieces``), its choices on the
last. A file (``/mydata``) is never inlined: it goes as an ``m.file``; a card
read aloud goes as an ``m.audio`` marked as a voice message (MSC3245), before
the text and its choices.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from html import escape
from typing import Any

from bot.adapters.labels import label
from bot.adapters.matrix.convert import NUMBER_KEYS, number_key
from bot.adapters.pieces import Fits, Span, Style, TooLargeError, cut
from lessons.chat import Reply

HTML_FORMAT = "org.matrix.custom.html"
MESSAGE = "m.room.message"
# Content measured as matrix-nio encrypts it (``content_bytes``). Encrypted, with a
# generous envelope, 40,000 bytes make an event of about 55,000: under the
# homeserver's 65,536 with room to spare (tests/support/limits.py measures it).
MAX_CONTENT_BYTES = 40_000
# A poll's end repeats the start of the question, for clients without polls.
POLL_END_TEXT = 200


def _html_lines(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))


def body(reply: Reply) -> str:
    parts: list[str] = []
    if reply.title:
        parts.append(reply.title)
    if reply.text or not reply.title:
        parts.append(reply.text)
    if reply.choices:
        parts.append("\n".join(f"{n}. {label(choice)}" for n, choice in enumerate(reply.choices, start=1)))
    return "\n\n".join(parts)


def formatted_body(reply: Reply) -> str:
    html = f"<h4>{escape(reply.title)}</h4>" if reply.title else ""
    if reply.text or not reply.title:
        html += f"<p>{_html_lines(reply.text)}</p>"
    if reply.choices:
        items = "".join(f"<li>{escape(label(choice))}</li>" for choice in reply.choices)
        html += f"<ol>{items}</ol>"
    return html


POLL_START = "org.matrix.msc3381.poll.start"
POLL_RESPONSE_TYPES = ("org.matrix.msc3381.poll.response", "m.poll.response")
POLL_END = "org.matrix.msc3381.poll.end"
TEXT = "org.matrix.msc1767.text"


def notice(reply: Reply, lead: Reply | None = None) -> dict[str, Any]:
    """One message; ``lead`` (see ``with_leads``) goes first, in the same message."""
    ringing = reply.notify or (lead is not None and lead.notify)
    return {
        "msgtype": "m.text" if ringing else "m.notice",
        "body": (body(lead) + "\n\n" if lead else "") + body(reply),
        "format": HTML_FORMAT,
        "formatted_body": (formatted_body(lead) if lead else "") + formatted_body(reply),
    }


def with_leads(replies: list[Reply]) -> list[tuple[Reply | None, Reply]]:
    """Replies as messages: a plain reply (quiz feedback) leads the next one to the same room.

    The feedback and the question after it then arrive as one notice: one
    encrypted event instead of two, so the learner's next question is there
    sooner and their phone buzzes once.
    """
    messages: list[tuple[Reply | None, Reply]] = []
    index = 0
    while index < len(replies):
        reply = replies[index]
        after = replies[index + 1] if index + 1 < len(replies) else None
        if (
            after is not None
            and not reply.choices
            and reply.picture is None
            and after.picture is None
            and after.to == reply.to
        ):
            messages.append((reply, after))
            index += 2
        else:
            messages.append((None, reply))
            index += 1
    return messages


def is_poll(reply: Reply) -> bool:
    """A quiz question with one answer to pick (select-all questions stay a numbered list)."""
    return reply.quiz and bool(reply.choices) and all(c.ticked is None for c in reply.choices)


def poll(reply: Reply, lead: Reply | None = None) -> dict[str, Any]:
    """A poll start: the question (the lead, e.g. feedback, first) and one answer per choice.

    The answer ids are the choice ids, so a poll response names the choice
    itself; the coach refuses one that is stale or forged, like any button.
    """
    question = "\n\n".join(part for part in ((lead and body(lead)), reply.title, reply.text) if part)
    fallback = (body(lead) + "\n\n" if lead else "") + body(reply)
    return {
        POLL_START: {
            "kind": "org.matrix.msc3381.poll.undisclosed",
            "max_selections": 1,
            # "body" and "msgtype" too: older Element versions read those.
            "question": {TEXT: question, "body": question, "msgtype": "m.text"},
            "answers": [{"id": choice.id, TEXT: label(choice)} for choice in reply.choices],
        },
        TEXT: fallback,
        "body": fallback,
    }


def content_bytes(event_type: str, content: dict[str, Any]) -> int:
    """The content's size as matrix-nio encrypts it: JSON with every non-ASCII character escaped.

    Never less than the canonical JSON a homeserver measures in a room without
    encryption, so one measure serves both kinds of room.
    """
    return len(json.dumps({"type": event_type, "content": content}, separators=(",", ":")))


def _event(reply: Reply, lead: Reply | None) -> tuple[str, dict[str, Any]]:
    if is_poll(reply):
        return POLL_START, poll(reply, lead)
    return MESSAGE, notice(reply, lead)


def _fits(event: tuple[str, dict[str, Any]]) -> bool:
    return content_bytes(*event) <= MAX_CONTENT_BYTES


def messages(reply: Reply, lead: Reply | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The events (type, content) that show ``reply``, led by ``lead``; the last carries the choices.

    One event when it fits; else the lead and the reply each on their own, and
    a text too long for one event cut into notices: the title heads the first
    (a title longer than an event is a heading in each of its pieces), the
    choices (a poll, or the numbered list) go with the last.
    """
    whole = _event(reply, lead)
    if _fits(whole):
        return [whole]
    if lead is not None:
        return messages(lead) + messages(reply)
    spans = [Span(reply.title or "", Style.TITLE), Span(reply.text)]

    def as_reply(piece: list[Span], last: bool) -> Reply:
        title = "".join(s.text for s in piece if s.style is Style.TITLE) or None
        text = "".join(s.text for s in piece if s.style is Style.PLAIN).strip("\n")
        if last:
            return dataclasses.replace(reply, title=title, text=text)
        return dataclasses.replace(reply, title=title, text=text, choices=(), quiz=False)

    def fits(last: bool) -> Fits:
        return lambda piece: _fits(_event(as_reply(piece, last), None))

    # The text goes at least twice (plain and HTML), each character at least a byte.
    longest = MAX_CONTENT_BYTES // 2
    pieces = cut(spans, fits(last=False), longest)
    # The last piece carries the choices too (a poll repeats its question): cut it again if need be.
    pieces = pieces[:-1] + cut(pieces[-1], fits(last=True), longest) if pieces else []
    if not pieces:
        raise TooLargeError(f"{len(reply.choices)} choices and no text do not fit one event")
    return [_event(as_reply(piece, n == len(pieces) - 1), None) for n, piece in enumerate(pieces)]


def poll_end(poll_event_id: str, text: str) -> dict[str, Any]:
    """Close a poll once its answer was graded; ``text`` (cut short) for clients without polls."""
    if len(text) > POLL_END_TEXT:
        text = text[: POLL_END_TEXT - 1] + "…"
    return {
        "m.relates_to": {"rel_type": "m.reference", "event_id": poll_event_id},
        POLL_END: {},
        TEXT: text,
        "body": text,
    }


def poll_answer(content: dict[str, Any]) -> str | None:
    """The one answer id of a poll response (unstable or stable form), if it has exactly one."""
    answers = (content.get("org.matrix.msc3381.poll.response") or {}).get("answers")
    if answers is None:
        answers = content.get("m.selections")
    if isinstance(answers, list) and len(answers) == 1 and isinstance(answers[0], str):
        return answers[0]
    return None


def reaction_keys(reply: Reply) -> tuple[str, ...]:
    """The number reactions to seed under a message: one per choice, as far as keycaps go; none for a quiz."""
    if reply.quiz:
        return ()
    return tuple(number_key(n) for n in range(1, min(len(reply.choices), len(NUMBER_KEYS)) + 1))


def reaction(event_id: str, key: str) -> dict[str, Any]:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}


def image(alt: str, mimetype: str, size: int, upload: dict[str, Any]) -> dict[str, Any]:
    """``m.image`` content; ``upload`` is ``{"url": mxc}`` or, in an encrypted room, ``{"file": {...}}``."""
    return {"msgtype": "m.image", "body": alt, "info": {"mimetype": mimetype, "size": size}, **upload}


def file(filename: str, mimetype: str, size: int, upload: dict[str, Any]) -> dict[str, Any]:
    """``m.file`` content, its upload as for ``image``; clients show the name and offer to save it."""
    return {
        "msgtype": "m.file",
        "body": filename,
        "filename": filename,
        "info": {"mimetype": mimetype, "size": size},
        **upload,
    }


def audio(name: str, size: int, duration_ms: int, upload: dict[str, Any]) -> dict[str, Any]:
    """``m.audio`` content of an Ogg Opus voice message, its upload as for ``image``.

    The MSC3245 flag makes Element show a voice message (a waveform and a play
    button) instead of a file; MSC1767's duration is what it reads the length from.
    """
    return {
        "msgtype": "m.audio",
        "body": name,
        "filename": name,
        "info": {"mimetype": "audio/ogg", "size": size, "duration": duration_ms},
        "org.matrix.msc1767.audio": {"duration": duration_ms},
        "org.matrix.msc3245.voice": {},
        **upload,
    }


def transaction_id(cause: str, part: str) -> str:
    """A transaction id that is the same each time the same part of the same answer is sent.

    ``cause`` names what the message answers (the learner's event id, or one
    scheduled batch); a retried send then reuses the id and the homeserver
    keeps only one copy.
    """
    return "dc-" + hashlib.sha256(f"{cause}\0{part}".encode()).hexdigest()[:32]
