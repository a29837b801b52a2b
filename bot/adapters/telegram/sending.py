"""Sending within Telegram's limits, patiently: about 30 messages/s overall, about 1/s per chat.

Three things pace a call:

- **The chat's own bucket**: about one message a second after a burst of three.
- **One send rate for all chats**, which adapts: Telegram does not say how much
  a bot may send, it answers 429 with ``retry_after``. On a 429 the rate drops
  at once to what was actually accepted in the last second (a little under),
  and every chat holds for a moment; without refusals it climbs back a step a
  second, but not past the rate that was refused until a minute has passed.
  A refused chat waits its ``retry_after``, and never retries sooner. When the
  moment's hold ends with the next call refused too, Telegram is holding the
  whole bot: everyone then waits the full ``retry_after``. So refused chats do
  not all come back together and get refused again.
- **Whether Telegram answers at all**: a network error or a timeout closes a
  gate for every chat; one probe (``getMe``) at a time, a second or two apart,
  opens it again when the Bot API is back. A call that timed out may have
  arrived, so it is sent once more after the gate opens, not again and again
  while Telegram stalls.

A transient failure is retried until the reply's lifetime ends; a 403 means
the chat refuses the bot; any other refusal is final (the same request would
fail the same way).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot import metrics
from bot.adapters import Outcome
from bot.adapters.telegram.render import Call
from bot.sharing import Budget

log = logging.getLogger(__name__)

# Rates are changed at most once a second: the refusals of one burst are one signal, not many.
ADJUST_EVERY = 1.0
# A refused rate is not tried again for this long.
REMEMBER_REFUSAL = 60.0
# Below this, keep sending anyway: a bot that sends nothing learns nothing.
SLOWEST = 0.5
# While Telegram does not answer, probe it this often (growing, with jitter, up to the last).
FIRST_PROBE, LAST_PROBE = 0.5, 2.0


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    # Telegram tolerates a short burst in one chat: a feedback, the next question.
    chat_burst: int = 3
    # Requests under way at once: enough for 30 a second at Telegram's round
    # trip; with many more (measured: 8, 16) httpx spends its time juggling
    # connections and sends less, not more.
    in_flight: int = 4
    # Everyone holds this long after a 429: long enough for a one-second window
    # to pass, short enough not to waste a long retry_after.
    moment: float = 1.0


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that the int form is deprecated; either form is read here.
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


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


@dataclass
class SendRate:
    """One rate for every chat together, lowered on 429 and raised slowly without (see the module)."""

    ceiling: float
    clock: Callable[[], float] = time.monotonic
    moment: float = 1.0
    rate: float = field(init=False)
    # No call starts before this (a 429 holds everyone for a moment, or the whole retry_after).
    hold_until: float = field(default=0.0, init=False)
    # After a 429, climbing stops below the rate Telegram refused, until this time.
    refused_rate: float = field(default=float("inf"), init=False)
    refused_until: float = field(default=0.0, init=False)
    _accepted: deque[float] = field(default_factory=deque, init=False)
    _changed: float = field(default=float("-inf"), init=False)
    _next_slot: float = field(default=0.0, init=False)
    _held_by_refusal: bool = field(default=False, init=False)
    _waiters: deque[asyncio.Future[None]] = field(default_factory=deque, init=False)
    _answers: deque[asyncio.Future[None]] = field(default_factory=deque, init=False)
    # The bot's send budget shared with other coach processes (``bot.sharing``); None: alone.
    # Asked by the one granting task, one turn at a time: a process killed with a hundred
    # chats waiting wastes a few slots of the budget, not a hundred.
    budget: Budget | None = field(default=None, init=False)
    _granting: asyncio.Task[None] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.rate = self.ceiling

    async def slot(self, answer: bool = False) -> None:
        """Wait for this call's turn: first come, first served, at the current rate.

        An ``answer`` to something a learner just did goes before the scheduled
        messages still waiting: a morning's invitations must not hold up the
        feedback on the button a learner pressed.
        """
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._answers if answer else self._waiters).append(waiter)
        if self._granting is None or self._granting.done():
            self._granting = asyncio.create_task(self._grant())
        await waiter

    async def _grant(self) -> None:
        # One task hands out the turns, so a change of rate applies to everyone still waiting.
        while self._answers or self._waiters:
            now = self.clock()
            start = max(self.hold_until, self._next_slot)
            if start > now:
                await asyncio.sleep(start - now)
                continue
            waiter = (self._answers or self._waiters).popleft()
            if waiter.done():  # its caller gave up (cancelled)
                continue
            if self.budget is not None:
                await self.budget()
                if waiter.done():
                    continue
            waiter.set_result(None)
            self._next_slot = max(self.clock(), self._next_slot) + 1 / self.rate

    def accepted(self) -> None:
        now = self.clock()
        self._accepted.append(now)
        self._held_by_refusal = False
        self._forget_before(now - 1.0)
        if now - self._changed >= ADJUST_EVERY and self.rate < self.ceiling:
            limit = self.ceiling if now >= self.refused_until else min(self.ceiling, 0.9 * self.refused_rate)
            if self.rate < limit:
                self.rate = min(limit, self.rate + max(1.0, self.ceiling / 30))
                self._changed = now

    def refused(self, retry_after: float) -> None:
        now = self.clock()
        self._forget_before(now - 1.0)
        if self._held_by_refusal and now >= self.hold_until:
            # The first call after the moment's hold was refused too: the whole bot is held.
            self.hold_until = now + retry_after
            log.warning("Telegram holds every message of this bot for %.0f s (429)", retry_after)
        else:
            self.hold_until = max(self.hold_until, now + min(retry_after, self.moment))
        self._held_by_refusal = True
        if now - self._changed >= ADJUST_EVERY:
            taken = len(self._accepted)
            self.refused_rate = max(SLOWEST, float(taken) if taken else self.rate)
            self.refused_until = now + REMEMBER_REFUSAL
            # What Telegram took in the last second is the best guess at its limit; without any, halve.
            self.rate = max(SLOWEST, 0.9 * taken if taken else self.rate / 2)
            self._changed = now
            log.warning("Telegram answered 429: sending %.1f messages a second for now", self.rate)
        # The slots already promised at the old rate start over from the hold.
        self._next_slot = self.hold_until

    def _forget_before(self, moment: float) -> None:
        while self._accepted and self._accepted[0] < moment:
            self._accepted.popleft()


Perform = Callable[[Call], Awaitable[object]]
Probe = Callable[[], Awaitable[object]]


class Pacer:
    """Performs calls within the limits, retrying what may succeed later until its deadline."""

    def __init__(
        self,
        perform: Perform,
        probe: Probe,
        limits: Limits = Limits(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._perform = perform
        self._probe = probe
        self.limits = limits
        self._clock = clock
        self.rate = SendRate(limits.per_second, clock, limits.moment)
        self._chat_buckets: dict[int, TokenBucket] = {}
        self._chat_holds: dict[int, float] = {}
        # Shared with the adapter's other requests (answers to button presses).
        self.in_flight = asyncio.Semaphore(limits.in_flight)
        self._reachable = asyncio.Event()
        self._reachable.set()
        self._probing: asyncio.Task[None] | None = None

    async def send(self, call: Call, deadline: float, answer: bool = False) -> Outcome:
        """Perform ``call``; retry what may succeed later until ``deadline`` (on the pacer's clock).

        An ``answer`` (to what a learner just did) goes before scheduled messages.
        """
        while True:
            try:
                await self._wait_turn(call.chat_id, deadline, answer)
            except TimeoutError:
                return Outcome.EXPIRED
            try:
                async with self.in_flight:
                    await self._perform(call)
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                metrics.rate_limited("telegram", seconds)
                self._chat_holds[call.chat_id] = self._clock() + seconds
                self.rate.refused(seconds)
                continue
            except Forbidden:
                return Outcome.BLOCKED
            except BadRequest as error:
                if "not modified" in error.message.lower():
                    return Outcome.SENT  # an edit sent again after a restart: it is already there
                log.warning("Telegram refused %s to chat %s: %s", call.method, call.chat_id, error.message)
                return Outcome.REFUSED
            except (NetworkError, TimedOut) as error:
                # TimedOut is a NetworkError: the call may have arrived, so it goes once more when
                # Telegram answers again, never again and again while it stalls.
                self.unreachable(f"{call.method} to chat {call.chat_id}: {error.message}")
                continue
            except TelegramError as error:
                log.error("Telegram refused %s to chat %s: %s", call.method, call.chat_id, error.message)
                return Outcome.REFUSED
            self.rate.accepted()
            return Outcome.SENT

    async def _wait_turn(self, chat_id: int, deadline: float, answer: bool = False) -> None:
        """Wait for Telegram to answer, for the chat's own pace and hold, and for a slot of the send rate."""

        async def turn() -> None:
            await self._reachable.wait()
            await asyncio.sleep(max(0.0, self._chat_holds.get(chat_id, 0.0) - self._clock()))
            await asyncio.sleep(self._chat_bucket(chat_id).reserve())
            await self.rate.slot(answer)
            await self._reachable.wait()

        left = deadline - self._clock()
        if left <= 0:
            raise TimeoutError
        await asyncio.wait_for(turn(), left)

    def _chat_bucket(self, chat_id: int) -> TokenBucket:
        bucket = self._chat_buckets.get(chat_id)
        if bucket is None:
            bucket = TokenBucket(self.limits.per_chat_per_second, self.limits.chat_burst, self._clock)
            self._chat_buckets[chat_id] = bucket
        return bucket

    # -- is Telegram there? ----------------------------------------------------------------------

    def unreachable(self, why: str) -> None:
        """Telegram did not answer: hold every call until a probe gets an answer."""
        if self._reachable.is_set():
            log.warning("Telegram does not answer (%s); waiting until it does", why)
            self._reachable.clear()
            self._probing = asyncio.create_task(self._probe_until_answered())

    @property
    def is_reachable(self) -> bool:
        return self._reachable.is_set()

    async def reachable(self) -> None:
        await self._reachable.wait()

    async def _probe_until_answered(self) -> None:
        started = self._clock()
        wait = FIRST_PROBE
        while True:
            await asyncio.sleep(wait * (0.5 + random.random()))  # jitter: many coaches do not probe in step
            try:
                await self._probe()
            except RetryAfter:
                break  # busy, but there
            except (NetworkError, TimedOut):
                wait = min(wait * 2, LAST_PROBE)
                continue
            except TelegramError:
                break  # it answered, with an error: it is there
            break
        log.warning("Telegram answers again after %.1f s", self._clock() - started)
        self._reachable.set()

    async def close(self) -> None:
        if self._probing is not None:
            self._probing.cancel()
            await asyncio.gather(self._probing, return_exceptions=True)
