"""What one handled event can see and change: its learner, the library, the time."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Unpack
from zoneinfo import ZoneInfo

from lessons.chat import Address, Choice, Document, Picture, Reply, Speech
from lessons.i18n import current
from lessons.lesson_library import Library
from lessons.model import DEFAULT_LANGUAGE, Lesson
from lessons.public_holidays import Calendar
from lessons.rhythm import Rhythm
from lessons.schedule import LessonDay, lesson_day_rule
from lessons.streaks import Streak, streak
from storage.records import Learner, LearnerChanges, Organisation
from storage.unit_of_work import Transaction

log = logging.getLogger(__name__)

# Where pictures the coach draws (digest charts) go when the app names no folder.
DEFAULT_CHARTS = Path(tempfile.gettempdir()) / "digicoach-charts"


def organisation_calendar(tx: Transaction, organisation_id: int | None, rhythm: Rhythm) -> Calendar:
    """An organisation's public holidays; the deployment's for learners in none."""
    return organisation_calendars(tx, {organisation_id}, rhythm)[organisation_id]


def organisation_calendars(
    tx: Transaction, organisation_ids: Collection[int | None], rhythm: Rhythm
) -> dict[int | None, Calendar]:
    """``organisation_calendar`` of each of these organisations, read in one query."""
    calendars = calendars_of(
        tx.organisations.get_many({i for i in organisation_ids if i is not None}).values(), rhythm
    )
    return {i: calendars[i] for i in organisation_ids}


def calendars_of(organisations: Iterable[Organisation], rhythm: Rhythm) -> dict[int | None, Calendar]:
    """Each organisation's public holidays; under None the deployment's, for learners of none."""
    return {o.id: Calendar(o.country, o.subdivision) for o in organisations} | {None: rhythm.calendar}


def calendar_of(tx: Transaction, learner: Learner, rhythm: Rhythm) -> Calendar:
    return organisation_calendar(tx, learner.organisation_id, rhythm)


def spoken_language(tx: Transaction, learner: Learner, hint: str | None = None) -> str:
    """The learner's language: their choice, else their app's (``hint``), else their organisation's."""
    return spoken_languages(tx, [learner], hint)[learner.id]


def spoken_languages(tx: Transaction, learners: Iterable[Learner], hint: str | None = None) -> dict[int, str]:
    """``spoken_language`` of each of these learners; the organisations asked are read in one query."""
    learners = list(learners)
    # Only for learners who chose no language and whose app named none.
    needed = {
        learner.organisation_id
        for learner in learners
        if not learner.locale and not hint and learner.organisation_id is not None
    }
    organisations = tx.organisations.get_many(needed)

    def language(learner: Learner) -> str:
        if learner.locale:
            return learner.locale
        if hint:
            return hint
        if learner.organisation_id is None:
            return DEFAULT_LANGUAGE
        return organisations[learner.organisation_id].language

    return {learner.id: language(learner) for learner in learners}


def next_lesson(tx: Transaction, library: Library, learner_id: int) -> Lesson | None:
    """The next lesson on this learner's personal path (placement check included)."""
    return next_lessons(tx, library, [learner_id])[learner_id]


def next_lessons(tx: Transaction, library: Library, learner_ids: Collection[int]) -> dict[int, Lesson | None]:
    """``next_lesson`` of each of these learners, their progress read in two queries for all."""
    finished = tx.deliveries.finished_lessons_of(learner_ids)
    starts = tx.placements.starts_of(learner_ids)
    return {i: library.next_lesson(finished[i], starts=starts[i]) for i in learner_ids}


def finish_after_commit(turns: Iterable[Turn]) -> None:
    """The slow work turns left for after their transaction (drawing charts); a failure is logged."""
    for turn in turns:
        for work in turn.after_commit:
            try:
                work()
            except Exception:
                # The reply still goes out; adapters describe a missing picture in words.
                log.exception("could not finish %r after the transaction", work)


@dataclass
class Turn:
    tx: Transaction
    learner: Learner
    library: Library
    now: datetime
    address: Address
    rhythm: Rhythm = field(default_factory=Rhythm)
    log = logging.getLogger(__name__)

    # Where pictures the coach draws (digest charts) are written.
    charts: Path = DEFAULT_CHARTS
    # The languages a card can be read aloud in: the button is offered only for these.
    read_aloud: frozenset[str] = frozenset()
    replies: list[Reply] = field(default_factory=list)
    # Slow work whose result the replies need (drawing a chart), done after the
    # transaction commits so it never holds the database's write lock.
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # The learner erased everything (/forget): the goodbye is owed to nobody on record.
    forgotten: bool = False

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
        quiz: bool = False,
        document: Document | None = None,
        speech: Speech | None = None,
    ) -> None:
        self.replies.append(
            Reply(
                self.address,
                text,
                title,
                tuple(choices),
                picture,
                quiz=quiz,
                document=document,
                speech=speech,
            )
        )

    @property
    def calendar(self) -> Calendar:
        """The learner's organisation's public holidays, or the deployment's."""
        return calendar_of(self.tx, self.learner, self.rhythm)

    @property
    def is_lesson_day(self) -> LessonDay:
        return lesson_day_rule(
            self.learner.weekday_numbers, self.tx.pauses.all_for(self.learner.id), self.calendar
        )

    def next_lesson(self) -> Lesson | None:
        return next_lesson(self.tx, self.library, self.learner.id)

    def streak(self) -> Streak:
        return streak(self.tx.deliveries.finished_dates(self.learner.id), self.today, self.is_lesson_day)

    def update_learner(self, **changes: Unpack[LearnerChanges]) -> Learner:
        self.learner = self.tx.learners.update(self.learner.id, **changes)
        return self.learner
