"""A learner as a real matrix-nio client: opens DMs, types, reacts, answers polls, and waits for the bot.

What the bot says arrives as notices (answers), texts (messages that ring:
invitations, reminders) and polls (quiz questions, under the MSC3381 names);
all three are collected as ``Notice``s, in order, with their text.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from nio import (
    AsyncClient,
    AsyncClientConfig,
    MatrixRoom,
    ReactionEvent,
    RoomCreateResponse,
    RoomEncryptedAudio,
    RoomEncryptedFile,
    RoomEncryptedImage,
    RoomMessageAudio,
    RoomMessageFile,
    RoomMessageImage,
    RoomMessageNotice,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
    UnknownEvent,
)

from tests.support.synapse import Account

DEADLINE_S = 30.0


POLL_START = "org.matrix.msc3381.poll.start"
POLL_END = "org.matrix.msc3381.poll.end"


@dataclass
class Notice:
    room_id: str
    event_id: str
    body: str
    # "m.notice", "m.text" or "poll"
    kind: str = "m.notice"
    # A poll's answers: (id, text).
    answers: tuple[tuple[str, str], ...] = ()


class Learner:
    def __init__(self, url: str, account: Account, store: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        config = AsyncClientConfig(encryption_enabled=True, max_limit_exceeded=0, max_timeouts=2)
        self.client = AsyncClient(url, account.user_id, store_path=str(store), config=config)
        self.client.restore_login(account.user_id, account.device_id, account.access_token)
        self.user_id = account.user_id
        self.notices: list[Notice] = []
        self.reactions: list[tuple[str, str, str]] = []  # (sender, reacts_to, key)
        self.images: list[RoomMessageImage | RoomEncryptedImage] = []
        self.files: list[RoomMessageFile | RoomEncryptedFile] = []
        self.audios: list[RoomMessageAudio | RoomEncryptedAudio] = []
        self.poll_ends: list[str] = []  # the polls the bot closed
        self.polls_seen = True  # False: a client without polls, which shows their text only
        self._seen = 0
        self._synced = False
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Learner:
        self.client.add_response_callback(self._on_sync, SyncResponse)
        self.client.add_event_callback(self._on_notice, RoomMessageNotice)
        self.client.add_event_callback(self._on_text, RoomMessageText)
        self.client.add_event_callback(self._on_unknown, UnknownEvent)
        self.client.add_event_callback(self._on_reaction, ReactionEvent)
        self.client.add_event_callback(self._on_image, (RoomMessageImage, RoomEncryptedImage))
        self.client.add_event_callback(self._on_file, (RoomMessageFile, RoomEncryptedFile))
        self.client.add_event_callback(self._on_audio, (RoomMessageAudio, RoomEncryptedAudio))
        self._task = asyncio.create_task(self.client.sync_forever(timeout=1000, full_state=True))
        await self.wait(lambda: self._synced, "the first sync")
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self.client.close()

    async def _on_sync(self, _response: SyncResponse) -> None:
        self._synced = True

    async def _on_notice(self, room: MatrixRoom, event: RoomMessageNotice) -> None:
        self.notices.append(Notice(room.room_id, event.event_id, event.body))

    async def _on_text(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender != self.user_id:
            self.notices.append(Notice(room.room_id, event.event_id, event.body, "m.text"))

    async def _on_unknown(self, room: MatrixRoom, event: UnknownEvent) -> None:
        content = event.source.get("content", {})
        if event.type == POLL_START:
            start = content[POLL_START]
            answers = tuple((a["id"], a["org.matrix.msc1767.text"]) for a in start["answers"])
            # A client with polls shows the question and its answers; one without, the fallback text.
            fallback = content.get("org.matrix.msc1767.text") or content.get("body", "")
            self.notices.append(Notice(room.room_id, event.event_id, fallback, "poll", answers))
        elif event.type == POLL_END:
            self.poll_ends.append(content["m.relates_to"]["event_id"])

    async def answer_poll(self, room_id: str, poll: Notice, text: str) -> str:
        """Pick the answer labelled ``text`` in a poll, as Element does: an encrypted poll response."""
        [answer] = [answer_id for answer_id, label in poll.answers if label == text]
        content = {
            "m.relates_to": {"rel_type": "m.reference", "event_id": poll.event_id},
            "org.matrix.msc3381.poll.response": {"answers": [answer]},
        }
        sent = await self.client.room_send(
            room_id, "org.matrix.msc3381.poll.response", content, ignore_unverified_devices=True
        )
        assert isinstance(sent, RoomSendResponse), sent
        return str(sent.event_id)

    async def _on_reaction(self, room: MatrixRoom, event: ReactionEvent) -> None:
        self.reactions.append((event.sender, event.reacts_to, event.key))

    async def _on_image(self, _room: MatrixRoom, event: RoomMessageImage | RoomEncryptedImage) -> None:
        self.images.append(event)

    async def _on_file(self, _room: MatrixRoom, event: RoomMessageFile | RoomEncryptedFile) -> None:
        self.files.append(event)

    async def _on_audio(self, _room: MatrixRoom, event: RoomMessageAudio | RoomEncryptedAudio) -> None:
        self.audios.append(event)

    async def download(self, mxc: str) -> bytes:
        """A file from the media repository, as the learner's app fetches it (ciphertext, if encrypted)."""
        server, _slash, media = mxc.removeprefix("mxc://").partition("/")
        request = urllib.request.Request(
            f"{self.client.homeserver}/_matrix/client/v1/media/download/{server}/{media}",
            headers={"Authorization": f"Bearer {self.client.access_token}"},
        )
        return await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=30).read())

    async def wait(self, condition, what: str, deadline_s: float = DEADLINE_S) -> None:
        deadline = time.monotonic() + deadline_s
        while not condition():
            if self._task is not None and self._task.done():
                self._task.result()
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {deadline_s:.0f} s for {what}; notices: {self.bodies()}")
            await asyncio.sleep(0.05)

    def bodies(self) -> list[str]:
        return [n.body[:80] for n in self.notices]

    async def open_dm(self, bot_user_id: str, *, encrypted: bool, also_invite: tuple[str, ...] = ()) -> str:
        state = (
            [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
            if encrypted
            else []
        )
        answer = await self.client.room_create(
            is_direct=not also_invite, invite=[bot_user_id, *also_invite], initial_state=state
        )
        assert isinstance(answer, RoomCreateResponse), answer
        return str(answer.room_id)

    def member(self, room_id: str, user_id: str) -> bool:
        room = self.client.rooms.get(room_id)
        return room is not None and user_id in room.users and user_id not in room.invited_users

    async def say(self, room_id: str, text: str) -> str:
        answer = await self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": text}, ignore_unverified_devices=True
        )
        assert isinstance(answer, RoomSendResponse), answer
        return str(answer.event_id)

    async def react(self, room_id: str, event_id: str, key: str) -> None:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        answer = await self.client.room_send(room_id, "m.reaction", content, ignore_unverified_devices=True)
        assert isinstance(answer, RoomSendResponse), answer

    async def expect(self, room_id: str, text: str, deadline_s: float = DEADLINE_S) -> Notice:
        """The next notice from now on in the room that contains ``text``; later ones stay unread."""

        found: list[Notice] = []

        def arrived() -> bool:
            for index in range(self._seen, len(self.notices)):
                if self.notices[index].room_id == room_id and text in self.notices[index].body:
                    self._seen = index + 1
                    found.append(self.notices[index])
                    return True
            return False

        await self.wait(arrived, repr(text), deadline_s)
        return found[0]
