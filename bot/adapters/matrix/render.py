"""Neutral replies -> Matrix message content: pure functions.

A reply is an ``m.notice`` (bots speak in notices, so other bots do not answer
them) with a plain ``body`` and an HTML ``formatted_body``. Choices are a
numbered list in the text; the adapter adds one number reaction per choice so
the learner can tap instead of type.
"""

from __future__ import annotations

import hashlib
from html import escape
from typing import Any

from bot.adapters.labels import label
from bot.adapters.matrix.convert import NUMBER_KEYS, number_key
from lessons.chat import Reply

HTML_FORMAT = "org.matrix.custom.html"


def _html_lines(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))


def body(reply: Reply) -> str:
    parts: list[str] = []
    if reply.title:
        parts.append(reply.title)
    parts.append(reply.text)
    if reply.choices:
        parts.append("\n".join(f"{n}. {label(choice)}" for n, choice in enumerate(reply.choices, start=1)))
    return "\n\n".join(parts)


def formatted_body(reply: Reply) -> str:
    html = f"<h4>{escape(reply.title)}</h4>" if reply.title else ""
    html += f"<p>{_html_lines(reply.text)}</p>"
    if reply.choices:
        items = "".join(f"<li>{escape(label(choice))}</li>" for choice in reply.choices)
        html += f"<ol>{items}</ol>"
    return html


def notice(reply: Reply, lead: Reply | None = None) -> dict[str, Any]:
    """One notice; ``lead`` (see ``with_leads``) goes first, in the same message."""
    return {
        "msgtype": "m.notice",
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


def reaction_keys(reply: Reply) -> tuple[str, ...]:
    """The number reactions to seed under a message: one per choice, as far as keycaps go."""
    return tuple(number_key(n) for n in range(1, min(len(reply.choices), len(NUMBER_KEYS)) + 1))


def reaction(event_id: str, key: str) -> dict[str, Any]:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}


def image(alt: str, mimetype: str, size: int, upload: dict[str, Any]) -> dict[str, Any]:
    """``m.image`` content; ``upload`` is ``{"url": mxc}`` or, in an encrypted room, ``{"file": {...}}``."""
    return {"msgtype": "m.image", "body": alt, "info": {"mimetype": mimetype, "size": size}, **upload}


def transaction_id(cause: str, part: str) -> str:
    """A transaction id that is the same each time the same part of the same answer is sent.

    ``cause`` names what the message answers (the learner's event id, or one
    scheduled batch); a retried send then reuses the id and the homeserver
    keeps only one copy.
    """
    return "dc-" + hashlib.sha256(f"{cause}\0{part}".encode()).hexdigest()[:32]
