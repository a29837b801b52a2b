"""The queries the lesson engine needs. They never commit: the unit of work does."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import fields
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any, TypeVar, Unpack, cast

from sqlalchemy import (
    ColumnElement,
    Insert,
    Row,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased

from storage import prepared
from storage.base import Base
from storage.models import (
    MAX_RESPONSE,
    AnswerRow,
    DeliveryRow,
    HandledEventRow,
    LearnerRow,
    PauseRow,
    PlacementResultRow,
    PushRow,
    ReviewCardRow,
)
from storage.records import (
    Answer,
    Delivery,
    DeliveryChanges,
    Learner,
    LearnerChanges,
    LessonWindow,
    Pause,
    PlacementResult,
    Push,
    PushChanges,
    ReviewCard,
    TopicScore,
)
from storage.states import (
    CLOSED,
    LEARNING_SESSIONS,
    REMINDERS,
    SET_UP,
    WAITING,
    NotDue,
    PushKind,
    PushStatus,
    SessionKind,
    Step,
)

PushAlias = aliased(PushRow)
_LEARNERS = cast(Table, LearnerRow.__table__)
_DELIVERIES = cast(Table, DeliveryRow.__table__)
_REVIEW_CARDS = cast(Table, ReviewCardRow.__table__)
_ANSWERS = cast(Table, AnswerRow.__table__)
_PAUSES = cast(Table, PauseRow.__table__)

# What every finished lesson asks (its score, the streak, what is due next), built once
# (``storage.prepared`` says why). ``ids``: one chunk of learner ids.
_ANSWERS_OF_DELIVERY = (
    select(_ANSWERS).where(_ANSWERS.c.delivery_id == bindparam("delivery_id")).order_by(_ANSWERS.c.id)
)
_FINISHED_DATES_OF = select(_DELIVERIES.c.learner_id, _DELIVERIES.c.local_date).where(
    _DELIVERIES.c.learner_id.in_(bindparam("ids", expanding=True)),
    _DELIVERIES.c.step == Step.DONE,
    _DELIVERIES.c.kind.in_(LEARNING_SESSIONS),
)
_CARDS_DUE = (
    select(_REVIEW_CARDS)
    .where(_REVIEW_CARDS.c.learner_id == bindparam("learner_id"), _REVIEW_CARDS.c.due <= bindparam("now"))
    .order_by(_REVIEW_CARDS.c.due, _REVIEW_CARDS.c.id)
)
_PAUSES_OF = (
    select(_PAUSES)
    .where(_PAUSES.c.learner_id.in_(bindparam("ids", expanding=True)))
    .order_by(_PAUSES.c.start_date, _PAUSES.c.id)
)

R = TypeVar("R")
B = TypeVar("B", bound=Base)
T = TypeVar("T")


# Ids in one IN (...) list: far below the parameters a statement may have (SQLite
# 32,766, PostgreSQL 65,535), and few statements even for a tick's 100,000 learners.
IDS_PER_QUERY = 5000


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_once(session: Session, row: type[Base], *returned: str) -> Insert:
    """An INSERT that leaves out a row whose unique key exists already, on SQLite and PostgreSQL alike.

    Cheaper than a savepoint around an insert that may fail: one statement. With
    ``returned`` (say the primary key) the caller learns whether its row went in:
    a row comes back only then. Built once per table (``storage.prepared``).
    """
    # On the table, not the mapped class: the ORM's bulk-insert machinery costs more than the insert.
    return prepared.insert_once(session.get_bind().dialect.name, cast(Table, row.__table__), *returned)


def to_record(kind: type[R], row: Base | Row[Any]) -> R:
    """A row (an ORM object or a plain result row) as the plain record the engine sees."""
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in fields(kind))  # type: ignore[arg-type]
    return kind(**{name: getattr(row, name) for name in names})


# The field names of each record class, looked up once.
_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def change(
    session: Session, kind: type[Base], row_id: int, changes: Mapping[str, object], allowed: frozenset[str]
) -> Row[Any]:
    """Set the given columns of one row and flush; the caller's transaction commits.

    ``allowed`` are the keys of the row's typed changes (``LearnerChanges``...):
    a name outside them raises instead of setting an attribute nothing reads.
    """
    _refuse_unknown(kind, changes, allowed)
    # One UPDATE ... RETURNING on the table itself: reading the row first would cost a SELECT
    # (the identity map keeps rows only while something holds them, and records do not), and
    # a plain row is cheaper to make than an ORM object.
    statement = prepared.change_by_key(cast(Table, kind.__table__), tuple(changes))
    return session.execute(statement, {prepared.KEY: row_id, **prepared.new_values(dict(changes))}).one()


def change_all(
    session: Session,
    kind: type[Base],
    row_ids: Collection[int],
    changes: Mapping[str, object],
    allowed: frozenset[str],
) -> None:
    """Set the same columns of many rows: one UPDATE for up to ``IDS_PER_QUERY`` of them."""
    _refuse_unknown(kind, changes, allowed)
    table = cast(Table, kind.__table__)
    [key] = table.primary_key.columns
    for chunk in _chunks(sorted(row_ids), IDS_PER_QUERY):
        session.execute(update(table).where(key.in_(chunk)).values(**changes))


def _open_on(closed: Collection[int | None]) -> list[ColumnElement[bool]]:
    """Conditions that leave out the learners of these organisations (None: of no organisation)."""
    conditions: list[ColumnElement[bool]] = []
    if None in closed:
        conditions.append(LearnerRow.organisation_id.is_not(None))
    if ids := sorted(i for i in closed if i is not None):
        # NOT IN alone would leave out everyone of no organisation too (NULL NOT IN ... is not true).
        conditions.append(or_(LearnerRow.organisation_id.is_(None), LearnerRow.organisation_id.not_in(ids)))
    return conditions


def _refuse_unknown(kind: type[Base], changes: Mapping[str, object], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise TypeError(f"{kind.__tablename__} has no field {', '.join(map(repr, unknown))} to change")


class Learners:
    def __init__(self, session: Session) -> None:
        self._s = session

    def find(self, platform: str, platform_user_id: str) -> Learner | None:
        statement = prepared.rows_where(_LEARNERS, "platform", "platform_user_id")
        row = self._s.execute(statement, {"platform": platform, "platform_user_id": platform_user_id}).first()
        return to_record(Learner, row) if row else None

    def get(self, learner_id: int) -> Learner:
        row = self._s.execute(prepared.row_by_key(_LEARNERS), {prepared.KEY: learner_id}).one()
        return to_record(Learner, row)

    def get_many(self, learner_ids: Collection[int]) -> dict[int, Learner]:
        """The learners with these ids (those that still exist), one query per ``IDS_PER_QUERY``."""
        table = LearnerRow.__table__
        found: dict[int, Learner] = {}
        for chunk in _chunks(sorted(learner_ids), IDS_PER_QUERY):
            for row in self._s.execute(select(table).where(table.c.id.in_(chunk))):
                found[row.id] = to_record(Learner, row)
        return found

    def add(
        self,
        *,
        platform: str,
        platform_user_id: str,
        chat_id: str,
        display_name: str | None,
        locale: str | None,
        now: datetime,
    ) -> Learner:
        row = LearnerRow(
            platform=platform,
            platform_user_id=platform_user_id,
            chat_id=chat_id,
            display_name=display_name,
            locale=locale,
            created_at=now,
        )
        self._s.add(row)
        self._s.flush()
        return to_record(Learner, row)

    def update(self, learner_id: int, **changes: Unpack[LearnerChanges]) -> Learner:
        return to_record(
            Learner, change(self._s, LearnerRow, learner_id, changes, LearnerChanges.__optional_keys__)
        )

    def update_all(self, learner_ids: Collection[int], **changes: Unpack[LearnerChanges]) -> None:
        change_all(self._s, LearnerRow, learner_ids, changes, LearnerChanges.__optional_keys__)

    def deactivate_chat(self, platform: str, chat_id: str) -> int:
        """Mark the learners of a chat the platform refuses as inactive; how many there were."""
        rows = list(
            self._s.scalars(
                select(LearnerRow).where(LearnerRow.platform == platform, LearnerRow.chat_id == chat_id)
            )
        )
        for row in rows:
            row.active = False
        self._s.flush()
        return len(rows)

    def timezones(self) -> list[str]:
        """The learners' distinct time zones.

        A loose index scan (standard recursive SQL, on SQLite and PostgreSQL):
        one index probe per time zone instead of reading every learner, which
        matters because the scheduler asks every minute.
        """
        rows = self._s.execute(
            text(
                "WITH RECURSIVE zones(name) AS ("
                " SELECT MIN(timezone) FROM learners"
                " UNION ALL"
                " SELECT (SELECT MIN(timezone) FROM learners WHERE timezone > zones.name)"
                " FROM zones WHERE zones.name IS NOT NULL)"
                " SELECT name FROM zones WHERE name IS NOT NULL"
            )
        )
        return [name for (name,) in rows]

    def everyone(self) -> list[Learner]:
        rows = self._s.scalars(select(LearnerRow).order_by(LearnerRow.id))
        return [to_record(Learner, r) for r in rows]

    @staticmethod
    def _lesson_rule(local_date: date) -> dict[NotDue, ColumnElement[bool]]:
        """The rule "due for a lesson invitation on this date", one named condition each.

        The scheduler selects with all of them; the admin's schedule preview
        asks which one fails, so the two can never disagree. (Public holidays
        come on top: they are per organisation, from the ``holidays`` package.)
        """
        on_leave = exists().where(
            PauseRow.learner_id == LearnerRow.id,
            PauseRow.start_date <= local_date,
            or_(PauseRow.end_date.is_(None), PauseRow.end_date >= local_date),
        )
        # A learner who already learned that day (before their lesson time) is not asked to again.
        learned = exists().where(
            DeliveryRow.learner_id == LearnerRow.id,
            DeliveryRow.local_date == local_date,
            DeliveryRow.kind.in_(LEARNING_SESSIONS),
            DeliveryRow.step == Step.DONE,
        )
        planned = exists().where(
            PushRow.learner_id == LearnerRow.id,
            PushRow.local_date == local_date,
            PushRow.kind == PushKind.LESSON,
        )
        return {
            NotDue.SETTING_UP: LearnerRow.stage.in_(SET_UP),
            NotDue.INACTIVE: LearnerRow.active.is_(True),
            NotDue.NOT_A_LESSON_DAY: LearnerRow.weekdays.contains(str(local_date.isoweekday())),
            NotDue.ON_A_BREAK: ~on_leave,
            NotDue.DONE_TODAY: ~learned,
            NotDue.ALREADY_PLANNED: ~planned,
        }

    def due_for_lesson(
        self,
        windows: Collection[LessonWindow],
        closed: Mapping[date, Collection[int | None]] | None = None,
        limit: int | None = None,
    ) -> list[tuple[int, str, time]]:
        """(id, time zone, lesson time) of the learners whose lesson time lies in their time
        zone's window and who meet the rule (``_lesson_rule``) on that window's date.

        ``closed``: per date, the organisations on a public holiday (None: learners of
        none); their learners are left out. ``limit``: at most that many, in no promised
        order. One statement for every time zone: a UNION ALL of one part per window,
        each a range of the index ``ix_learners_due``.
        """
        closed = closed or {}
        rules = {
            day: [*self._lesson_rule(day).values(), *_open_on(closed.get(day, ()))]
            for day in {w.local_date for w in windows}
        }
        parts = [
            select(LearnerRow.id, LearnerRow.timezone, LearnerRow.delivery_time).where(
                LearnerRow.timezone == window.timezone,
                LearnerRow.delivery_time >= window.not_before,
                LearnerRow.delivery_time <= window.until,
                *rules[window.local_date],
            )
            for window in windows
        ]
        found: list[tuple[int, str, time]] = []
        # SQLite allows at most 500 parts in one compound SELECT.
        for chunk in _chunks(parts, 100):
            statement = chunk[0] if len(chunk) == 1 else union_all(*chunk)
            if limit is not None:
                statement = statement.limit(limit - len(found))
            found += [(learner_id, zone, at) for learner_id, zone, at in self._s.execute(statement)]
            if limit is not None and len(found) >= limit:
                break
        return found

    def why_not_due(self, local_date: date) -> dict[int, NotDue]:
        """For each learner the rule leaves out on ``local_date``, the first condition they fail."""
        rule = self._lesson_rule(local_date)
        query = select(
            LearnerRow.id, *(condition.label(f"c{n}") for n, condition in enumerate(rule.values()))
        )
        reasons = list(rule)
        found: dict[int, NotDue] = {}
        for learner_id, *met in self._s.execute(query):
            failed = next((reason for reason, ok in zip(reasons, met, strict=True) if not ok), None)
            if failed is not None:
                found[learner_id] = failed
        return found


class Deliveries:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, delivery_id: int) -> Delivery | None:
        row = self._s.execute(prepared.row_by_key(_DELIVERIES), {prepared.KEY: delivery_id}).first()
        return to_record(Delivery, row) if row else None

    def on_day(self, learner_id: int, local_date: date) -> list[Delivery]:
        rows = self._s.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.learner_id == learner_id, DeliveryRow.local_date == local_date)
            .order_by(DeliveryRow.slot)
        )
        return [to_record(Delivery, r) for r in rows]

    def latest_open(self, learner_id: int) -> Delivery | None:
        row = self._s.scalar(
            select(DeliveryRow)
            .where(DeliveryRow.learner_id == learner_id, DeliveryRow.step.not_in(CLOSED))
            .order_by(DeliveryRow.started_at.desc(), DeliveryRow.id.desc())
            .limit(1)
        )
        return to_record(Delivery, row) if row else None

    def add(
        self,
        *,
        learner_id: int,
        local_date: date,
        slot: int,
        lesson_id: str,
        lesson_version: int,
        topic: str,
        now: datetime,
        kind: SessionKind = SessionKind.LESSON,
        items: str = "",
        step: Step = Step.CARDS,
    ) -> Delivery:
        row = DeliveryRow(
            learner_id=learner_id,
            local_date=local_date,
            slot=slot,
            kind=kind,
            lesson_id=lesson_id,
            lesson_version=lesson_version,
            topic=topic,
            items=items,
            step=step,
            started_at=now,
        )
        self._s.add(row)
        self._s.flush()
        return to_record(Delivery, row)

    def update(self, delivery_id: int, **changes: Unpack[DeliveryChanges]) -> Delivery:
        return to_record(
            Delivery, change(self._s, DeliveryRow, delivery_id, changes, DeliveryChanges.__optional_keys__)
        )

    def all_for(self, learner_id: int) -> list[Delivery]:
        rows = self._s.scalars(
            select(DeliveryRow).where(DeliveryRow.learner_id == learner_id).order_by(DeliveryRow.id)
        )
        return [to_record(Delivery, r) for r in rows]

    def finished_lessons(self, learner_id: int) -> set[str]:
        return self.finished_lessons_of([learner_id])[learner_id]

    def finished_lessons_of(self, learner_ids: Collection[int]) -> dict[int, set[str]]:
        """The lessons each of these learners finished, in one query per ``IDS_PER_QUERY`` learners."""
        found: dict[int, set[str]] = {learner_id: set() for learner_id in learner_ids}
        for chunk in _chunks(sorted(learner_ids), IDS_PER_QUERY):
            rows = self._s.execute(
                select(DeliveryRow.learner_id, DeliveryRow.lesson_id).where(
                    DeliveryRow.learner_id.in_(chunk),
                    DeliveryRow.step == Step.DONE,
                    DeliveryRow.kind == SessionKind.LESSON,
                )
            )
            for learner_id, lesson_id in rows:
                found[learner_id].add(lesson_id)
        return found

    def finished_topics(self, learner_id: int) -> dict[str, int]:
        """Lessons finished per topic (each lesson once, however often it was taken)."""
        rows = self._s.execute(
            select(DeliveryRow.topic, func.count(func.distinct(DeliveryRow.lesson_id)))
            .where(
                DeliveryRow.learner_id == learner_id,
                DeliveryRow.step == Step.DONE,
                DeliveryRow.kind == SessionKind.LESSON,
            )
            .group_by(DeliveryRow.topic)
            .order_by(DeliveryRow.topic)
        )
        return {topic: int(n) for topic, n in rows}

    def finished_dates(self, learner_id: int) -> set[date]:
        """Days with a finished lesson or review (the placement check is not a day's session)."""
        return self.finished_dates_of([learner_id])[learner_id]

    def finished_dates_of(self, learner_ids: Collection[int]) -> dict[int, set[date]]:
        """``finished_dates`` of each of these learners, in one query per ``IDS_PER_QUERY`` learners."""
        found: dict[int, set[date]] = {learner_id: set() for learner_id in learner_ids}
        for chunk in _chunks(sorted(learner_ids), IDS_PER_QUERY):
            for learner_id, day in self._s.execute(_FINISHED_DATES_OF, {"ids": chunk}):
                found[learner_id].add(day)
        return found


class Answers:
    def __init__(self, session: Session) -> None:
        self._s = session

    def record(
        self,
        *,
        delivery: Delivery,
        lesson_id: str,
        question_id: str,
        topic: str,
        correct: bool,
        response: str,
        now: datetime,
        choice: str = "",
    ) -> bool:
        """Store an answer once. False if this question of this delivery was answered before."""
        new = self._s.scalar(
            insert_once(self._s, AnswerRow, "id"),
            {
                "delivery_id": delivery.id,
                "learner_id": delivery.learner_id,
                "lesson_id": lesson_id,
                "question_id": question_id,
                "topic": topic,
                "correct": correct,
                "response": response[:MAX_RESPONSE],
                "choice": choice[:64],
                "answered_at": now,
            },
        )
        return new is not None

    def for_delivery(self, delivery_id: int) -> list[Answer]:
        return [
            to_record(Answer, r) for r in self._s.execute(_ANSWERS_OF_DELIVERY, {"delivery_id": delivery_id})
        ]

    def all_for(self, learner_id: int) -> list[Answer]:
        rows = self._s.scalars(
            select(AnswerRow).where(AnswerRow.learner_id == learner_id).order_by(AnswerRow.id)
        )
        return [to_record(Answer, r) for r in rows]

    def scores_by_topic(self, learner_id: int) -> list[TopicScore]:
        """Right and total answers per topic in lessons and reviews (the placement check is no quiz)."""
        right = func.sum(case((AnswerRow.correct, 1), else_=0))
        rows = self._s.execute(
            select(AnswerRow.topic, right, func.count())
            .join(DeliveryRow, DeliveryRow.id == AnswerRow.delivery_id)
            .where(AnswerRow.learner_id == learner_id, DeliveryRow.kind.in_(LEARNING_SESSIONS))
            .group_by(AnswerRow.topic)
            .order_by(AnswerRow.topic)
        )
        return [TopicScore(topic, int(r or 0), int(n)) for topic, r, n in rows]


class HandledEvents:
    def __init__(self, session: Session) -> None:
        self._s = session

    def claim(self, platform: str, event_id: str, now: datetime) -> bool:
        """Mark an inbound event handled. False if it was handled before."""
        new = self._s.scalar(
            insert_once(self._s, HandledEventRow, "id"),
            {"platform": platform, "event_id": event_id, "handled_at": now},
        )
        return new is not None

    def prune(self, platform: str, keep: timedelta) -> None:
        """Forget events handled more than ``keep`` before the newest one on ``platform``.

        Counted from the newest, not from now: after a week down, the events of
        the last sync before the crash may come again, and must still be known.
        """
        newest = self._s.scalar(
            select(func.max(HandledEventRow.handled_at)).where(HandledEventRow.platform == platform)
        )
        if newest is not None:
            self._s.execute(
                delete(HandledEventRow).where(
                    HandledEventRow.platform == platform, HandledEventRow.handled_at < newest - keep
                )
            )


class Pushes:
    """The outbox of messages the coach sends on its own."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def add_once(
        self, rows: Iterable[tuple[int, date, PushKind, datetime]], status: PushStatus = PushStatus.PENDING
    ) -> None:
        """Insert (learner, local date, kind, due at) rows; those that exist already are left alone.

        Two ticks racing each other both try; the unique key lets exactly one
        row in, on SQLite and PostgreSQL alike (both know ON CONFLICT DO NOTHING).
        """
        statement = insert_once(self._s, PushRow)
        # In chunks, so 100,000 invitations at 09:30 do not sit in memory at once.
        for chunk in _chunks(rows, 5000):
            values = [
                {"learner_id": learner, "local_date": day, "kind": kind, "due_at": due, "status": status}
                for learner, day, kind, due in chunk
            ]
            self._s.execute(statement, values)

    def awaiting_reminder(
        self, sent_from: datetime, sent_until: datetime, sent_within: timedelta
    ) -> list[Push]:
        """Invitations sent in [sent_from, sent_until] whose day has no reminder decision yet.

        An invitation goes out at most ``sent_within`` after it is due or never
        (the catch-up), so only those due from ``sent_from - sent_within`` on
        qualify. Saying so lets the query read the index on ``due_at`` instead
        of every push ever planned, every minute: pushes are kept for good.
        """
        decided = exists().where(
            and_(
                PushRow.learner_id == PushAlias.learner_id,
                PushRow.local_date == PushAlias.local_date,
                PushRow.kind.in_(REMINDERS),
            )
        )
        rows = self._s.scalars(
            select(PushAlias)
            .where(
                PushAlias.kind == PushKind.LESSON,
                PushAlias.status == PushStatus.SENT,  # not skipped, snoozed or expired
                PushAlias.due_at >= sent_from - sent_within,
                PushAlias.due_at <= sent_until,
                PushAlias.sent_at >= sent_from,
                PushAlias.sent_at <= sent_until,
                ~decided,
            )
            .order_by(PushAlias.id)
        )
        return [to_record(Push, r) for r in rows]

    def reminders_since(self, learner_id: int, first: date) -> list[Push]:
        """Reminders actually sent from ``first`` on, newest first."""
        return self.reminders_since_of([learner_id], first)[learner_id]

    def reminders_since_of(self, learner_ids: Collection[int], first: date) -> dict[int, list[Push]]:
        """``reminders_since`` of each of these learners, in one query per ``IDS_PER_QUERY`` learners."""
        table = PushRow.__table__
        found: dict[int, list[Push]] = {learner_id: [] for learner_id in learner_ids}
        for chunk in _chunks(sorted(learner_ids), IDS_PER_QUERY):
            rows = self._s.execute(
                select(table)
                .where(
                    table.c.learner_id.in_(chunk),
                    table.c.kind == PushKind.NUDGE,
                    table.c.local_date >= first,
                    table.c.sent_at.is_not(None),
                )
                .order_by(table.c.local_date.desc())
            )
            for row in rows:
                found[row.learner_id].append(to_record(Push, row))
        return found

    def due(self, now: datetime, limit: int, kinds: tuple[PushKind, ...]) -> list[Push]:
        """Pushes to send now, oldest first, each claimed by this transaction alone.

        On PostgreSQL two ticks can overlap (two processes, or a slow tick):
        FOR UPDATE SKIP LOCKED lets each take only rows the other has not, so
        nothing is sent twice. SQLite needs no clause: BEGIN IMMEDIATE already
        lets one writer in at a time (and SQLAlchemy leaves it out there).
        """
        rows = self._s.scalars(
            select(PushRow)
            .where(PushRow.status.in_(WAITING), PushRow.due_at <= now, PushRow.kind.in_(kinds))
            .order_by(PushRow.due_at, PushRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [to_record(Push, r) for r in rows]

    def get(self, push_id: int) -> Push | None:
        row = self._s.get(PushRow, push_id)
        return to_record(Push, row) if row else None

    def update(self, push_id: int, **changes: Unpack[PushChanges]) -> Push:
        return to_record(Push, change(self._s, PushRow, push_id, changes, PushChanges.__optional_keys__))

    def update_all(self, push_ids: Collection[int], **changes: Unpack[PushChanges]) -> None:
        change_all(self._s, PushRow, push_ids, changes, PushChanges.__optional_keys__)

    def on_day(self, learner_id: int, local_date: date) -> list[Push]:
        rows = self._s.scalars(
            select(PushRow).where(PushRow.learner_id == learner_id, PushRow.local_date == local_date)
        )
        return [to_record(Push, r) for r in rows]


class Pauses:
    def __init__(self, session: Session) -> None:
        self._s = session

    def all_for(self, learner_id: int) -> list[Pause]:
        return self.all_of([learner_id])[learner_id]

    def all_of(self, learner_ids: Collection[int]) -> dict[int, list[Pause]]:
        """Each of these learners' pauses, in one query per ``IDS_PER_QUERY`` learners."""
        found: dict[int, list[Pause]] = {learner_id: [] for learner_id in learner_ids}
        for chunk in _chunks(sorted(learner_ids), IDS_PER_QUERY):
            for row in self._s.execute(_PAUSES_OF, {"ids": chunk}):
                found[row.learner_id].append(to_record(Pause, row))
        return found

    def add(self, learner_id: int, start: date, end: date | None) -> Pause:
        row = PauseRow(learner_id=learner_id, start_date=start, end_date=end)
        self._s.add(row)
        self._s.flush()
        return to_record(Pause, row)

    def end(self, pause_id: int, last_day: date | None) -> None:
        """Close a pause after ``last_day``; None removes a pause that has not started."""
        row = self._s.get_one(PauseRow, pause_id)
        if last_day is None or last_day < row.start_date:
            self._s.delete(row)
        else:
            row.end_date = last_day
        self._s.flush()


class ReviewCards:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, learner_id: int, lesson_id: str, question_id: str) -> ReviewCard | None:
        # Core, not the ORM: every graded answer asks, and the row is only read.
        statement = prepared.rows_where(_REVIEW_CARDS, "learner_id", "lesson_id", "question_id")
        row = self._s.execute(
            statement, {"learner_id": learner_id, "lesson_id": lesson_id, "question_id": question_id}
        ).first()
        return to_record(ReviewCard, row) if row else None

    def save(
        self,
        *,
        card: ReviewCard | None,
        learner_id: int,
        lesson_id: str,
        question_id: str,
        topic: str,
        due: datetime,
        state: str,
    ) -> None:
        """Update ``card`` (as ``get`` found it), or add the first card for this question."""
        if card is not None:
            changed = prepared.new_values({"topic": topic, "due": due, "state": state})
            statement = prepared.change_by_key(_REVIEW_CARDS, ("topic", "due", "state"))
            self._s.execute(statement, {prepared.KEY: card.id, **changed})
            return
        new = {"learner_id": learner_id, "lesson_id": lesson_id, "question_id": question_id}
        self._s.execute(
            prepared.insert_rows(_REVIEW_CARDS), new | {"topic": topic, "due": due, "state": state}
        )

    def due(self, learner_id: int, now: datetime) -> list[ReviewCard]:
        rows = self._s.execute(_CARDS_DUE, {"learner_id": learner_id, "now": now})
        return [to_record(ReviewCard, r) for r in rows]

    def any_due(self, learner_ids: Collection[int], now: datetime) -> set[int]:
        """Those of these learners with a question due for review at ``now``."""
        found: set[int] = set()
        for chunk in _chunks(sorted(learner_ids), IDS_PER_QUERY):
            found.update(
                self._s.scalars(
                    select(ReviewCardRow.learner_id)
                    .where(ReviewCardRow.learner_id.in_(chunk), ReviewCardRow.due <= now)
                    .distinct()
                )
            )
        return found


