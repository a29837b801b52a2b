"""Sending within Telegram's limits: about 30 messages/s overall, about 1/s per chat.

Every chat has its own queue and worker, so messages to one chat keep their
order and a 429 for one chat (``retry_after``) pauses that chat only; a shared
token bucket keeps the overall rate. Transient network errors are retried with
growing pauses; a 403 (the learner blocked the bot or deleted the account)
drops that chat's pending messages instead of retrying forever.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.adapters.telegram.render import Call

log = logging.getLogger(__name__)


class Outcome(Enum):
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    # Telegram tolerates a short burst in one chat: a feedback, the next question.
    chat_burst: int = 3
    network_attempts: int = 5
    first_backoff: float = 0.5
    # A chat that keeps getting 429 is given up on after this many waits.
    flood_waits: int = 20
    # Requests under way at once: enough for 30 a second at Telegram's round
    # trip; with many more (measured: 8, 16) httpx spends its time juggling
    # connections and sends less, not more.
    in_flight: int = 4


@dataclass
class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; a reservation may go into debt."""

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst
        self.updated = self.clock()

    def reserve(self) -> float:
        """Take one token; the seconds to wait before using it."""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that the int form is deprecated; either form is read here.
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


Perform = Callable[[Call], Awaitable[object]]
Waiting = tuple[Call, "asyncio.Future[Outcome]"]


class Outbox:
    """Queues calls per chat and performs them within the limits."""

    def __init__(
        self,
        perform: Perform,
        limits: Limits = Limits(),
        on_blocked: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self._perform = perform
        self.limits = limits
        # Told about a chat that refuses messages, so the coach stops writing to it.
        self._on_blocked = on_blocked
        self._overall = TokenBucket(limits.per_second, max(1.0, limits.per_second))
        self._chat_buckets: dict[int, TokenBucket] = {}
        self._queues: dict[int, deque[Waiting]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        # Shared with the adapter's other requests (answers to button presses).
        self.in_flight = asyncio.Semaphore(limits.in_flight)

    def put(self, calls: list[Call]) -> list[asyncio.Future[Outcome]]:
        """Queue calls in order; each future tells how its call ended."""
        loop = asyncio.get_running_loop()
        futures: list[asyncio.Future[Outcome]] = []
        for call in calls:
            future: asyncio.Future[Outcome] = loop.create_future()
            self._queues.setdefault(call.chat_id, deque()).append((call, future))
            futures.append(future)
            if call.chat_id not in self._workers:
                self._workers[call.chat_id] = asyncio.create_task(self._work(call.chat_id))
        return futures

    async def deliver(self, calls: list[Call]) -> list[Outcome]:
        """Queue calls and wait until each was sent or given up."""
        return list(await asyncio.gather(*self.put(calls)))

    async def drain(self) -> None:
        """Wait until every queued call was sent or given up."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def close(self) -> None:
        for worker in list(self._workers.values()):
            worker.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def _work(self, chat_id: int) -> None:
        queue = self._queues[chat_id]
        try:
            while queue:
                call, future = queue[0]
                outcome = await self._attempt(call)
                queue.popleft()
                if not future.done():
                    future.set_result(outcome)
                if outcome is Outcome.BLOCKED:
                    log.warning(
                        "Telegram chat %s blocked the bot or is gone: %d pending message(s) dropped",
                        chat_id,
                        len(queue),
                    )
                    while queue:
                        _call, dropped = queue.popleft()
                        if not dropped.done():
                            dropped.set_result(Outcome.BLOCKED)
                    if self._on_blocked is not None:
                        await self._on_blocked(chat_id)
        finally:
            del self._workers[chat_id]
            if not queue:
                del self._queues[chat_id]
                self._chat_buckets.pop(chat_id, None)
            else:
                # Cancelled with work left: whoever waits must not wait forever.
                while queue:
                    _call, waiting = queue.popleft()
                    if not waiting.done():
                        waiting.cancel()
                del self._queues[chat_id]

    def _chat_bucket(self, chat_id: int) -> TokenBucket:
        if chat_id not in self._chat_buckets:
            self._chat_buckets[chat_id] = TokenBucket(self.limits.per_chat_per_second, self.limits.chat_burst)
        return self._chat_buckets[chat_id]

    async def _attempt(self, call: Call) -> Outcome:
        network_failures = 0
        flood_waits = 0
        while True:
            await asyncio.sleep(self._chat_bucket(call.chat_id).reserve())
            await asyncio.sleep(self._overall.reserve())
            try:
                async with self.in_flight:
                    await self._perform(call)
                return Outcome.SENT
            except RetryAfter as error:
                flood_waits += 1
                if flood_waits > self.limits.flood_waits:
                    log.error("Telegram keeps refusing %s to chat %s (429)", call.method, call.chat_id)
                    return Outcome.FAILED
                # Only this chat waits; the others go on at the overall rate.
                await asyncio.sleep(retry_after_seconds(error))
            except Forbidden:
                return Outcome.BLOCKED
            except BadRequest as error:
                # Not worth retrying: the same request fails the same way.
                log.warning("Telegram refused %s to chat %s: %s", call.method, call.chat_id, error.message)
                return Outcome.FAILED
            except NetworkError as error:
                network_failures += 1
                if network_failures >= self.limits.network_attempts:
                    log.error(
                        "could not reach Telegram for %s to chat %s after %d tries: %s",
                        call.method,
                        call.chat_id,
                        network_failures,
                        error.message,
                    )
                    return Outcome.FAILED
                await asyncio.sleep(self.limits.first_backoff * 2 ** (network_failures - 1))
            except TelegramError as error:
                log.error("Telegram refused %s to chat %s: %s", call.method, call.chat_id, error.message)
                return Outcome.FAILED
