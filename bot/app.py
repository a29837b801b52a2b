"""Composition root: settings -> storage -> library -> coach -> adapters, on one loop."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from functools import partial
from typing import TypeVar

from bot import logs, metrics, speech
from bot.adapters import Adapter
from bot.courier import Courier
from bot.health import Health, HealthServer
from bot.lesson_reload import PidFile, ReloadStatus, running_coach, write_status
from bot.settings import Settings
from bot.sharing import Alone, HeldAlone, Role, Together
from bot.speech import Speaker
from bot.ticker import start_ticking
from bot.turns import Turns
from lessons.chat import Address, ChatUnreachable, Event, Outgoing
from lessons.engine import Clock, Coach, system_clock
from lessons.lesson_library import Library
from lessons.loader import LibraryLoad, load_library
from lessons.problems import Problem
from lessons.tick import DIGESTS_PER_TURN
from storage.leases import shared
from storage.states import ReplyStatus
from storage.unit_of_work import Store

log = logging.getLogger(__name__)

T = TypeVar("T")
# Handled event ids a platform can no longer send again, and long-settled unsent replies, go hourly.
TIDY_SECONDS = 3600.0
# /healthz waits this long for the database to answer before it calls it unreachable.
DATABASE_ANSWERS_WITHIN = 5.0


class LibraryError(Exception):
    """The lessons could not be loaded; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the lesson files")
        self.problems = problems


class AnotherCoachError(Exception):
    """Another coach already serves from this data folder; two would corrupt Matrix's crypto store."""


