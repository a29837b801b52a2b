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


def poll_end(poll_event_id: str, text: str) -> dict[str, Any]:
    """Close a poll once its answer was graded; ``text`` for clients without polls."""
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


def transaction_id(cause: str, part: str) -> str:
    """A transaction id that is the same each time the same part of the same answer is sent.

    ``cause`` names what the message answers (the learner's event id, or one
    scheduled batch); a retried send then reuses the id and the homeserver
    keeps only one copy.
    """
    return "dc-" + hashlib.sha256(f"{cause}\0{part}".encode()).hexdigest()[:32]