class Placements:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, learner_id: int, results: Iterable[tuple[str, int, int, str]], now: datetime) -> None:
        """Store one take of the check: (topic, right, total, level) per topic."""
        self._s.add_all(
            PlacementResultRow(
                learner_id=learner_id, topic=topic, right=right, total=total, level=level, taken_at=now
            )
            for topic, right, total, level in results
        )
        self._s.flush()

    def history(self, learner_id: int) -> list[PlacementResult]:
        rows = self._s.scalars(
            select(PlacementResultRow)
            .where(PlacementResultRow.learner_id == learner_id)
            .order_by(PlacementResultRow.taken_at, PlacementResultRow.id)
        )
        return [to_record(PlacementResult, r) for r in rows]

    def starts(self, learner_id: int) -> dict[str, str]:
        """The level the latest take found per topic."""
        return self.starts_of([learner_id])[learner_id]

    def starts_of(self, learner_ids: Collection[int]) -> dict[int, dict[str, str]]:
        """``starts`` of each of these learners, in one query per ``IDS_PER_QUERY`` learners."""
        found: dict[int, dict[str, str]] = {learner_id: {} for learner_id in learner_ids}
        for chunk in _chunks(sorted(learner_ids), IDS_PER_QUERY):
            rows = self._s.execute(
                select(PlacementResultRow.learner_id, PlacementResultRow.topic, PlacementResultRow.level)
                .where(PlacementResultRow.learner_id.in_(chunk))
                .order_by(PlacementResultRow.taken_at, PlacementResultRow.id)
            )
            for learner_id, topic, level in rows:
                found[learner_id][topic] = level  # a later take overrides an earlier one
        return found
