"""When is a learner due: pure functions of the clock, the learner's settings and the calendar."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lessons.public_holidays import Calendar
from storage.records import LessonWindow, Pause

LessonDay = Callable[[date], bool]


def spread_offset(learner_id: int, window: timedelta) -> timedelta:
    """A stable offset inside ``window``: the same learner always lands on the same second."""
    seconds = int(window.total_seconds())
    if seconds <= 0:
        return timedelta(0)
    digest = hashlib.sha256(f"learner:{learner_id}".encode()).digest()
    return timedelta(seconds=int.from_bytes(digest[:8], "big") % seconds)


def due_at(local_date: date, at: time, timezone: str, offset: timedelta = timedelta(0)) -> datetime:
    """The UTC instant of ``at`` on ``local_date`` in ``timezone``, plus the spread offset.

    Wall-clock time is kept across daylight-saving changes: 09:30 stays 09:30
    local on both sides of the switch.
    """
    local = datetime.combine(local_date, at, tzinfo=ZoneInfo(timezone))
    return local.astimezone(UTC) + offset


def lesson_time_window(since: datetime, until: datetime, timezone: str) -> LessonWindow:
    """The local lesson times, on ``until``'s local date, that fall between two instants.

    Bounded below by midnight: yesterday's part of the window was that day's business.
    """
    zone = ZoneInfo(timezone)
    local_since, local_until = since.astimezone(zone), until.astimezone(zone)
    not_before = local_since.time() if local_since.date() == local_until.date() else time(0, 0)
    return LessonWindow(timezone, local_until.date(), not_before, local_until.time())


def lesson_day_rule(weekdays: Iterable[int], pauses: Iterable[Pause], calendar: Calendar) -> LessonDay:
    """Is a date one of the learner's lesson days: a working day, no holiday, not on leave?"""
    days = frozenset(weekdays)
    leave = list(pauses)

    def is_lesson_day(day: date) -> bool:
        if day.isoweekday() not in days or any(p.covers(day) for p in leave):
            return False
        return calendar.holiday(day) is None

    return is_lesson_day
