"""Streaks count lesson days only: weekends, holidays and leave neither add nor break."""

from __future__ import annotations

from datetime import date, timedelta

from lessons.rhythm import Rhythm
from lessons.schedule import lesson_day_rule
from lessons.streaks import Streak, streak
from storage.records import Pause

WORKDAYS = lesson_day_rule(range(1, 6), [], Rhythm().calendar)


def days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def test_a_weekend_does_not_break_a_streak():
    done = days(date(2026, 3, 4), date(2026, 3, 6)) | {date(2026, 3, 9)}  # Wed-Fri, Monday
    assert streak(done, date(2026, 3, 9), WORKDAYS) == Streak(current=4, best=4)


def test_today_not_done_yet_does_not_break_it_but_a_missed_day_does():
    done = {date(2026, 3, 2), date(2026, 3, 3)}
    assert streak(done, date(2026, 3, 4), WORKDAYS).current == 2
    assert streak(done, date(2026, 3, 5), WORKDAYS) == Streak(current=0, best=2)


def test_a_public_holiday_does_not_break_it():
    done = {date(2026, 4, 3), date(2026, 4, 7)}  # Friday, Tuesday after Easter Monday
    assert streak(done, date(2026, 4, 7), WORKDAYS).current == 2


def test_leave_does_not_break_it():
    leave = lesson_day_rule(
        range(1, 6), [Pause(1, 1, date(2026, 3, 10), date(2026, 3, 13))], Rhythm().calendar
    )
    done = {date(2026, 3, 9), date(2026, 3, 16)}
    assert streak(done, date(2026, 3, 16), leave).current == 2
    assert streak(done, date(2026, 3, 16), WORKDAYS).current == 1


def test_an_extra_lesson_at_the_weekend_neither_counts_nor_breaks():
    done = {date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 9)}
    assert streak(done, date(2026, 3, 9), WORKDAYS) == Streak(current=2, best=2)
