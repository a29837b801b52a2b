"""Neutral reply -> Telegram Bot API call: pure, no network.

Text goes out as Telegram HTML with everything escaped, a title in bold;
choices become an inline keyboard whose callback data is the choice id (at
most 64 bytes by construction). A reply with a picture becomes ``sendPhoto``
with the text and the picture's description as caption, or a photo with its
description followed by the text when the text is longer than a caption may be;
a reply with a file (``/mydata``) becomes ``sendDocument`` the same way, the
text first, and a reply read aloud a ``sendVoice`` (Ogg Opus, Telegram's voice
note) the same way.

Telegram counts a message's length in UTF-16 code units (an emoji is two):
4,096 for a text, 1,024 for a caption. Every piece's HTML is held to that,
tags and entities included, which is never less than what Telegram counts
(the text after its HTML is parsed). Long text is cut in its plain form and
each piece escaped and formatted on its own (``bot.adapters.pieces``), so a
cut never falls inside ``&amp;`` or between ``<b>`` and ``</b>``.
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
from bot.adapters.pieces import Span, Style, cut
from lessons.chat import Audio, Choice, Document, Picture, Reply

# Labels this short sit two to a row; longer ones get a row of their own.
SHORT_LABEL = 14
TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)
CAPTION_LIMIT = int(MessageLimit.CAPTION_LENGTH)
TAGS = {Style.PLAIN: "", Style.TITLE: "b", Style.NOTE: "i"}


@dataclass(frozen=True)
class Call:
    """One Bot API call: the method and its parameters."""

    method: str
    chat_id: int
    params: dict[str, Any] = field(default_factory=dict)


def units(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def formatted(spans: list[Span]) -> str:
    """Spans as Telegram HTML: everything escaped, a title bold, a note in italics."""
    parts = []
    for span in spans:
        tag, text = TAGS[span.style], escape(span.text, quote=False)
        parts.append(f"<{tag}>{text}</{tag}>" if tag else text)
    return "".join(parts)


def _spans(reply: Reply) -> list[Span]:
    spans = [Span(reply.title, Style.TITLE), Span("\n")] if reply.title else []
    return [*spans, Span(reply.text)]


def html(reply: Reply) -> str:
    return formatted(_spans(reply))


def pieces(spans: list[Span], limit: int) -> list[str]:
    """The HTML of as few messages as ``spans`` fit in, each at most ``limit`` UTF-16 units."""
    # A character is at least one unit, so no piece is longer than the limit in characters.
    return [formatted(piece) for piece in cut(spans, lambda piece: units(formatted(piece)) <= limit, limit)]


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
    spans = _spans(reply)
    calls: list[Call] = []
    photo = photo_source(reply.picture) if reply.picture else None
    audio = reply.speech.audio if reply.speech else None
    if reply.picture is not None and photo is None:
        # The image file is missing: say what it shows rather than fail.
        spans += [Span("\n"), Span(f"[{reply.picture.alt}]", Style.NOTE)]
    if photo is not None:
        assert reply.picture is not None
        # Telegram has no alt text for a photo: its description goes under the caption, for
        # colleagues whose screen reader cannot see the picture.
        alt = [Span("\n"), Span(reply.picture.alt, Style.NOTE)] if reply.picture.alt.strip() else []
        caption = pieces([*spans, *alt], CAPTION_LIMIT)
        if len(caption) <= 1 and reply.document is None and audio is None:
            return [_photo(chat_id, photo, caption[0] if caption else "", markup)]
        calls.append(_photo(chat_id, photo, _short(reply.picture.alt), None))
    if reply.document is not None or audio is not None:
        # The text as the file's caption, or before it when too long for one; the keyboard on the file.
        caption = pieces(spans, CAPTION_LIMIT)
        texts = [] if len(caption) <= 1 else pieces(spans, TEXT_LIMIT)
        calls += [_message(chat_id, text, None) for text in texts]
        short = caption[0] if len(caption) == 1 else ""
        if reply.document is not None:
            calls.append(_document(chat_id, reply.document, short, markup if audio is None else None))
        if audio is not None:
            calls.append(_voice(chat_id, audio, "" if reply.document else short, markup))
        return calls
    texts = pieces(spans, TEXT_LIMIT)
    for n, text in enumerate(texts):
        calls.append(_message(chat_id, text, markup if n == len(texts) - 1 else None))
    return calls


def _short(alt: str) -> str:
    """A picture's description as its caption, cut to fit one."""
    return pieces([Span(alt, Style.NOTE)], CAPTION_LIMIT)[0] if alt.strip() else ""


def _message(chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> Call:
    params: dict[str, Any] = {"text": text, "parse_mode": ParseMode.HTML}
    if markup is not None:
        params["reply_markup"] = markup
    return Call("send_message", chat_id, params)


def _photo(chat_id: int, photo: str | Path, caption: str, markup: InlineKeyboardMarkup | None) -> Call:
    params: dict[str, Any] = {"photo": photo, "caption": caption, "parse_mode": ParseMode.HTML}
    if markup is not None:
        params["reply_markup"] = markup
    return Call("send_photo", chat_id, params)


def _document(chat_id: int, document: Document, caption: str, markup: InlineKeyboardMarkup | None) -> Call:
    """An upload: Telegram shows the file with its name, and the caption under it."""
    params: dict[str, Any] = {"document": document.data, "filename": document.filename}
    if caption:
        params |= {"caption": caption, "parse_mode": ParseMode.HTML}
    if markup is not None:
        params["reply_markup"] = markup
    return Call("send_document", chat_id, params)


def _voice(chat_id: int, audio: Audio, caption: str, markup: InlineKeyboardMarkup | None) -> Call:
    """An Ogg Opus upload: Telegram shows a voice note with its length, and the caption under it."""
    # Telegram takes whole seconds.
    params: dict[str, Any] = {"voice": Path(audio.path), "duration": max(1, round(audio.duration_ms / 1000))}
    if caption:
        params |= {"caption": caption, "parse_mode": ParseMode.HTML}
    if markup is not None:
        params["reply_markup"] = markup
    return Call("send_voice", chat_id, params)


def _edit(chat_id: int, message_id: int, part: str, html_text: str) -> Call:
    """Replace the message's ``text`` or ``caption``; without reply_markup its buttons go."""
    return Call(
        f"edit_message_{part}",
        chat_id,
        {"message_id": message_id, part: html_text, "parse_mode": ParseMode.HTML},
    )


def idempotent(call: Call) -> bool:
    """Made again, the call changes nothing: an edit to the same content ("message is not modified")."""
    return call.method.startswith("edit_message_")


def foldable(reply: Reply) -> bool:
    """A plain answer to a press (quiz feedback, "see you in an hour") can go into the pressed message."""
    return not reply.choices and reply.picture is None and reply.document is None and reply.speech is None


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
    if part == "text" and units(content + chosen) <= TEXT_LIMIT:
        return _edit(chat_id, message_id, "text", content + chosen)
    if feedback is not None:
        return None
    if part == "caption" and units(content + chosen) <= CAPTION_LIMIT:
        return _edit(chat_id, message_id, "caption", content + chosen)
    return Call("edit_message_reply_markup", chat_id, {"message_id": message_id})
