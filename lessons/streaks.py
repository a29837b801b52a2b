"""Streaks: how many scheduled days in a row a learner finished their lesson."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

_LOOKBACK_DAYS = 3660


def current_streak(finished: Collection[date], today: date, weekdays: Collection[int]) -> int:
    """Count back from today over the learner's working days.

    Days that are not working days neither count nor break the streak. Today
    not yet finished does not break it either: the day is not over.
    """
    if not weekdays:
        return 0
    streak = 0
    day = today
    if day not in finished:
        day -= timedelta(days=1)
    for _ in range(_LOOKBACK_DAYS):
        if day.isoweekday() in weekdays:
            if day not in finished:
                break
            streak += 1
        day -= timedelta(days=1)
    return streak
