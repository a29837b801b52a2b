"""The Matrix connection: login once, sync, hand events to the coach, send its replies.

Runs on the app's asyncio loop. End-to-end encryption is on (vodozemac via
matrix-nio); the device and its crypto store live in the data directory and
are reused on every start, so the bot reads what learners sent while it was
down. The sync token is saved only after all events of a sync were handled;
the engine drops an event it already handled (by Matrix event id), so a crash
neither loses nor repeats an answer. Replies are sent from the coach's stored
outbox with a transaction id made from the reply's own id, so a reply sent
again after a crash is kept once by the homeserver.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
import mimetypes
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import ClientError
from nio import (
    AsyncClient,
    AsyncClientConfig,
    ErrorResponse,
    JoinError,
    LoginResponse,
    MegolmEvent,
    ReactionEvent,
    RoomMemberEvent,
    RoomMessagesResponse,
    RoomMessageText,
    RoomSendResponse,
    SyncError,
    SyncResponse,
    UnknownEvent,
    UploadResponse,
)
from nio.exceptions import LocalProtocolError

from bot import metrics
from bot.adapters import Handler, Outcome, Report
from bot.adapters.matrix import render
from bot.adapters.matrix.convert import PLATFORM, Incoming, allowed, convert, is_one_to_one
from bot.adapters.matrix.state import AdapterState, Login
from bot.adapters.matrix.verification import at_start as cross_sign_at_start
from bot.adapters.pieces import TooLargeError
from bot.adapters.stopping import unless_stopped
from bot.masking import keep_secret
from bot.sharing import HeldAlone, Role, Sharing
from lessons.chat import (
    Address,
    Audio,
    ChoiceSelected,
    Command,
    Document,
    Outgoing,
    Reply,
    Sender,
    Speech,
)
from lessons.i18n import _, use_locale
from lessons.model import LANGUAGES

log = logging.getLogger(__name__)

T = TypeVar("T")

SYNC_TIMEOUT_MS = 30_000
# Room timelines in one sync: enough to catch up on what learners sent while down.
SYNC_FILTER = {"room": {"timeline": {"limit": 100}}}
FIRST_SYNC_FILTER = {"room": {"timeline": {"limit": 0}}}
# Events paged back per room when a sync's timeline was cut short after a long downtime.
CATCH_UP_LIMIT = 1000
SEND_ATTEMPTS = 6
# Waits between tries grow to this, with jitter: the homeserver is polled again soon after it is back.
MAX_BACKOFF_S = 10.0


class UnknownRoomError(RuntimeError):
    """A reply is for a room the client does not know (yet)."""


class MatrixLoginError(RuntimeError):
    """The homeserver refused the login or the token; the message says what to fix."""


class SendFailedError(RuntimeError):
    """The homeserver could not be reached (or kept limiting us) within the tries or the time given."""


class RefusedError(RuntimeError):
    """The homeserver answered with an error that trying again will not change."""

    def __init__(self, what: str, errcode: str) -> None:
        super().__init__(f"{what}: {errcode}")
        self.errcode = errcode


def backoff(attempt: int, retry_after_ms: int | None = None) -> float:
    """Seconds to wait before try ``attempt + 1``: the server's word, else doubling from 1 s, with jitter."""
    if retry_after_ms is not None:
        return retry_after_ms / 1000
    return float(min(2 ** (attempt - 1), MAX_BACKOFF_S)) * (0.75 + random.random() / 2)


def _in_every_language(say: Callable[[], str]) -> str:
    """For people whose language the adapter cannot know: every language, one paragraph each."""
    texts = []
    for language in LANGUAGES:
        with use_locale(language):
            texts.append(say())
    return "\n\n".join(texts)


def _notice(room_id: str, text: str) -> dict[str, Any]:
    return render.notice(Reply(Address(PLATFORM, room_id), text))


