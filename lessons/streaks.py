"""Streaks: how many lesson days in a row a learner finished their session.

Only lesson days count: weekends, public holidays and leave neither add to a
streak nor break it. Today not yet done does not break it either.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from lessons.schedule import LessonDay


@dataclass(frozen=True)
class Streak:
    current: int
    best: int


def streak(finished: Collection[date], today: date, is_lesson_day: LessonDay) -> Streak:
    if not finished:
        return Streak(0, 0)
    best = run = 0
    day = min(finished)
    while day <= today:
        if is_lesson_day(day):
            if day in finished:
                run += 1
            elif day != today:
                run = 0
        best = max(best, run)
        day += timedelta(days=1)
    return Streak(current=run, best=best)
