"""Composition root: settings -> storage -> library -> coach -> adapters, on one loop."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections import defaultdict
from dataclasses import dataclass, field

from bot.adapters import Adapter
from bot.lesson_reload import PidFile, ReloadStatus, write_status
from bot.settings import Settings
from bot.ticker import start_ticking
from lessons.chat import ChatUnreachable, Event, Reply
from lessons.engine import Clock, Coach, system_clock
from lessons.lesson_library import Library
from lessons.loader import LibraryLoad, load_library
from lessons.problems import Problem
from storage.unit_of_work import Store

log = logging.getLogger(__name__)


class LibraryError(Exception):
    """The lessons could not be loaded; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the lesson files")
        self.problems = problems


@dataclass
class App:
    settings: Settings
    store: Store
    # The lessons being served. A reload replaces it whole; the coach reads it
    # at the start of every event, so an event never sees half of an edit.
    library: Library
    clock: Clock = system_clock
    adapters: dict[str, Adapter] = field(default_factory=dict)
    coach: Coach = field(init=False)
    _reloading: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    # One event (or tick) at a time into the coach, from every platform: SQLite
    # has one writer, and writers that wait on each other's lock sleep in steps,
    # which costs far more than taking turns here.
    _one_at_a_time: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    def __post_init__(self) -> None:
        self.coach = Coach(
            self.store,
            lambda: self.library,
            self.clock,
            self.settings.rhythm,
            charts=(self.settings.data_dir / "charts").resolve(),
        )

    def reload(self) -> LibraryLoad:
        """Load the lesson folders again; swap them in only when they have no errors."""
        loaded = load_library(self.settings.lesson_paths, self.settings.languages_required)
        if loaded.library is None:
            log.error(
                "lessons not reloaded, %d error(s); the last good lessons keep serving:", len(loaded.errors)
            )
            for problem in loaded.errors:
                log.error("  %s", problem)
        else:
            self.library = loaded.library
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

    async def handle(self, event: Event) -> list[Reply]:
        # The engine and its database work are synchronous: run them off the
        # event loop so a slow disk never stalls the chat connections.
        async with self._one_at_a_time:
            return await asyncio.to_thread(self.coach.handle, event)

    async def deliver(self, replies: list[Reply]) -> None:
        """Send replies made outside a conversation (scheduled lessons) to their platforms."""
        by_platform: dict[str, list[Reply]] = defaultdict(list)
        for reply in replies:
            by_platform[reply.to.platform].append(reply)
        for platform, batch in by_platform.items():
            adapter = self.adapters.get(platform)
            if adapter is None:
                log.warning("no %s adapter running: %d message(s) not sent", platform, len(batch))
                continue
            await adapter.send(batch)

    async def unreachable(self, event: ChatUnreachable) -> None:
        """An adapter reports a chat the platform refuses (e.g. Telegram's 403)."""
        async with self._one_at_a_time:
            await asyncio.to_thread(self.coach.unreachable, event)

    async def tick(self) -> None:
        """Send whatever the schedule says is due now."""
        async with self._one_at_a_time:
            due = await asyncio.to_thread(self.coach.deliver_due)
        await self.deliver(due)

    async def serve(self, *adapters: Adapter, scheduled: bool = False) -> None:
        """Run every adapter on this loop until all of them have stopped.

        Meanwhile SIGHUP (or ``digicoach lessons reload``) reloads the lessons,
        and with ``scheduled`` a tick sends the day's invitations.
        """
        self.adapters = {adapter.platform: adapter for adapter in adapters}
        for adapter in adapters:
            adapter.unreachable = self.unreachable
        loop = asyncio.get_running_loop()
        reloads: set[asyncio.Task[None]] = set()

        def on_hangup() -> None:
            task = loop.create_task(self.reload_in_background())
            reloads.add(task)  # keep a reference until it is done
            task.add_done_callback(reloads.discard)

        pid_file = PidFile(self.settings.data_dir)
        if not pid_file.claim():
            log.warning(
                "another coach serves from %s; 'lessons reload' will signal that one", self.settings.data_dir
            )
        loop.add_signal_handler(signal.SIGHUP, on_hangup)
        scheduler = start_ticking(self.tick, self.settings.tick_seconds) if scheduled else None
        try:
            await asyncio.gather(*(adapter.run(self.handle) for adapter in adapters))
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            loop.remove_signal_handler(signal.SIGHUP)
            pid_file.release()

    def close(self) -> None:
        self.store.close()


def build(settings: Settings, clock: Clock = system_clock) -> App:
    """Load lessons, upgrade the database and wire the coach."""
    loaded = load_library(settings.lesson_paths, settings.languages_required)
    if loaded.library is None:
        raise LibraryError(loaded.errors)
    store = Store(settings.database_url)
    store.upgrade()
    return App(settings, store, loaded.library, clock)