class EverySyncClient(AsyncClient):  # type: ignore[misc]  # nio ships no type information
    """A client that takes in every sync answer, including one whose token it has seen.

    nio ignores a sync answer, rooms and all, whose ``next_batch`` equals the last one it
    took in. After a restart with nothing new since the saved token the homeserver answers
    with exactly that token, so the rooms stayed unknown and nothing could be sent to them;
    and with a send-time sync running beside the long poll, the long poll's answer could be
    ignored undecrypted. Each sync here names its own ``since``, so the client's
    ``next_batch`` only ever served that comparison.
    """

    async def receive_response(self, response: Any) -> None:
        if isinstance(response, SyncResponse):
            self.next_batch = None
        await super().receive_response(response)


class MatrixAdapter:
    platform = PLATFORM
    # Matrix sends an event again only when a sync is repeated from the saved token,
    # which covers the last sync before a crash: a week is a wide margin.
    redelivery = timedelta(days=7)
    # `digicoach matrix verify` turns it off to cross-sign with its own options.
    cross_sign_at_start = True

    def __init__(
        self,
        homeserver: str,
        user_id: str,
        data_dir: Path,
        allowed_servers: tuple[str, ...],
        access_token: str | None = None,
        device_id: str | None = None,
        password: str | None = None,
    ) -> None:
        self.homeserver = homeserver
        self.user_id = user_id
        self.allowed_servers = allowed_servers
        self._access_token = access_token
        self._device_id = device_id
        self._password = password
        self.state = AdapterState(data_dir)
        self._client: AsyncClient | None = None
        self._stopped = asyncio.Event()
        self._connecting = asyncio.Lock()
        self._seeding: set[asyncio.Task[None]] = set()
        # The last sync reached the homeserver; /healthz reads it.
        self._in_sync = False
        # The token after the last sync whose events were all handled (None: never synced).
        self._since: str | None = None
        # One process syncs and sends for an account: its crypto store has one writer (``share``).
        self._role: Role = HeldAlone(f"matrix:{user_id}")

    # -- connection ---------------------------------------------------------

    def _new_client(self) -> AsyncClient:
        # Login, keys and room keys: the coach's user only, the folders too.
        self.state.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.state.store_path.mkdir(parents=True, exist_ok=True, mode=0o700)
        config = AsyncClientConfig(
            encryption_enabled=True,
            store_sync_tokens=False,
            # nio would sleep and retry on its own, silently; we retry, and say so.
            max_limit_exceeded=0,
            max_timeouts=0,
            request_timeout=SYNC_TIMEOUT_MS / 1000 + 30,
        )
        return EverySyncClient(
            self.homeserver, self.user_id, store_path=str(self.state.store_path), config=config
        )

    async def _login(self, client: AsyncClient) -> Login:
        if self._access_token and self._device_id:
            return Login(self.user_id, self._device_id, self._access_token)
        if (kept := self.state.login(self.user_id)) is not None:
            return kept
        if not self._password:
            raise MatrixLoginError(
                "set MATRIX_ACCESS_TOKEN and MATRIX_DEVICE_ID, or MATRIX_PASSWORD for a first login"
            )
        # A homeserver down at the first start is waited for, as long as it takes (as Telegram is).
        answer = await self._retrying(
            "log in", lambda: client.login(self._password, device_name="digicoach"), deadline=math.inf
        )
        if not isinstance(answer, LoginResponse):
            raise MatrixLoginError(f"the homeserver refused the login of {self.user_id}: {answer}")
        login = Login(answer.user_id, answer.device_id, answer.access_token)
        self.state.save_login(login)
        log.warning(
            "logged in as %s with new device %s; the token is kept in %s",
            login.user_id,
            login.device_id,
            self.state.directory,
        )
        return login

    async def connect(self) -> AsyncClient:
        async with self._connecting:
            if self._client is None:
                client = self._new_client()
                login = await self._login(client)
                keep_secret(login.access_token)  # from the data dir or a first login: never logged
                # Never a new device per start: the same device and store each time.
                client.restore_login(login.user_id, login.device_id, login.access_token)
                self._since = self.state.sync_token()
                if self.cross_sign_at_start:
                    await cross_sign_at_start(client, self.state, self._password)
                self._client = client
            return self._client

    async def close(self) -> None:
        await asyncio.gather(*self._seeding, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
            self._client = None

    # -- retries ------------------------------------------------------------

    async def _retrying(
        self, what: str, call: Callable[[], Awaitable[T]], deadline: float | None = None
    ) -> T:
        """``call`` until it is not rate limited and reaches the server; log every wait.

        With a ``deadline`` (on ``time.monotonic``) it tries until then, however
        many tries that takes; without, ``SEND_ATTEMPTS`` times.
        """
        attempt = 0
        while True:
            attempt += 1
            last = deadline is None and attempt == SEND_ATTEMPTS
            try:
                answer = await call()
            except (ClientError, TimeoutError) as error:
                wait = backoff(attempt)
                if last or (deadline is not None and time.monotonic() + wait > deadline):
                    raise SendFailedError(f"{what}: {error}") from error
                log.warning("%s: homeserver unreachable (%s); trying again in %.0f s", what, error, wait)
            else:
                if not (isinstance(answer, ErrorResponse) and answer.status_code == "M_LIMIT_EXCEEDED"):
                    return answer
                wait = backoff(attempt, answer.retry_after_ms)
                metrics.rate_limited("matrix", wait)
                if last or (deadline is not None and time.monotonic() + wait > deadline):
                    raise SendFailedError(f"{what}: still rate limited after {attempt} tries")
                log.warning("%s: rate limited by the homeserver; trying again in %.1f s", what, wait)
            await asyncio.sleep(wait)

    # -- receiving ----------------------------------------------------------

    async def run(self, handle: Handler) -> None:
        if not self._role.held:
            log.info("Matrix %s: another coach process serves it; this one stands by", self.user_id)
        await self._until_stopped(self._role.taken())
        if self._stopped.is_set():
            return
        watching = asyncio.create_task(self._stop_when_role_lost())
        try:
            client = await self._until_stopped(self.connect())
            if client is None:
                return
            await self._sync_forever(client, handle)
        except (MatrixLoginError, SendFailedError) as error:
            # A setting to fix or a server that never answered the first login,
            # not a crash: one clear line for the operator.
            raise SystemExit(f"digicoach: Matrix: {error}") from None
        finally:
            watching.cancel()

    def share(self, sharing: Sharing) -> None:
        """Among several coach processes: the one holding this account's role syncs and sends for it."""
        self._role = sharing.role(f"matrix:{self.user_id}")

    @property
    def sending(self) -> bool:
        """Only the process holding the account's role sends: it alone has the crypto store's sessions."""
        return self._role.held

    async def _stop_when_role_lost(self) -> None:
        await self._role.lost()
        if not self._stopped.is_set():
            # The crypto store must never have two writers: this process leaves Matrix for good.
            log.error(
                "Matrix %s: lost the database lease; this process stops serving Matrix "
                "(restart it to stand by for the role again)",
                self.user_id,
            )
            self.stop()

    @property
    def connected(self) -> bool:
        """Logged in, and the last sync reached the homeserver."""
        return self._client is not None and self._in_sync

    def stop(self) -> None:
        """Take no new events: a sync under way is abandoned, a sync being handled is finished."""
        self._stopped.set()

    async def _until_stopped(self, call: Awaitable[T]) -> T | None:
        return await unless_stopped(self._stopped, call)

    async def _sync_forever(self, client: AsyncClient, handle: Handler) -> None:
        first = True
        failures = 0
        while not self._stopped.is_set():
            # A first start ever skips old history; a restart catches up from the saved token.
            since = self._since
            fresh = since is None
            if fresh:
                client.next_batch = None  # not a send-time sync's token: the first sync starts now
            try:
                response = await self._until_stopped(
                    client.sync(
                        timeout=0 if first else SYNC_TIMEOUT_MS,
                        sync_filter=FIRST_SYNC_FILTER if fresh else SYNC_FILTER,
                        full_state=first or None,
                        since=since,
                    )
                )
                if response is None:
                    return
            except (ClientError, TimeoutError) as error:
                failures += 1
                await self._pause(failures, f"cannot reach {self.homeserver} ({error})")
                continue
            if isinstance(response, SyncError):
                if response.status_code in ("M_UNKNOWN_TOKEN", "M_FORBIDDEN"):
                    raise MatrixLoginError(f"the homeserver refused the access token: {response}")
                failures += 1
                await self._pause(failures, f"sync failed ({response})", response.retry_after_ms)
                continue
            try:
                await self._keep_keys(client)
                await self._handle_sync(client, response, since, handle)
            except (ClientError, TimeoutError, SendFailedError, RefusedError) as error:
                # Sync this stretch again (``_since`` stays): the coach drops the events it already handled.
                failures += 1
                await self._pause(failures, f"lost {self.homeserver} while handling a sync ({error})")
                continue
            failures = 0
            self._in_sync = True
            self._since = response.next_batch
            self.state.save_sync_token(response.next_batch)
            first = False

    async def _pause(self, failures: int, why: str, retry_after_ms: int | None = None) -> None:
        self._in_sync = False
        wait = backoff(failures, retry_after_ms)
        log.warning("%s; trying again in %.0f s", why, wait)
        await self._until_stopped(asyncio.sleep(wait))

    async def _keep_keys(self, client: AsyncClient) -> None:
        """What nio's sync_forever does between syncs: key upload, query, claim, to-device."""
        await client.send_to_device_messages()
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())

    async def _missed(self, client: AsyncClient, room_id: str, gap: str | None, since: str) -> list[Any]:
        """The events a limited timeline left out, oldest first: paged back from the gap to ``since``."""
        events: list[Any] = []
        while gap is not None and len(events) < CATCH_UP_LIMIT:
            page = await self._retrying(
                "catch up", partial(client.room_messages, room_id, start=gap, end=since, limit=100)
            )
            if not isinstance(page, RoomMessagesResponse) or not page.chunk:
                break
            events += page.chunk
            gap = page.end if page.end != gap else None
        log.info("caught up on %d event(s) in %s that the sync left out", len(events), room_id)
        return events[::-1]

    async def _handle_sync(
        self, client: AsyncClient, response: SyncResponse, since: str | None, handle: Handler
    ) -> None:
        for room_id in response.rooms.invite:
            await self._on_invite(client, room_id)
        for room_id, info in response.rooms.join.items():
            room = client.rooms.get(room_id)
            if room is None:
                continue
            members = {user: "join" for user in room.users} | {user: "invite" for user in room.invited_users}
            joined_now = any(
                isinstance(e, RoomMemberEvent) and e.state_key == self.user_id and e.membership == "join"
                for e in info.timeline.events
            )
            if not is_one_to_one(members, self.user_id):
                if joined_now:
                    await self._refuse(room_id, self._group_room_text())
                continue
            events = info.timeline.events
            if info.timeline.limited and since is not None:
                events = [*await self._missed(client, room_id, info.timeline.prev_batch, since), *events]
            for event in events:
                await self._on_event(room_id, room.user_name, event, joined_now, handle)

    async def _on_invite(self, client: AsyncClient, room_id: str) -> None:
        inviter = getattr(client.invited_rooms.get(room_id), "inviter", None) or ""
        if not allowed(inviter, self.allowed_servers):
            # We cannot explain without joining, and joining a foreign room is what we refuse.
            log.info("declining invite to %s from %s: server not allowed", room_id, inviter)
            await self._retrying("decline invite", lambda: client.room_leave(room_id))
            return
        answer = await self._retrying("join", lambda: client.join(room_id))
        if isinstance(answer, JoinError):
            log.warning("could not join %s: %s", room_id, answer)

    async def _on_event(
        self,
        room_id: str,
        name_of: Callable[[str], str | None],
        event: Any,
        joined_now: bool,
        handle: Handler,
    ) -> None:
        sender = getattr(event, "sender", "")
        if sender == self.user_id:
            if isinstance(event, RoomMemberEvent) and event.membership == "join" and joined_now:
                await self._greet(room_id, event, handle)
            return
        if isinstance(event, MegolmEvent):
            metrics.UNDECRYPTABLE.inc()
            log.warning("cannot decrypt %s from %s in %s (no session key)", event.event_id, sender, room_id)
            if allowed(sender, self.allowed_servers):
                # Silence would leave the learner waiting; the reply is keyed on the
                # event, so a re-delivered sync does not send it twice.
                unreadable = _in_every_language(
                    lambda: _("I could not read your last message. Please send it again.")
                )
                await self._send_notice(room_id, _notice(room_id, unreadable), f"unreadable:{event.event_id}")
            return
        if isinstance(event, RoomMessageText):
            incoming = Incoming(self._key(event.event_id), sender, room_id, name_of(sender), body=event.body)
        elif isinstance(event, ReactionEvent):
            incoming = Incoming(
                self._key(event.event_id),
                sender,
                room_id,
                name_of(sender),
                reaction_key=event.key,
                reacts_to=event.reacts_to,
            )
        elif isinstance(event, UnknownEvent) and event.type in render.POLL_RESPONSE_TYPES:
            content = event.source.get("content", {})
            relates = content.get("m.relates_to") or {}
            incoming = Incoming(
                self._key(event.event_id),
                sender,
                room_id,
                name_of(sender),
                poll_answer=render.poll_answer(content),
                poll_id=relates.get("event_id"),
            )
        else:
            return
        if not allowed(sender, self.allowed_servers):
            log.info("ignoring %s from %s: server not allowed", event.event_id, sender)
            return
        neutral = convert(incoming, self.state.last_choices(room_id), self.state.choices_by_message(room_id))
        if isinstance(neutral, ChoiceSelected) and neutral.origin is None:
            # A typed number or label picks from the choices last shown: that message carried it.
            neutral = dataclasses.replace(neutral, origin=self.state.last_message(room_id))
        if neutral is not None:
            await handle(neutral)  # the replies are stored; the courier sends them

    async def _greet(self, room_id: str, join: RoomMemberEvent, handle: Handler) -> None:
        """Joining a DM starts the onboarding for whoever invited us, once per join."""
        client = await self.connect()
        room = client.rooms[room_id]
        learner = next((user for user in room.users | room.invited_users if user != self.user_id), None)
        if learner is None or not allowed(learner, self.allowed_servers):
            return
        start = Command(
            Sender(PLATFORM, learner, room_id, room.user_name(learner)), "start", "", self._key(join.event_id)
        )
        await handle(start)

    def _key(self, event_id: str) -> str:
        """The event's id for the coach: with the bot's own account, as handled ids are per bot."""
        return f"mx:{self.user_id}:{event_id}"

    @staticmethod
    def _group_room_text() -> str:
        return _in_every_language(
            lambda: _(
                "Hello! I am a personal coach and only talk one to one. "
                "Please start a direct chat with me instead. I will leave this room now."
            )
        )

    async def _refuse(self, room_id: str, text: str) -> None:
        client = await self.connect()
        await self._send_notice(room_id, _notice(room_id, text), f"refuse:{room_id}")
        await self._retrying("leave", lambda: client.room_leave(room_id))

    # -- sending ------------------------------------------------------------

    async def deliver(self, replies: Sequence[Outgoing], report: Report) -> None:
        """Send one room's stored replies in order; feedback leads the next reply in one notice."""
        client = await self.connect()
        room_id = replies[0].reply.to.chat_id
        if room_id not in client.rooms:
            # Not "no rooms at all": right after a start, the first sync may have filled in some
            # rooms and not yet this one, and nio refuses to send to a room it does not know.
            await self._learn_rooms(client)
        if room_id not in client.rooms:
            # Kept stored, sent at a later sweep until its lifetime ends: never dropped for this.
            raise UnknownRoomError(f"the homeserver has not (yet) told this coach about room {room_id}")
        by_reply = {id(r.reply): r for r in replies}
        for lead, reply in render.with_leads([r.reply for r in replies]):
            outgoing = by_reply[id(reply)]
            first = by_reply[id(lead)] if lead is not None else outgoing
            covered = [first, outgoing] if lead is not None else [outgoing]
            deadline = time.monotonic() + (outgoing.expires_at - datetime.now(UTC)).total_seconds()
            try:
                # The same reply sent again keeps its transaction id; the time tells apart a
                # reply of another database that happens to have the same number.
                cause = f"reply:{outgoing.id}:{outgoing.expires_at.timestamp():.0f}"
                if first.origin is not None and self.state.open_poll(reply.to.chat_id, first.origin):
                    # The question is answered and graded: close its poll.
                    ended = render.poll_end(first.origin, render.body(lead or reply).split("\n", 1)[0])
                    await self._send(reply.to.chat_id, render.POLL_END, ended, f"{cause}:end", deadline)
                    self.state.ended(reply.to.chat_id, first.origin)
                await self._send_reply(cause, reply, lead, deadline)
            except SendFailedError as error:
                log.error("could not send a message to %s in time: %s", reply.to.chat_id, error)
                await report(covered, Outcome.EXPIRED)
                continue
            except RefusedError as error:
                log.error("the homeserver refused a message to %s: %s", reply.to.chat_id, error)
                # Not in the room any more (the learner left it): the chat refuses the bot.
                await report(covered, Outcome.BLOCKED if error.errcode == "M_FORBIDDEN" else Outcome.REFUSED)
                continue
            except (LocalProtocolError, TooLargeError) as error:
                log.error("could not send a message to %s: %s", reply.to.chat_id, error)
                await report(covered, Outcome.REFUSED)
                continue
            await report(covered, Outcome.SENT)

    async def _learn_rooms(self, client: AsyncClient) -> None:
        """Room state without events, for sending before ``run`` has synced.

        From the last handled sync's token, which stays: the events since then are
        ``run``'s to hand to the coach.
        """
        response = await self._retrying(
            "sync room state",
            lambda: client.sync(timeout=0, sync_filter=FIRST_SYNC_FILTER, full_state=True, since=self._since),
        )
        if isinstance(response, SyncError):
            log.error("cannot learn the rooms to send to: %s", response)
        try:
            await self._keep_keys(client)
        except (ClientError, TimeoutError) as error:
            log.warning("could not update encryption keys before sending (%s)", error)

    async def _send_reply(
        self, cause: str, reply: Reply, lead: Reply | None = None, deadline: float | None = None
    ) -> None:
        room_id = reply.to.chat_id
        if reply.picture is not None:
            await self._send_picture(room_id, reply.picture.path, reply.picture.alt, cause, deadline)
        if reply.speech is not None and reply.speech.audio is not None:
            await self._send_voice(room_id, reply.speech, reply.speech.audio, cause, deadline)
        *before, (event_type, content) = render.messages(reply, lead)
        for n, (earlier_type, earlier) in enumerate(before):
            # Each piece of a long text its own transaction id; the last keeps the reply's.
            await self._send(room_id, earlier_type, earlier, f"{cause}:piece{n}", deadline)
        if reply.choices:
            self.state.showing(room_id, reply.choices)
        event_id = await self._send(room_id, event_type, content, cause, deadline)
        if reply.document is not None:
            await self._send_file(room_id, reply.document, cause, deadline)
        if event_type == render.POLL_START:
            self.state.shown(room_id, event_id, reply.choices, poll=True)
            return
        if reply.choices:
            self.state.shown(room_id, event_id, reply.choices)
        if render.reaction_keys(reply):
            # Cosmetic and independent of each other: sent at once, in the background,
            # so the next learner message is not held up by them.
            task = asyncio.create_task(self._seed_reactions(room_id, event_id, reply, cause))
            self._seeding.add(task)
            task.add_done_callback(self._seeding.discard)

    async def _seed_reactions(self, room_id: str, event_id: str, reply: Reply, cause: str) -> None:
        sends = (
            self._send(room_id, "m.reaction", render.reaction(event_id, key), f"{cause}:{key}")
            for key in render.reaction_keys(reply)
        )
        for failed in await asyncio.gather(*sends, return_exceptions=True):
            if isinstance(failed, Exception):
                log.warning("could not add a number reaction in %s: %s", room_id, failed)

    async def _send_notice(
        self, room_id: str, content: dict[str, Any], cause: str, deadline: float | None = None
    ) -> str:
        return await self._send(room_id, "m.room.message", content, cause, deadline)

    async def _send(
        self,
        room_id: str,
        event_type: str,
        content: dict[str, Any],
        cause: str,
        deadline: float | None = None,
    ) -> str:
        """Send one event; its id. The transaction id comes from ``cause``: sent again, it is kept once."""
        client = await self.connect()
        txn = render.transaction_id(cause, event_type)
        answer = await self._retrying(
            f"send to {room_id}",
            lambda: client.room_send(room_id, event_type, content, tx_id=txn, ignore_unverified_devices=True),
            deadline,
        )
        if isinstance(answer, RoomSendResponse):
            return str(answer.event_id)
        raise RefusedError(f"send to {room_id}", getattr(answer, "status_code", None) or str(answer))

    async def _send_picture(
        self, room_id: str, path: str, alt: str, cause: str, deadline: float | None = None
    ) -> None:
        file = Path(path)
        if not file.is_file():
            log.warning("picture %s not found; sending its description only", path)
            # Its own transaction id: with the reply's, the homeserver would keep only one of the two.
            await self._send_notice(
                room_id,
                render.notice(Reply(Address(PLATFORM, room_id), f"[{alt}]")),
                f"{cause}:img",
                deadline,
            )
            return
        mimetype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        data = file.read_bytes()
        where = await self._upload(room_id, file.name, mimetype, data, deadline)
        if where is None:
            log.error("could not upload picture %s", path)
            return
        await self._send(
            room_id, "m.room.message", render.image(alt, mimetype, len(data), where), f"{cause}:img", deadline
        )

    async def _send_file(self, room_id: str, document: Document, cause: str, deadline: float | None) -> None:
        """A file (``/mydata``): uploaded, encrypted in an encrypted room, then an ``m.file`` event."""
        where = await self._upload(room_id, document.filename, document.mimetype, document.data, deadline)
        if where is None:
            raise RefusedError(f"upload {document.filename} to {room_id}", "M_UPLOAD_FAILED")
        content = render.file(document.filename, document.mimetype, len(document.data), where)
        await self._send(room_id, "m.room.message", content, f"{cause}:file", deadline)

    async def _send_voice(
        self, room_id: str, speech: Speech, audio: Audio, cause: str, deadline: float | None
    ) -> None:
        """A card read aloud: the Ogg Opus file uploaded (encrypted in an encrypted room), an ``m.audio``."""
        data = await asyncio.to_thread(Path(audio.path).read_bytes)
        # Its name is what a client without voice messages shows.
        with use_locale(speech.language):
            name = _("Read aloud") + ".ogg"
        where = await self._upload(room_id, name, "audio/ogg", data, deadline)
        if where is None:
            raise RefusedError(f"upload {name} to {room_id}", "M_UPLOAD_FAILED")
        content = render.audio(name, len(data), audio.duration_ms, where)
        await self._send(room_id, "m.room.message", content, f"{cause}:voice", deadline)

    async def _upload(
        self, room_id: str, name: str, mimetype: str, data: bytes, deadline: float | None
    ) -> dict[str, Any] | None:
        """Put ``data`` in the media repository; how an event points at it, or None if refused.

        In an encrypted room the homeserver gets only ciphertext; the key travels
        in the (encrypted) event that points at it.
        """
        client = await self.connect()
        encrypted = client.rooms[room_id].encrypted if room_id in client.rooms else False
        uploaded, keys = await self._retrying(
            f"upload {name}",
            lambda: client.upload(
                lambda _got_429, _got_timeouts: data, mimetype, name, encrypt=encrypted, filesize=len(data)
            ),
            deadline,
        )
        if not isinstance(uploaded, UploadResponse):
            log.error("the homeserver refused the upload of %s: %s", name, uploaded)
            return None
        if encrypted:
            return {"file": {**(keys or {}), "url": uploaded.content_uri}}
        return {"url": uploaded.content_uri}
