"""What one handled event can see and change: its learner, the library, the time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lessons.chat import Address, Choice, Picture, Reply
from lessons.i18n import current
from lessons.lesson_library import Library
from lessons.model import Lesson
from lessons.rhythm import Rhythm
from lessons.schedule import LessonDay, lesson_day_rule
from lessons.streaks import Streak, streak
from storage.records import Learner
from storage.unit_of_work import Transaction


@dataclass
class Turn:
    tx: Transaction
    learner: Learner
    library: Library
    now: datetime
    address: Address
    rhythm: Rhythm = field(default_factory=Rhythm)
    replies: list[Reply] = field(default_factory=list)

    @property
    def language(self) -> str:
        return current()

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.learner.timezone))

    @property
    def today(self) -> date:
        return self.local_now.date()

    def say(
        self,
        text: str,
        choices: Iterable[Choice] = (),
        *,
        title: str | None = None,
        picture: Picture | None = None,
    ) -> None:
        self.replies.append(Reply(self.address, text, title, tuple(choices), picture))

    @property
    def is_lesson_day(self) -> LessonDay:
        return lesson_day_rule(
            self.learner.weekday_numbers, self.tx.pauses.all_for(self.learner.id), self.rhythm
        )

    def next_lesson(self) -> Lesson | None:
        """The next lesson on this learner's personal path (placement check included)."""
        return self.library.next_lesson(
            self.tx.deliveries.finished_lessons(self.learner.id),
            starts=self.tx.placements.starts(self.learner.id),
        )

    def streak(self) -> Streak:
        return streak(self.tx.deliveries.finished_dates(self.learner.id), self.today, self.is_lesson_day)

    def update_learner(self, **changes: Any) -> Learner:
        self.learner = self.tx.learners.update(self.learner.id, **changes)
        return self.learner
