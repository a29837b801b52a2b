"""Whether to send the one friendly reminder for an unfinished lesson, or to ask once about slowing down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from storage.states import PushKind


@dataclass(frozen=True)
class ReminderFacts:
    reminders_on: bool
    on_leave: bool
    finished_that_day: bool
    local_time: time
    working_hours: tuple[time, time]
    sent_this_week: int
    per_week: int
    ignored_in_a_row: int
    ask_after: int


def decide(facts: ReminderFacts) -> PushKind | None:
    """The reminder to send (NUDGE), the one question (ASK: whether to send lessons less often), or none."""
    if not facts.reminders_on or facts.on_leave or facts.finished_that_day:
        return None
    start, end = facts.working_hours
    if not start <= facts.local_time <= end:
        return None
    if facts.ignored_in_a_row >= facts.ask_after:
        return PushKind.ASK
    if facts.sent_this_week >= facts.per_week:
        return None
    return PushKind.NUDGE
