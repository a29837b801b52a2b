"""Sends the replies the coach stored, in order per chat, and tells the coach what became of each.

One worker per chat with something to send: a chat's replies keep their order
while chats go side by side (the adapter paces them within its platform's
limits). New replies come straight from the coach; a sweep of the stored
outbox picks up what a crash or restart left behind. A reply leaves the
outbox only once its platform took it, so the window for a reply to go out
twice is the moment between the platform's answer and that record.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import median
from typing import Protocol

from bot import logs, metrics
from bot.adapters import Adapter, Outcome
from bot.speech import Speaker, without_sound
from lessons.chat import Address, Outgoing
from storage.states import ReplyStatus

log = logging.getLogger(__name__)

# How often the stored outbox is read for replies nobody handed over (after a restart).
SWEEP_SECONDS = 10.0
PAGE = 500

ChatKey = tuple[str, str]  # (platform, chat id)


class Ledger(Protocol):
    """Where the courier reads the stored outbox and records what became of each reply (the app)."""

    async def waiting(self, platform: str, after: int, limit: int) -> list[Outgoing]: ...

    async def keep_sending(self, platforms: list[str]) -> None: ...

    async def sent(self, ids: list[int]) -> None: ...

    async def not_sent(self, ids: list[int], why: ReplyStatus) -> None: ...

    async def unreachable(self, address: Address) -> None: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Courier:
    ledger: Ledger
    adapters: Mapping[str, Adapter]
    clock: Callable[[], datetime] = _utc_now
    # Makes the sound of a reply read aloud, just before it is sent; None: such replies go as text.
    speaker: Speaker | None = None
    _queues: dict[ChatKey, deque[Outgoing]] = field(default_factory=dict, init=False)
    _workers: dict[ChatKey, asyncio.Task[None]] = field(default_factory=dict, init=False)
    # Replies queued or being sent: a sweep must not queue them again.
    _known: set[int] = field(default_factory=set, init=False)
    # Replies settled while a sweep read the outbox: its page may still list them.
    _settled: set[int] = field(default_factory=set, init=False)
    _sweeping: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _idle: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    # Sent, not yet recorded; and the task recording them.
    _to_record: list[int] = field(default_factory=list, init=False)
    _recording: asyncio.Future[None] | None = field(default=None, init=False)
    # Seconds from a platform's "sent" to its record, for the last replies sent.
    duplicate_window: deque[float] = field(default_factory=lambda: deque(maxlen=10_000), init=False)

    def __post_init__(self) -> None:
        self._idle.set()

    def post(self, replies: Iterable[Outgoing]) -> None:
        """Queue stored replies for sending; each chat's in the order given."""
        for reply in replies:
            adapter = self.adapters.get(reply.reply.to.platform)
            if reply.id in self._known or adapter is None or not adapter.sending:
                continue
            key = (reply.reply.to.platform, reply.reply.to.chat_id)
            self._known.add(reply.id)
            self._queues.setdefault(key, deque()).append(reply)
            if key not in self._workers:
                self._idle.clear()
                self._workers[key] = asyncio.create_task(self._work(key))

    async def sweep(self) -> None:
        """Queue every stored reply of a platform this process sends that is not queued yet.

        First renew this process's hold on the replies it sends, and let go of
        those to a platform another process sends (``storage.replies``).
        """
        async with self._sweeping:
            self._settled = set()
            sending = [platform for platform, adapter in self.adapters.items() if adapter.sending]
            await self.ledger.keep_sending(sending)
            for platform in sending:
                after = 0
                while True:
                    page = await self.ledger.waiting(platform, after, PAGE)
                    self.post(r for r in page if r.id not in self._settled)
                    if len(page) < PAGE:
                        break
                    after = page[-1].id

    async def run(self, every: float = SWEEP_SECONDS) -> None:
        """Sweep now and then every ``every`` seconds, until cancelled."""
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("could not read the stored replies; trying again in %.0f s", every)
            await asyncio.sleep(every)

    async def flush(self, timeout: float) -> bool:
        """Wait until nothing is left to send, at most ``timeout`` seconds; True if nothing is."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        """Stop sending; what was not sent stays stored for the next start."""
        workers = list(self._workers.values())
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if self.duplicate_window:
            window = sorted(self.duplicate_window)
            log.info(
                "%d sent reply(ies) recorded; from the platform's answer to the record: "
                "median %.1f ms, 99th percentile %.1f ms, longest %.1f ms",
                len(window),
                1000 * median(window),
                1000 * window[int(0.99 * (len(window) - 1))],
                1000 * window[-1],
            )

    @property
    def waiting_count(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    def queued(self, platform: str) -> int:
        """Replies held to send on ``platform`` now."""
        return sum(len(queue) for (where, _chat), queue in self._queues.items() if where == platform)

    async def _work(self, key: ChatKey) -> None:
        queue = self._queues[key]
        adapter = self.adapters[key[0]]
        try:
            while queue:
                now = self.clock()
                late = [r for r in queue if r.expires_at <= now]
                if late:
                    await self._report(late, Outcome.EXPIRED)
                    continue
                await self._voice(queue)
                batch = list(queue)
                # The adapter's lines about this batch (retries, waits, refusals) name its replies.
                with logs.sending(",".join(str(r.id) for r in batch)):
                    await adapter.deliver(batch, self._report)
                if all(r in queue for r in batch):
                    # Nothing was reported: the adapter is closing. The replies stay stored.
                    for reply in batch:
                        queue.remove(reply)
                        self._known.discard(reply.id)
        except Exception:
            log.exception("sending to %s chat %s failed; the replies stay stored for the next sweep", *key)
            for reply in queue:
                self._known.discard(reply.id)
            queue.clear()
        finally:
            del self._workers[key]
            if not queue:
                del self._queues[key]
            if not self._workers:
                self._idle.set()

    async def _voice(self, queue: deque[Outgoing]) -> None:
        """Give the replies read aloud their sound: here, after their transaction, never in one."""
        # Only this worker takes replies out of the queue, and new ones join at its end,
        # so a reply keeps its place while its sound is made.
        for n, outgoing in enumerate(list(queue)):
            speech = outgoing.reply.speech
            if speech is None or speech.audio is not None:
                continue
            queue[n] = await self.speaker.prepare(outgoing) if self.speaker else without_sound(outgoing)

    async def _report(self, replies: Sequence[Outgoing], outcome: Outcome) -> None:
        if not replies:
            return
        ids = [r.id for r in replies]
        platform, chat = _where(replies[0])
        metrics.REPLIES.labels(platform, outcome.value).inc(len(ids))
        for reply in replies:
            log.info(
                "reply %s to %s chat %s: %s",
                reply.id,
                platform,
                chat,
                outcome.value,
                extra={"push_id": str(reply.id)},
            )
        if outcome is Outcome.SENT:
            answered = time.monotonic()
            await self._record_sent(ids)
            # From the platform's answer to the record: the moment in which a crash sends a reply twice.
            self.duplicate_window.append(time.monotonic() - answered)
        elif outcome is Outcome.EXPIRED:
            log.warning("%d reply(ies) to %s chat %s expired unsent", len(ids), *_where(replies[0]))
            await self.ledger.not_sent(ids, ReplyStatus.EXPIRED)
        else:
            await self.ledger.not_sent(ids, ReplyStatus.FAILED)
            if outcome is Outcome.BLOCKED:
                await self.ledger.unreachable(replies[0].reply.to)
        # Only once recorded: until then a sweep could find them stored and queue them again.
        for reply in replies:
            queue = self._queues.get(_where(reply))
            if queue is not None and reply in queue:
                queue.remove(reply)
            self._known.discard(reply.id)
            self._settled.add(reply.id)

    async def _record_sent(self, ids: list[int]) -> None:
        """Record replies as sent, together with any other chat's that the platform took meanwhile.

        Many chats' replies go out at once; one transaction records what all
        of them sent, instead of one each, without waiting for more to come.
        """
        self._to_record += ids
        if self._recording is None or self._recording.done():
            self._recording = asyncio.ensure_future(self._record_all())
        await asyncio.shield(self._recording)

    async def _record_all(self) -> None:
        while self._to_record:
            ids, self._to_record = self._to_record, []
            await self.ledger.sent(ids)


def _where(reply: Outgoing) -> ChatKey:
    return (reply.reply.to.platform, reply.reply.to.chat_id)
