"""What the Matrix adapter keeps on disk next to nio's crypto store.

- the login (access token and device id) obtained once with a password, so
  every restart is the same device and can read what was sent while it was down;
- the sync token, saved only after every event of a sync was handed to the
  coach (nio saves its own before callbacks run, which loses events on a crash);
- the choices shown per room, so a typed number or a reaction that arrives
  after a restart still names the right choice;
- the account's cross-signing private keys, so every restart (and a new
  device after a lost crypto store) is signed by the same identity that
  learners verified.

Files are written atomically (write, then rename) and readable by the owner only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.adapters.matrix.cross_signing import CrossSigningKeys, KeyFileError
from lessons.chat import Choice

# Reactions on older messages still resolve, so the engine can call them stale.
MESSAGES_REMEMBERED = 20


@dataclass(frozen=True)
class Login:
    user_id: str
    device_id: str
    access_token: str


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        json.dump(data, file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class KeptCrossSigning:
    keys: CrossSigningKeys
    # Whether the keys were also put in secret storage and its recovery key shown;
    # until then every start tries again with a new recovery key.
    in_secret_storage: bool


class AdapterState:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.store_path = directory / "crypto-store"
        self._login_file = directory / "login.json"
        self._token_file = directory / "sync-token.json"
        self._choices_file = directory / "shown-choices.json"
        self.cross_signing_file = directory / "cross-signing.json"
        self._choices: dict[str, dict[str, Any]] = _read(self._choices_file) or {}

    def login(self, user_id: str) -> Login | None:
        data = _read(self._login_file)
        if not data or data.get("user_id") != user_id:
            return None
        return Login(data["user_id"], data["device_id"], data["access_token"])

    def save_login(self, login: Login) -> None:
        _write(self._login_file, login.__dict__)

    def sync_token(self) -> str | None:
        data = _read(self._token_file)
        return data.get("next_batch") if data else None

    def save_sync_token(self, token: str) -> None:
        _write(self._token_file, {"next_batch": token})

    def cross_signing(self, user_id: str) -> KeptCrossSigning | None:
        """The keys kept for ``user_id``, if any.

        ``KeyFileError`` if the file is damaged or holds another account's keys:
        private keys are never overwritten by a guess.
        """
        try:
            data = _read(self.cross_signing_file)
            if data is None:
                return None
            kept = KeptCrossSigning(CrossSigningKeys.from_json(data["keys"]), bool(data["in_secret_storage"]))
        except (KeyError, TypeError, ValueError) as error:
            raise KeyFileError(f"{self.cross_signing_file} is damaged ({error})") from error
        if kept.keys.user_id != user_id:
            raise KeyFileError(
                f"{self.cross_signing_file} holds the keys of {kept.keys.user_id}, not {user_id}: "
                "move it away if the bot account changed"
            )
        return kept

    def save_cross_signing(self, kept: KeptCrossSigning) -> None:
        _write(
            self.cross_signing_file,
            {"keys": kept.keys.to_json(), "in_secret_storage": kept.in_secret_storage},
        )

    def last_choices(self, room_id: str) -> tuple[Choice, ...]:
        return _choices(self._choices.get(room_id, {}).get("last", []))

    def choices_by_message(self, room_id: str) -> dict[str, tuple[Choice, ...]]:
        messages = self._choices.get(room_id, {}).get("messages", {})
        return {event_id: _choices(shown) for event_id, shown in messages.items()}

    def showing(self, room_id: str, choices: tuple[Choice, ...]) -> None:
        """Record the choices about to be sent, before the send: a crash then still knows them."""
        room = self._choices.setdefault(room_id, {"last": [], "messages": {}})
        room["last"] = _rows(choices)
        _write(self._choices_file, self._choices)

    def shown(self, room_id: str, event_id: str, choices: tuple[Choice, ...], poll: bool = False) -> None:
        room = self._choices.setdefault(room_id, {"last": [], "messages": {}})
        room["messages"][event_id] = _rows(choices)
        room["last_event"] = event_id
        polls: list[str] = room.setdefault("polls", [])
        if poll:
            polls.append(event_id)
        while len(room["messages"]) > MESSAGES_REMEMBERED:
            del room["messages"][next(iter(room["messages"]))]
        room["polls"] = [p for p in polls if p in room["messages"]]
        _write(self._choices_file, self._choices)

    def last_message(self, room_id: str) -> str | None:
        """The event that showed the choices last shown in the room (which typed answers pick from)."""
        last: str | None = self._choices.get(room_id, {}).get("last_event")
        return last

    def open_poll(self, room_id: str, event_id: str) -> bool:
        """``event_id`` is a quiz poll the bot sent in this room and has not ended yet."""
        return event_id in self._choices.get(room_id, {}).get("polls", [])

    def ended(self, room_id: str, event_id: str) -> None:
        room = self._choices.get(room_id, {})
        if event_id in room.get("polls", []):
            room["polls"].remove(event_id)
            _write(self._choices_file, self._choices)


def _rows(choices: tuple[Choice, ...]) -> list[list[str | bool | None]]:
    return [[c.id, c.label, c.ticked] for c in choices]


def _choices(rows: list[list[Any]]) -> tuple[Choice, ...]:
    # Rows saved before boxes were kept have no third field: a plain button.
    return tuple(Choice(row[0], row[1], row[2] if len(row) > 2 else None) for row in rows)
