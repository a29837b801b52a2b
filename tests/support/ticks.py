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


def tick(coach: Coach, now: datetime | None = None) -> list[Reply]:
    """One scheduler tick; the platform takes what it stored at once (as ``MemoryChat`` takes replies)."""
    outgoing = coach.deliver_due(now)
    coach.sent([o.id for o in outgoing])
    return [o.reply for o in outgoing]


def tick_until(
    coach: Coach, clock: FakeClock, until: datetime, every: timedelta = timedelta(minutes=5)
) -> list[Sent]:
    """Tick every ``every`` from the clock's time until ``until`` (local or UTC aware)."""
    sent: list[Sent] = []
    while clock.now < until:
        clock.advance(seconds=every.total_seconds())
        sent += [Sent(clock.now.astimezone(BRUSSELS), r) for r in tick(coach, clock.now)]
    return sent


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


def invitations(sent: list[Sent]) -> list[Sent]:
    """Only the day's invitations (they offer 'in an hour'), not reminders."""
    return [s for s in sent if any(c.id.startswith("snooze:") for c in s.reply.choices)]


def reminders(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if any(c.id.startswith("pace:") for c in s.reply.choices)]


def tick_days(
    coach: Coach, clock: FakeClock, first: datetime, last: datetime, every: timedelta = timedelta(minutes=15)
) -> list[Sent]:
    """Tick from 08:00 to 20:00 local on each day from ``first`` to ``last``: the nights are quiet."""
    sent: list[Sent] = []
    day = first.date()
    while day <= last.date():
        clock.now = local(day.year, day.month, day.day, 8, 0)
        sent += tick_until(coach, clock, local(day.year, day.month, day.day, 20, 0), every)
        day += timedelta(days=1)
    return sent
