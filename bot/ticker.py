"""The scheduler: one APScheduler job that asks the coach what is due, every tick.

Never a job per learner: the database knows who is due, and the outbox's
unique key makes a tick safe to repeat. The job store is in memory, one per
process, as APScheduler 3 requires.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


def start_ticking(tick: Callable[[], Awaitable[None]], every_seconds: int) -> AsyncIOScheduler:
    """Call ``tick`` now and then every ``every_seconds``; start it on the running loop."""

    async def safe_tick() -> None:
        try:
            await tick()
        except Exception:
            # The next tick tries again; the outbox keeps that idempotent.
            log.exception("scheduled delivery failed; trying again at the next tick")

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        safe_tick,
        "interval",
        seconds=every_seconds,
        id="deliver-due",
        max_instances=1,  # a slow tick is never overlapped by the next one
        coalesce=True,  # after the loop was blocked, run once, not once per missed tick
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    return scheduler