@dataclass
class App:
    settings: Settings
    store: Store
    # The lessons being served. A reload replaces it whole; the coach reads it
    # at the start of every event, so an event never sees half of an edit.
    library: Library
    clock: Clock = system_clock
    # Reads cards aloud (``bot.speech``); None: the coach does not offer it.
    speaker: Speaker | None = None
    adapters: dict[str, Adapter] = field(default_factory=dict)
    coach: Coach = field(init=False)
    courier: Courier = field(init=False)
    _reloading: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    # One event, tick or outbox record at a time into the database, from every
    # platform: SQLite has one writer, and writers that wait on each other's
    # lock sleep in steps, which costs far more than taking turns here.
    _turns: Turns = field(default_factory=Turns, init=False)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _gauges: metrics.Gauges | None = field(default=None, init=False)
    _tidied: float = field(default=float("-inf"), init=False)
    # When the last scheduled tick started (time.monotonic); /healthz calls the coach alive by it.
    _ticked: float = field(default_factory=time.monotonic, init=False)
    # The one process that plans the day's messages (``bot.sharing``); all of them tick.
    _planner: Role = field(default_factory=lambda: HeldAlone("planner"), init=False)

    def __post_init__(self) -> None:
        self.coach = Coach(
            self.store,
            lambda: self.library,
            self.clock,
            self.settings.rhythm,
            charts=(self.settings.data_dir / "charts").resolve(),
            read_aloud=self.speaker.languages if self.speaker else frozenset(),
        )
        self.courier = Courier(self, self.adapters, lambda: self.clock().astimezone(UTC), self.speaker)

    def reload(self) -> LibraryLoad:
        """Load the lesson folders again; swap them in only when they have no errors."""
        loaded = load_library(self.settings.lesson_paths, self.settings.languages_required)
        if loaded.library is None:
            metrics.RELOADS.labels("failed").inc()
            log.error(
                "lessons not reloaded, %d error(s); the last good lessons keep serving:", len(loaded.errors)
            )
            for problem in loaded.errors:
                log.error("  %s", problem)
        else:
            self.library = loaded.library
            metrics.RELOADS.labels("ok").inc()
            log.info("lessons reloaded: %d lesson(s)", len(self.library.lessons))
        write_status(self.settings.data_dir, ReloadStatus.of(loaded, len(self.library.lessons)))
        return loaded

    async def reload_in_background(self) -> None:
        # Loading takes about a second for a large library: off the loop, one at a time.
        async with self._reloading:
            try:
                await asyncio.to_thread(self.reload)
            except Exception:
                log.exception("lessons not reloaded; the last good lessons keep serving")

    async def _in_turn(self, work: Callable[[], T], kind: str, urgent: bool = False) -> T:
        # The engine and its database work are synchronous: run them off the
        # event loop so a slow disk never stalls the chat connections.
        async with self._turns.turn(urgent):
            return await asyncio.to_thread(_counting_cpu, work, kind)

    async def handle(self, event: Event) -> list[Outgoing]:
        """Handle one event; its replies are stored, and handed to the courier to send."""
        with logs.handling(event.event_id):
            outgoing = await self._in_turn(lambda: self.coach.handle(event), "event")
            metrics.EVENTS.labels(event.sender.platform).inc()
            # Ids only: an operator follows the event to its replies (push ids) without reading it.
            log.info(
                "handled %s from %s user %s: %d reply(ies) stored [%s]",
                type(event).__name__,
                event.sender.platform,
                event.sender.user_id,
                len(outgoing),
                ",".join(str(o.id) for o in outgoing),
            )
        self.courier.post(outgoing)
        return outgoing

    async def tick(self) -> None:
        """Store whatever the schedule says is due now and hand it to the courier; tidy once an hour."""
        self._ticked = started = time.monotonic()
        if not self._planner.held:
            await self._count_outbox()
            return
        with metrics.TICKS.time():
            due = await self._in_turn(lambda: self.coach.deliver_due(digests=0), "tick")
            self._stored(due)
            # Digests draw charts: a few to a turn, so learners' presses go in between (DIGESTS_PER_TURN).
            made, most = 0, self.coach.rhythm.digests_per_tick
            while made < most:
                asked = min(DIGESTS_PER_TURN, most - made)
                digests, taken = await self._in_turn(partial(self.coach.deliver_digests, asked), "tick")
                self._stored(digests)
                made += taken
                if taken < asked:
                    break
        if time.monotonic() - self._tidied >= TIDY_SECONDS:
            redelivery = {adapter.platform: adapter.redelivery for adapter in self.adapters.values()}
            await self._in_turn(lambda: self.coach.tidy(redelivery), "tidy")
            self._tidied = time.monotonic()
        await self._count_outbox()
        metrics.LAST_TICK.set_to_current_time()
        log.debug("tick took %.3f s", time.monotonic() - started)

    def _stored(self, due: list[Outgoing]) -> None:
        if due:
            log.info("tick: %d scheduled message(s) stored [%s]", len(due), ",".join(str(o.id) for o in due))
        self.courier.post(due)

    async def _count_outbox(self) -> None:
        depth = await self._in_turn(self._outbox_depth, "outbox_depth")
        for platform in self.adapters:
            metrics.OUTBOX.labels(platform).set(depth.get(platform, 0))

    def _outbox_depth(self) -> dict[str, int]:
        with self.store.transaction() as tx:
            return tx.replies.count_waiting()

    # -- health -------------------------------------------------------------------------------

    async def health(self) -> Health:
        """Live: a tick started lately. Ready: the database answers and every platform is connected."""
        checks: dict[str, str] = {}
        # Two missed ticks and a minute's grace: a slow tick (many digests) is not a dead coach.
        allowed = 2 * self.settings.tick_seconds + 60
        since = time.monotonic() - self._ticked
        live = since <= allowed
        checks["tick"] = (
            f"{since:.0f} s ago"
            if live
            else f"none for {since:.0f} s (expected every {self.settings.tick_seconds} s)"
        )
        try:
            # Not in turn with events: a long tick must not make the database look unreachable.
            await asyncio.wait_for(asyncio.to_thread(self._outbox_depth), DATABASE_ANSWERS_WITHIN)
            checks["database"] = "ok"
            database = True
        except Exception as error:  # any failure to answer is what this check reports
            checks["database"] = f"unreachable ({type(error).__name__})"
            database = False
        ready = database
        for platform, adapter in self.adapters.items():
            if not adapter.sending:
                # Another process serves this platform: this one is ready for the rest of its work.
                checks[platform] = "standing by (another coach process serves it)"
            elif adapter.connected:
                checks[platform] = "connected"
            else:
                checks[platform] = "not connected (retrying)"
                ready = False
        return Health(live=live, ready=ready, checks=checks)

    def _connected(self) -> dict[str, bool]:
        return {platform: adapter.connected for platform, adapter in self.adapters.items()}

    def _queued(self) -> dict[str, int]:
        return {platform: self.courier.queued(platform) for platform in self.adapters}

    # -- the courier's ledger: the stored outbox ----------------------------------------------

    async def waiting(self, platform: str, after: int, limit: int) -> list[Outgoing]:
        return await self._in_turn(lambda: self.coach.waiting(platform, after, limit), "sweep")

    async def keep_sending(self, platforms: list[str]) -> None:
        await self._in_turn(lambda: self.coach.keep_sending(platforms), "sweep")

    async def sent(self, ids: list[int]) -> None:
        # Until this is recorded a crash sends these again: ahead of the queue.
        await self._in_turn(lambda: self.coach.sent(ids), "sent", urgent=True)

    async def not_sent(self, ids: list[int], why: ReplyStatus) -> None:
        await self._in_turn(lambda: self.coach.not_sent(ids, why), "not_sent")

    async def unreachable(self, address: Address) -> None:
        """A platform refuses a chat (e.g. Telegram's 403): the coach stops writing there."""
        await self._in_turn(lambda: self.coach.unreachable(ChatUnreachable(address)), "unreachable")

    # -- serving ------------------------------------------------------------------------------

    def stop(self) -> None:
        """Take no new events; ``serve`` then sends what it can and returns."""
        self._stopping.set()
        for adapter in self.adapters.values():
            adapter.stop()

    async def serve(self, *adapters: Adapter, scheduled: bool = False) -> None:
        """Run every adapter on this loop until all of them have stopped.

        Meanwhile SIGHUP (or ``digicoach lessons reload``) reloads the lessons,
        the courier sends the stored replies, and with ``scheduled`` (``digicoach
        run``) a tick sends the day's invitations and SIGTERM or SIGINT stop
        gracefully: no new events, the one in hand finished, the outbox flushed
        for up to ``DIGICOACH_STOP_SECONDS``, connections closed.
        """
        pid_file = PidFile(self.settings.data_dir)
        if not pid_file.claim():
            holder = running_coach(self.settings.data_dir)
            if scheduled:
                folder = self.settings.data_dir.resolve()
                raise AnotherCoachError(
                    f"another coach (process {holder}) already serves from {folder}; "
                    "stop it first, or give this one its own DIGICOACH_DATA_DIR"
                )
            log.warning(
                "another coach serves from %s; 'lessons reload' will signal that one", self.settings.data_dir
            )
        self.adapters.clear()
        self.adapters.update({adapter.platform: adapter for adapter in adapters})
        loop = asyncio.get_running_loop()
        sharing = Together(self.store.url, self.store.engine) if shared(self.store.url) else Alone()
        planning: asyncio.Task[None] | None = None
        if scheduled:
            self._planner = sharing.role("planner")
            if isinstance(sharing, Together):
                planning = loop.create_task(self._plan_on_taking_over())
        for adapter in adapters:
            adapter.share(sharing)
        background: set[asyncio.Task[None]] = set()

        def on_hangup() -> None:
            task = loop.create_task(self.reload_in_background())
            background.add(task)  # keep a reference until it is done
            task.add_done_callback(background.discard)

        loop.add_signal_handler(signal.SIGHUP, on_hangup)
        stop_signals = (signal.SIGTERM, signal.SIGINT) if scheduled else ()
        for number in stop_signals:
            loop.add_signal_handler(number, self._stop_on_signal, number)
        sweeping = loop.create_task(self.courier.run())
        scheduler = start_ticking(self.tick, self.settings.tick_seconds) if scheduled else None
        health = await self._serve_health() if scheduled else None
        try:
            await asyncio.gather(*(adapter.run(self.handle) for adapter in adapters))
        finally:
            if health is not None:
                await health.close()
            if self._gauges is not None:
                metrics.REGISTRY.unregister(self._gauges)
                self._gauges = None
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            sweeping.cancel()
            left = self.courier.waiting_count
            if not await self.courier.flush(self.settings.stop_seconds):
                log.warning(
                    "stopping with %d reply(ies) unsent after %.0f s; they go out at the next start",
                    self.courier.waiting_count,
                    self.settings.stop_seconds,
                )
            elif left:
                log.info("sent the %d reply(ies) still waiting before stopping", left)
            await self.courier.close()
            await asyncio.gather(*(adapter.close() for adapter in adapters), return_exceptions=True)
            await asyncio.gather(sweeping, return_exceptions=True)
            if planning is not None:
                planning.cancel()
                await asyncio.gather(planning, return_exceptions=True)
            await sharing.close()
            loop.remove_signal_handler(signal.SIGHUP)
            for number in stop_signals:
                loop.remove_signal_handler(number)
            pid_file.release()

    async def _plan_on_taking_over(self) -> None:
        # A new planner plans at once: what is due does not wait for the next tick.
        while True:
            await self._planner.taken()
            try:
                await self.tick()
            except Exception:
                log.exception("scheduled delivery failed; trying again at the next tick")
            await self._planner.lost()

    async def _serve_health(self) -> HealthServer | None:
        listen = self.settings.metrics_listen
        if listen is None:
            return None
        self._gauges = metrics.Gauges(self._queued, self._connected)
        metrics.REGISTRY.register(self._gauges)
        server = HealthServer(*listen, self.health)
        await server.start()
        return server

    def _stop_on_signal(self, number: int) -> None:
        log.warning("%s: stopping (a second signal does not hurry it)", signal.Signals(number).name)
        self.stop()

    def close(self) -> None:
        self.store.close()


def _counting_cpu(work: Callable[[], T], kind: str) -> T:
    # This thread's own CPU time: what the turn cost, not how long it waited for the GIL.
    started = time.thread_time()
    try:
        return work()
    finally:
        metrics.TURN_CPU.labels(kind).observe(time.thread_time() - started)


def build(settings: Settings, clock: Clock = system_clock) -> App:
    """Load lessons, upgrade the database and wire the coach.

    Raises ``SpeechSettingsError`` when a Piper voice is set but cannot be used.
    """
    speaker = speech.configure(settings.read_aloud, settings.piper_voices, settings.data_dir)
    loaded = load_library(settings.lesson_paths, settings.languages_required)
    if loaded.library is None:
        raise LibraryError(loaded.errors)
    # A restarted process is the same sender as before (same host, same data folder): it
    # sends at once what it held when it stopped, instead of waiting for the hold to lapse.
    store = Store(settings.database_url, holder=f"{socket.gethostname()}:{settings.data_dir.resolve()}")
    store.upgrade()
    return App(settings, store, loaded.library, clock, speaker)
