"""What several coach processes on one database share: jobs one process at a time does, and send budgets.

On PostgreSQL every process handles events and sends from the outbox, but
some jobs must have exactly one holder: Telegram's long poll (Telegram allows
one consumer per bot), a Matrix account's sync (one writer per crypto store)
and the planner. Each is a ``Role``, held as an advisory lock
(``storage.leases``); a process that does not hold it waits and tries again
every ``TRY_EVERY`` seconds, so when the holder dies another takes over.

A holder that loses its connection stops acting in the role before anyone
else starts. It asks the database every ``PING_EVERY`` seconds and counts
itself a holder only until ``STOP_AFTER`` seconds after the last ping that
was answered; the server frees the lock no sooner than when that session
ends, which it does itself after ``SILENT`` seconds without a ping. A new
holder waits ``STOP_AFTER`` seconds after taking the lock before it acts, by
which time the last one has stopped, however its connection ended. A takeover
therefore takes about ``TRY_EVERY + STOP_AFTER`` seconds after the holder died.

On SQLite there is one process: every role is held, and each adapter paces
its own sends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot import metrics
from storage import send_budget
from storage.leases import Lease

log = logging.getLogger(__name__)

PING_EVERY = 1.0
STOP_AFTER = 4.0
SILENT = 8.0
TRY_EVERY = 1.0
# Sends of all processes together keep this much under a platform's limit, so that the
# jitter of the network never puts more than the limit into one second at the platform's end.
BUDGET_MARGIN = 0.9
# Seconds between sends while the database cannot say what the other processes sent.
UNKNOWN_BUDGET_WAIT = 1.0
# A process reserves this many seconds' worth of send slots at a time, and at most MOST_SLOTS.
BLOCK_SECONDS = 0.2
MOST_SLOTS = 50

# Waits for the bot's next free send slot, shared with the other processes.
Budget = Callable[[], Awaitable[None]]


class Role(Protocol):
    """A job one process at a time does."""

    job: str

    @property
    def held(self) -> bool:
        """Whether this process may act in the role now."""

    async def taken(self) -> None:
        """Wait until this process holds the role."""

    async def lost(self) -> None:
        """Wait until this process no longer holds the role."""


class Sharing(Protocol):
    """The roles and send budgets of this process among the others on the same database."""

    def role(self, job: str) -> Role: ...

    def budget(self, name: str, per_second: float) -> Budget | None:
        """The bot's shared budget; None when this process is the only sender (it paces itself)."""


class HeldAlone:
    """A role of the only process: always held."""

    def __init__(self, job: str) -> None:
        self.job = job

    @property
    def held(self) -> bool:
        return True

    async def taken(self) -> None:
        return

    async def lost(self) -> None:
        await asyncio.Event().wait()  # never


class Alone:
    """One coach process on its own database (SQLite)."""

    def role(self, job: str) -> Role:
        return HeldAlone(job)

    def budget(self, name: str, per_second: float) -> Budget | None:
        return None

    async def close(self) -> None:
        return


