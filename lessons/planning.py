"""The admin's dry run of a day: who would get what, when, and why not the others.

It asks the scheduler's own rule (``lessons.tick.invitations_due``) who is due
on the day, and the same rule's conditions which one each other learner
fails, so the preview and the tick can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_day_names
from babel.lists import format_list

from lessons.flows.invitation import todays_invitation
from lessons.lesson_library import Library
from lessons.rhythm import Rhythm
from lessons.schedule import due_at
from lessons.sending_forecast import Invitation
from lessons.tick import invitations_due
from lessons.turn import calendar_of
from storage.records import Learner, LessonWindow
from storage.states import NotDue, PushKind
from storage.unit_of_work import Store, Transaction

ADMIN_LOCALE = "en_GB"


@dataclass(frozen=True)
class PlannedDay:
    learner: str
    platform: str
    timezone: str
    at: str | None  # local time of the invitation; None when there is none
    what: str  # the lesson, or why nothing is sent
    due: datetime | None = None  # the instant the invitation is due (UTC)
    lesson_time: datetime | None = None  # the learner's lesson time that day (UTC), before the spread

    @property
    def invitation(self) -> Invitation | None:
        """What the sending forecast needs to know of it; None when nothing is sent."""
        if self.due is None or self.lesson_time is None:
            return None
        return Invitation(self.platform, self.lesson_time, self.due)


def _days(weekdays: str) -> str:
    names = get_day_names("abbreviated", locale=ADMIN_LOCALE)
    return format_list([names[int(d) - 1] for d in sorted(weekdays)], locale=ADMIN_LOCALE)


def _why_not(tx: Transaction, rhythm: Rhythm, day: date, learner: Learner, reason: NotDue | None) -> str:
    """The failed condition in the admin's words, with what they need to act on it."""
    if reason is NotDue.SETTING_UP:
        return "still setting up (has not chosen a lesson time yet)"
    if reason is NotDue.INACTIVE:
        return "inactive (the platform refuses messages to this person)"
    if reason is NotDue.NOT_A_LESSON_DAY:
        return f"not a lesson day (lessons on {_days(learner.weekdays)})"
    if reason is NotDue.ON_A_BREAK:
        pause = next(p for p in tx.pauses.all_for(learner.id) if p.covers(day))
        until = format_date(pause.end_date, "long", locale=ADMIN_LOCALE) if pause.end_date else "/resume"
        return f"on a break until {until}"
    if reason is NotDue.DONE_TODAY:
        return "already did a lesson or review that day"
    if reason is NotDue.ALREADY_PLANNED:
        planned = next(p for p in tx.pushes.on_day(learner.id, day) if p.kind is PushKind.LESSON)
        return f"invitation already {planned.status}"
    # The database's conditions hold, so the day is one of the organisation's public holidays.
    return f"public holiday: {calendar_of(tx, learner, rhythm).holiday(day)}"


def _offer(tx: Transaction, library: Library, learner: Learner, at: datetime) -> str | None:
    offer = todays_invitation(tx, learner, library, at)
    if offer is None:
        return None
    if offer.lesson is None:
        return "review questions only"
    return f"lesson '{offer.lesson.id}': {offer.lesson.title.get('en')}"


def _passed(at: datetime, now: datetime, rhythm: Rhythm) -> str | None:
    """What becomes of an invitation whose time is before ``now``: late, or never."""
    if at > now:
        return None
    if now - at <= rhythm.catch_up:
        return "time passed: goes out at the next tick of a running coach"
    return "time passed without a running coach: dropped (DIGICOACH_CATCH_UP_HOURS)"


def preview(
    store: Store, library: Library, rhythm: Rhythm, day: date, now: datetime | None = None
) -> list[PlannedDay]:
    """Sends nothing and changes nothing; with ``now``, an invitation whose time passed says so."""
    plan: list[PlannedDay] = []
    with store.transaction() as tx:
        windows = [LessonWindow(timezone, day, time.min, time.max) for timezone in tx.learners.timezones()]
        due = {learner_id: at for learner_id, _day, at in invitations_due(tx, rhythm, windows)}
        reasons = tx.learners.why_not_due(day)
        for learner in tx.learners.everyone():
            name = learner.display_name or learner.platform_user_id
            at = due.get(learner.id)
            offer = _offer(tx, library, learner, at) if at is not None else None
            if at is None:
                what = _why_not(tx, rhythm, day, learner, reasons.get(learner.id))
            elif offer is None:
                what, at = "finished every lesson, nothing to review", None
            else:
                what = offer
                if now is not None and (late := _passed(at, now, rhythm)) is not None:
                    what = f"{offer}; {late}"
                    if not late.startswith("time passed:"):
                        at = None
            local = f"{at.astimezone(ZoneInfo(learner.timezone)):%H:%M}" if at is not None else None
            lesson_time = due_at(day, learner.delivery_time, learner.timezone) if at is not None else None
            plan.append(PlannedDay(name, learner.platform, learner.timezone, local, what, at, lesson_time))
    return plan
