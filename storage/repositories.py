"""The queries the lesson engine needs. They never commit: the unit of work does."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.base import Base
from storage.models import AnswerRow, DeliveryRow, HandledEventRow, LearnerRow
from storage.records import Answer, Delivery, Learner, TopicScore

R = TypeVar("R")


def _record(kind: type[R], row: Base) -> R:
    return kind(**{f.name: getattr(row, f.name) for f in fields(kind)})  # type: ignore[arg-type]


class Learners:
    def __init__(self, session: Session) -> None:
        self._s = session

    def find(self, platform: str, platform_user_id: str) -> Learner | None:
        row = self._s.scalar(
            select(LearnerRow).where(
                LearnerRow.platform == platform, LearnerRow.platform_user_id == platform_user_id
            )
        )
        return _record(Learner, row) if row else None

    def get(self, learner_id: int) -> Learner:
        return _record(Learner, self._s.get_one(LearnerRow, learner_id))

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
        return _record(Learner, row)

    def update(self, learner_id: int, **changes: Any) -> Learner:
        row = self._s.get_one(LearnerRow, learner_id)
        for name, value in changes.items():
            setattr(row, name, value)
        self._s.flush()
        return _record(Learner, row)

    def remove(self, learner_id: int) -> None:
        """Erase the learner and everything that belongs to them."""
        self._s.execute(delete(AnswerRow).where(AnswerRow.learner_id == learner_id))
        self._s.execute(delete(DeliveryRow).where(DeliveryRow.learner_id == learner_id))
        self._s.execute(delete(LearnerRow).where(LearnerRow.id == learner_id))


class Deliveries:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, delivery_id: int) -> Delivery | None:
        row = self._s.get(DeliveryRow, delivery_id)
        return _record(Delivery, row) if row else None

    def on_day(self, learner_id: int, local_date: date) -> list[Delivery]:
        rows = self._s.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.learner_id == learner_id, DeliveryRow.local_date == local_date)
            .order_by(DeliveryRow.slot)
        )
        return [_record(Delivery, r) for r in rows]

    def latest_open(self, learner_id: int) -> Delivery | None:
        row = self._s.scalar(
            select(DeliveryRow)
            .where(DeliveryRow.learner_id == learner_id, DeliveryRow.step != "done")
            .order_by(DeliveryRow.started_at.desc(), DeliveryRow.id.desc())
            .limit(1)
        )
        return _record(Delivery, row) if row else None

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
    ) -> Delivery:
        row = DeliveryRow(
            learner_id=learner_id,
            local_date=local_date,
            slot=slot,
            lesson_id=lesson_id,
            lesson_version=lesson_version,
            topic=topic,
            started_at=now,
        )
        self._s.add(row)
        self._s.flush()
        return _record(Delivery, row)

    def update(self, delivery_id: int, **changes: Any) -> Delivery:
        row = self._s.get_one(DeliveryRow, delivery_id)
        for name, value in changes.items():
            setattr(row, name, value)
        self._s.flush()
        return _record(Delivery, row)

    def all_for(self, learner_id: int) -> list[Delivery]:
        rows = self._s.scalars(
            select(DeliveryRow).where(DeliveryRow.learner_id == learner_id).order_by(DeliveryRow.id)
        )
        return [_record(Delivery, r) for r in rows]

    def finished_lessons(self, learner_id: int) -> set[str]:
        return set(
            self._s.scalars(
                select(DeliveryRow.lesson_id).where(
                    DeliveryRow.learner_id == learner_id, DeliveryRow.step == "done"
                )
            )
        )

    def finished_dates(self, learner_id: int) -> set[date]:
        return set(
            self._s.scalars(
                select(DeliveryRow.local_date).where(
                    DeliveryRow.learner_id == learner_id, DeliveryRow.step == "done"
                )
            )
        )


class Answers:
    def __init__(self, session: Session) -> None:
        self._s = session

    def record(
        self,
        *,
        delivery: Delivery,
        question_id: str,
        correct: bool,
        response: str,
        now: datetime,
    ) -> bool:
        """Store an answer once. False if this question of this delivery was answered before."""
        try:
            with self._s.begin_nested():
                self._s.add(
                    AnswerRow(
                        delivery_id=delivery.id,
                        learner_id=delivery.learner_id,
                        lesson_id=delivery.lesson_id,
                        question_id=question_id,
                        topic=delivery.topic,
                        correct=correct,
                        response=response[:500],
                        answered_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    def for_delivery(self, delivery_id: int) -> list[Answer]:
        rows = self._s.scalars(
            select(AnswerRow).where(AnswerRow.delivery_id == delivery_id).order_by(AnswerRow.id)
        )
        return [_record(Answer, r) for r in rows]

    def all_for(self, learner_id: int) -> list[Answer]:
        rows = self._s.scalars(
            select(AnswerRow).where(AnswerRow.learner_id == learner_id).order_by(AnswerRow.id)
        )
        return [_record(Answer, r) for r in rows]

    def scores_by_topic(self, learner_id: int) -> list[TopicScore]:
        right = func.sum(case((AnswerRow.correct, 1), else_=0))
        rows = self._s.execute(
            select(AnswerRow.topic, right, func.count())
            .where(AnswerRow.learner_id == learner_id)
            .group_by(AnswerRow.topic)
            .order_by(AnswerRow.topic)
        )
        return [TopicScore(topic, int(r or 0), int(n)) for topic, r, n in rows]


class HandledEvents:
    def __init__(self, session: Session) -> None:
        self._s = session

    def claim(self, platform: str, event_id: str, now: datetime) -> bool:
        """Mark an inbound event handled. False if it was handled before."""
        try:
            with self._s.begin_nested():
                self._s.add(HandledEventRow(platform=platform, event_id=event_id, handled_at=now))
        except IntegrityError:
            return False
        return True
