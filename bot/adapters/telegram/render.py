"""Neutral reply -> Telegram Bot API call: pure, no network.

Text goes out as Telegram HTML with everything escaped, a title in bold;
choices become an inline keyboard whose callback data is the choice id (at
most 64 bytes by construction). A reply with a picture becomes ``sendPhoto``
with the text and the picture's description as caption, or a photo with its
description followed by the text when the text is longer than a caption may be.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import MessageLimit, ParseMode

from bot.adapters.labels import label
from lessons.chat import Choice, Picture, Reply

# Labels this short sit two to a row; longer ones get a row of their own.
SHORT_LABEL = 14


@dataclass(frozen=True)
class Call:
    """One Bot API call: the method and its parameters."""

    method: str
    chat_id: int
    params: dict[str, Any] = field(default_factory=dict)


def html(reply: Reply) -> str:
    body = escape(reply.text, quote=False)
    if reply.title:
        return f"<b>{escape(reply.title, quote=False)}</b>\n{body}"
    return body


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    labels = [label(c) for c in choices]
    buttons = [
        InlineKeyboardButton(text, callback_data=c.id) for text, c in zip(labels, choices, strict=True)
    ]
    if all(len(text) <= SHORT_LABEL for text in labels):
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    else:
        rows = [[button] for button in buttons]
    return InlineKeyboardMarkup(rows)


def _pieces(text: str, limit: int) -> list[str]:
    """Split at line ends so each piece fits Telegram's message limit."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current:
        pieces.append(current)
    return pieces


def photo_source(picture: Picture) -> str | Path | None:
    """A URL as it is; a file (the lesson loader found it already) as an upload; None when it is gone."""
    if picture.path.startswith(("https://", "http://")):
        return picture.path
    path = Path(picture.path)
    return path if path.is_file() else None


def render(reply: Reply) -> list[Call]:
    """The calls that show ``reply`` to its chat, in order; the keyboard rides on the last."""
    chat_id = int(reply.to.chat_id)
    markup = keyboard(reply.choices)
    text = html(reply)
    calls: list[Call] = []
    photo = photo_source(reply.picture) if reply.picture else None
    if reply.picture is not None and photo is None:
        # The image file is missing: say what it shows rather than fail.
        text += f"\n<i>[{escape(reply.picture.alt, quote=False)}]</i>"
    if photo is not None:
        assert reply.picture is not None
        # Telegram has no alt text for a photo: its description goes under the caption, for
        # colleagues whose screen reader cannot see the picture.
        alt = f"<i>{escape(reply.picture.alt, quote=False)}</i>"
        if len(text) + 1 + len(alt) <= MessageLimit.CAPTION_LENGTH:
            return [_photo(chat_id, photo, f"{text}\n{alt}", markup)]
        calls.append(_photo(chat_id, photo, alt, None))
    pieces = _pieces(text, MessageLimit.MAX_TEXT_LENGTH)
    for n, piece in enumerate(pieces):
        params: dict[str, Any] = {"text": piece, "parse_mode": ParseMode.HTML}
        if n == len(pieces) - 1 and markup is not None:
            params["reply_markup"] = markup
        calls.append(Call("send_message", chat_id, params))
    return calls


def _photo(chat_id: int, photo: str | Path, caption: str, markup: InlineKeyboardMarkup | None) -> Call:
    params: dict[str, Any] = {"photo": photo, "caption": caption, "parse_mode": ParseMode.HTML}
    if markup is not None:
        params["reply_markup"] = markup
    return Call("send_photo", chat_id, params)


def _edit(chat_id: int, message_id: int, part: str, html_text: str) -> Call:
    """Replace the message's ``text`` or ``caption``; without reply_markup its buttons go."""
    return Call(
        f"edit_message_{part}",
        chat_id,
        {"message_id": message_id, part: html_text, "parse_mode": ParseMode.HTML},
    )


def foldable(reply: Reply) -> bool:
    """A plain answer to a press (quiz feedback, "see you in an hour") can go into the pressed message."""
    return not reply.choices and reply.picture is None


def press_origin(message: Message, choice_id: str) -> str | None:
    """What ``pressed`` needs of the message that carried a pressed button, kept with the reply (JSON).

    None when no button of that message has this choice id (a forged or stale
    press), so such a press never changes a message.
    """
    markup = message.reply_markup
    if markup is None:
        return None
    shown = next(
        (b.text for row in markup.inline_keyboard for b in row if b.callback_data == choice_id),
        None,
    )
    if shown is None:
        return None
    part, content = (
        ("text", message.text_html)
        if message.text is not None
        else ("caption", message.caption_html)
        if message.caption is not None
        else (None, "")
    )
    return json.dumps(
        {
            "chat": message.chat.id,
            "message": message.message_id,
            "part": part,
            "html": content,
            "shown": shown,
        },
        ensure_ascii=False,
    )


def pressed(origin: str, feedback: Reply | None = None) -> Call | None:
    """After a button press: the message that carried it, without buttons, showing the choice.

    With ``feedback`` (see ``foldable``), the edit shows it under the choice:
    the chat stays tidy and the learner's answer and its feedback stay together,
    in one Bot API call instead of two. None when the feedback does not fit.
    """
    data = json.loads(origin)
    chat_id, message_id, part, content = data["chat"], data["message"], data["part"], data["html"]
    chosen = f"\n\n<i>→ {escape(data['shown'], quote=False)}</i>"
    if feedback is not None:
        chosen += "\n\n" + html(feedback)
    if part == "text" and len(content) + len(chosen) <= MessageLimit.MAX_TEXT_LENGTH:
        return _edit(chat_id, message_id, "text", content + chosen)
    if feedback is not None:
        return None
    if part == "caption" and len(content) + len(chosen) <= MessageLimit.CAPTION_LENGTH:
        return _edit(chat_id, message_id, "caption", content + chosen)
    return Call("edit_message_reply_markup", chat_id, {"message_id": message_id})
