"""The admin's dry run of a day: who would get what, when, and why not the others."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names
from babel.lists import format_list

from lessons.lesson_library import Library
from lessons.rhythm import Rhythm
from lessons.schedule import due_at, spread_offset
from lessons.turn import calendar_of
from storage.records import Learner
from storage.states import PushKind
from storage.unit_of_work import Store, Transaction

ADMIN_LOCALE = "en_GB"


@dataclass(frozen=True)
class PlannedDay:
    learner: str
    platform: str
    timezone: str
    at: str | None  # local time of the invitation; None when there is none
    what: str  # the lesson, or why nothing is sent


def _days(weekdays: str) -> str:
    names = get_day_names("abbreviated", locale=ADMIN_LOCALE)
    return format_list([names[int(d) - 1] for d in sorted(weekdays)], locale=ADMIN_LOCALE)


def _plan(
    tx: Transaction, library: Library, rhythm: Rhythm, day: date, learner: Learner
) -> tuple[str | None, str]:
    if not learner.set_up:
        return None, "still setting up (has not chosen a lesson time yet)"
    if not learner.active:
        return None, "inactive (the platform refuses messages to this person)"
    if str(day.isoweekday()) not in learner.weekdays:
        return None, f"not a lesson day (lessons on {_days(learner.weekdays)})"
    if holiday_name := calendar_of(tx, learner, rhythm).holiday(day):
        return None, f"public holiday: {holiday_name}"
    if pause := next((p for p in tx.pauses.all_for(learner.id) if p.covers(day)), None):
        until = format_date(pause.end_date, "long", locale=ADMIN_LOCALE) if pause.end_date else "/resume"
        return None, f"on a break until {until}"
    if sent := [p for p in tx.pushes.on_day(learner.id, day) if p.kind is PushKind.LESSON]:
        return None, f"invitation already {sent[0].status}"
    at = due_at(day, learner.delivery_time, learner.timezone, spread_offset(learner.id, rhythm.spread))
    local = f"{at.astimezone(ZoneInfo(learner.timezone)):%H:%M}"
    lesson = library.next_lesson(
        tx.deliveries.finished_lessons(learner.id), starts=tx.placements.starts(learner.id)
    )
    if lesson is not None:
        return local, f"lesson '{lesson.id}': {lesson.title.get('en')}"
    if tx.reviews.due(learner.id, at):
        return local, "review questions only"
    return None, "finished every lesson, nothing to review"


def preview(store: Store, library: Library, rhythm: Rhythm, day: date) -> list[PlannedDay]:
    """Sends nothing and changes nothing."""
    with store.transaction() as tx:
        return [
            PlannedDay(learner.display_name or learner.platform_user_id, learner.platform, learner.timezone,
                       *_plan(tx, library, rhythm, day, learner))
            for learner in tx.learners.everyone()
        ]  # fmt: skip
