"""Composition root: settings -> storage -> library -> coach -> adapters, on one loop."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from bot.adapters import Adapter
from bot.settings import Settings
from bot.ticker import start_ticking
from lessons.chat import Event, Reply
from lessons.engine import Clock, Coach, system_clock
from lessons.lesson_library import Library
from lessons.loader import load_library
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
    library: Library
    coach: Coach
    adapters: dict[str, Adapter] = field(default_factory=dict)

    async def handle(self, event: Event) -> list[Reply]:
        # The engine and its database work are synchronous: run them off the
        # event loop so a slow disk never stalls the chat connections.
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

    async def tick(self) -> None:
        """Send whatever the schedule says is due now."""
        await self.deliver(await asyncio.to_thread(self.coach.deliver_due))

    async def serve(self, *adapters: Adapter, scheduled: bool = False) -> None:
        """Run every adapter on this loop until all of them have stopped.

        ``scheduled`` also starts the tick that sends the day's invitations.
        """
        self.adapters = {adapter.platform: adapter for adapter in adapters}
        scheduler = start_ticking(self.tick, self.settings.tick_seconds) if scheduled else None
        try:
            await asyncio.gather(*(adapter.run(self.handle) for adapter in adapters))
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)

    def close(self) -> None:
        self.store.close()


def build(settings: Settings, clock: Clock = system_clock) -> App:
    """Load lessons, upgrade the database and wire the coach."""
    loaded = load_library(settings.lesson_paths, settings.languages_required)
    if loaded.library is None:
        raise LibraryError(loaded.errors)
    store = Store(settings.database_url)
    store.upgrade()
    coach = Coach(store, loaded.library, clock, settings.rhythm)
    return App(settings, store, loaded.library, coach)
