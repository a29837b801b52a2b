"""Drive the scheduler's tick with the test clock: what was sent, when (local time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lessons.chat import Reply
from lessons.engine import Coach
from tests.support.clock import FakeClock

BRUSSELS = ZoneInfo("Europe/Brussels")


@dataclass(frozen=True)
class Sent:
    at: datetime  # local Brussels time
    reply: Reply


def tick_until(
    coach: Coach, clock: FakeClock, until: datetime, every: timedelta = timedelta(minutes=5)
) -> list[Sent]:
    """Tick every ``every`` from the clock's time until ``until`` (local or UTC aware)."""
    sent: list[Sent] = []
    while clock.now < until:
        clock.advance(seconds=every.total_seconds())
        sent += [Sent(clock.now.astimezone(BRUSSELS), r) for r in coach.deliver_due(clock.now)]
    return sent


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)