class LeasedRole:
    """A role held as a lease on the shared database, taken and kept by a task of its own."""

    def __init__(
        self,
        lease: Lease,
        others_held: Callable[[], int] = lambda: 0,
        trying: asyncio.Lock | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job = lease.job
        self._lease = lease
        self._others_held = others_held
        self._trying = trying or asyncio.Lock()
        self._clock = clock
        # The lock is this process's (taken, maybe still waiting out the last holder).
        self.locked = False
        self._valid_until = float("-inf")
        self._taken = asyncio.Event()
        self._lost = asyncio.Event()
        self._lost.set()
        self._task: asyncio.Task[None] | None = None

    @property
    def held(self) -> bool:
        return self._taken.is_set() and self._clock() < self._valid_until

    async def taken(self) -> None:
        await self._taken.wait()

    async def lost(self) -> None:
        await self._lost.wait()

    def start(self) -> None:
        self._task = asyncio.create_task(self._keep())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._let_go("this process stops", logging.INFO)
        await asyncio.to_thread(self._lease.close)

    async def _keep(self) -> None:
        waiting_said = False
        while True:
            # A process that holds other jobs tries later: the jobs spread over the processes, so one
            # death does not take them all at once (and a planner is not killed with every poller).
            # One job at a time, so the second one's try knows the first was just taken.
            async with self._trying:
                await asyncio.sleep(TRY_EVERY * self._others_held())
                self.locked = await asyncio.to_thread(self._lease.take)
            if not self.locked:
                if not waiting_said:
                    log.info("role %s: another coach process holds it; standing by", self.job)
                    waiting_said = True
                await asyncio.sleep(TRY_EVERY)
                continue
            waiting_said = False
            taken_at = self._clock()
            # The last holder stops at most STOP_AFTER after its last answered ping: wait that out.
            await asyncio.sleep(STOP_AFTER)
            if not await self._ping():
                self.locked = False
                continue
            log.info(
                "role %s: taken after %.1f s of waiting out the last holder",
                self.job,
                self._clock() - taken_at,
            )
            metrics.ROLES.labels(self.job).set(1)
            self._lost.clear()
            self._taken.set()
            while await self._ping():
                await asyncio.sleep(max(0.0, min(PING_EVERY, self._valid_until - self._clock())))
            self._let_go("the database did not answer")
            await asyncio.to_thread(self._lease.give_up)
            self.locked = False

    async def _ping(self) -> bool:
        """One ping; on an answer the role counts as held until STOP_AFTER after it was sent."""
        sent = self._clock()
        limit = STOP_AFTER if not self._taken.is_set() else self._valid_until - sent
        try:
            answered = await asyncio.wait_for(asyncio.to_thread(self._lease.still_held), max(0.0, limit))
        except TimeoutError:
            answered = False
        if answered:
            self._valid_until = sent + STOP_AFTER
        return answered

    def _let_go(self, why: str, level: int = logging.WARNING) -> None:
        if self._taken.is_set():
            log.log(level, "role %s: given up (%s)", self.job, why)
            metrics.ROLES.labels(self.job).set(0)
        self._taken.clear()
        self._lost.set()


class SharedBudget:
    """A bot's send slots, reserved from the database a few at a time and used in order.

    A few at a time (``BLOCK_SECONDS`` worth): one round trip per send cost
    more than the send's own work when the limit is high. A process that dies
    or falls idle wastes at most that many slots of the budget.
    """

    def __init__(self, engine: Engine, name: str, per_second: float) -> None:
        self._engine = engine
        self._name = name
        self._gap = 1.0 / per_second
        self._block = max(1, min(MOST_SLOTS, int(per_second * BLOCK_SECONDS)))
        self._slots: deque[float] = deque()  # reserved, on time.monotonic()

    async def turn(self) -> None:
        now = time.monotonic()
        while self._slots and self._slots[0] < now - self._gap:
            self._slots.popleft()  # passed unused while nothing was to be sent
        if not self._slots:
            try:
                wait = await asyncio.to_thread(
                    send_budget.reserve, self._engine, self._name, 1 / self._gap, self._block
                )
            except DBAPIError as error:
                # The other processes' sends are unknown: one a second is safe whatever they do.
                log.warning("cannot reserve sends in %s (%s); sending one a second", self._name, error.orig)
                await asyncio.sleep(UNKNOWN_BUDGET_WAIT)
                return
            first = time.monotonic() + wait
            self._slots.extend(first + n * self._gap for n in range(self._block))
        slot = self._slots.popleft()
        if slot > time.monotonic():
            await asyncio.sleep(slot - time.monotonic())


class Together:
    """Several coach processes on one PostgreSQL database."""

    def __init__(self, url: str, engine: Engine) -> None:
        self._url = url
        self._engine = engine
        self._roles: dict[str, LeasedRole] = {}
        self._trying = asyncio.Lock()

    def role(self, job: str) -> Role:
        if job not in self._roles:
            role = LeasedRole(Lease(self._url, job, SILENT), lambda: self._held_besides(job), self._trying)
            role.start()
            self._roles[job] = role
        return self._roles[job]

    def _held_besides(self, job: str) -> int:
        return sum(role.locked for other, role in self._roles.items() if other != job)

    def budget(self, name: str, per_second: float) -> Budget:
        return SharedBudget(self._engine, name, per_second * BUDGET_MARGIN).turn

    async def close(self) -> None:
        await asyncio.gather(*(role.close() for role in self._roles.values()))
        self._roles.clear()
