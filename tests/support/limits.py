"""What the chat platforms accept, measured as they measure it: for tests of the renderers.

Telegram parses a message's HTML and counts the resulting text in UTF-16
code units (4,096 for a text, 1,024 for a caption); a tag left open or an
entity cut in two is refused. A Matrix homeserver refuses an event of 65,536
bytes or more, the whole event as it stores it (canonical JSON with the
envelope the server adds); in an encrypted room that event carries the
content encrypted, as matrix-nio writes it (ASCII-escaped JSON, then Megolm
and base64), which is a third larger than the content itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

import canonicaljson
import vodozemac

from bot.adapters.telegram.render import Call

TELEGRAM_LIMITS = {"text": 4096, "caption": 1024}
ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}
TOKEN = re.compile(r"<(/?)([a-z]+)>|&(?:lt|gt|amp|quot);|[<>&]|[^<>&]+")

# A homeserver refuses an event of this many bytes or more.
MATRIX_EVENT_LIMIT = 65_536
# What a homeserver adds to the content, generously: a long room id and sender, three
# earlier events, four auth events, hashes and a signature.
SERVER = "matrix.gemeente-sint-pieters-leeuw.example.be"
ROOM_ID = f"!{'r' * 18}:{SERVER}"
ENVELOPE: dict[str, Any] = {
    "auth_events": ["$" + "a" * 43] * 4,
    "prev_events": ["$" + "p" * 43] * 3,
    "depth": 10**9,
    "hashes": {"sha256": "h" * 43},
    "origin": SERVER,
    "origin_server_ts": 1_800_000_000_000,
    "room_id": ROOM_ID,
    "sender": f"@digicoach:{SERVER}",
    "signatures": {SERVER: {"ed25519:a_AbCd": "s" * 86}},
    "unsigned": {"age_ts": 1_800_000_000_000},
}
_session = vodozemac.GroupSession()


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def telegram_text(html: str) -> str:
    """The text Telegram makes of ``html``; ValueError where Telegram would refuse it."""
    text: list[str] = []
    open_tags: list[str] = []
    for match in TOKEN.finditer(html):
        token, closing, tag = match.group(0), match.group(1), match.group(2)
        if tag is not None:
            if tag not in ("b", "i"):
                raise ValueError(f"unsupported tag <{tag}>")
            if not closing:
                open_tags.append(tag)
            elif not open_tags or open_tags.pop() != tag:
                raise ValueError(f"unexpected end tag </{tag}>")
        elif token in ENTITIES:
            text.append(ENTITIES[token])
        elif token in "<>&":
            raise ValueError(f"a bare {token!r}: an entity or tag cut in two?")
        else:
            text.append(token)
    if open_tags:
        raise ValueError(f"tag <{open_tags[-1]}> left open")
    return "".join(text)


def telegram_length(call: Call) -> tuple[str, int]:
    """Which field of a Bot API call carries its text, and its length as Telegram counts it."""
    field = "caption" if call.method in ("send_photo", "send_document", "edit_message_caption") else "text"
    return field, units(telegram_text(call.params.get(field) or ""))


def telegram_fits(call: Call) -> bool:
    field, length = telegram_length(call)
    text = call.params.get(field) or ""
    return length <= TELEGRAM_LIMITS[field] and units(text) <= TELEGRAM_LIMITS[field]


def matrix_event_bytes(event_type: str, content: dict[str, Any]) -> tuple[int, int]:
    """Bytes of the event as a homeserver stores it: in a room without, and with encryption."""
    plain = canonicaljson.encode_canonical_json({**ENVELOPE, "type": event_type, "content": content})
    # What matrix-nio encrypts (nio.api.Api.to_json): json.dumps, so ASCII with \\u escapes.
    payload = json.dumps({"content": content, "type": event_type, "room_id": ROOM_ID}, separators=(",", ":"))
    encrypted = {
        "algorithm": "m.megolm.v1.aes-sha2",
        "sender_key": "k" * 43,
        "ciphertext": _session.encrypt(payload.encode()).to_base64(),
        "session_id": "i" * 43,
        "device_id": "ABCDEFGHIJ",
    }
    wrapped = canonicaljson.encode_canonical_json(
        {**ENVELOPE, "type": "m.room.encrypted", "content": encrypted}
    )
    return len(plain), len(wrapped)
