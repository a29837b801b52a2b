"""A learner's history written straight into the database: many lessons without taking them.

What the coach itself stores when a learner takes a lesson (the day's
invitation, the delivery, one answer per question, a review card each), one
lesson a working day, so ``/mydata`` after months of lessons can be tested in
a second instead of by thousands of button presses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from lessons.model import Lesson
from lessons.review import after_answer
from storage.states import PushKind, PushStatus, Step
from storage.unit_of_work import Store

# A working day at half past nine, Brussels time in winter.
START = date(2025, 9, 1)
LESSON_TIME = time(8, 30)


def lesson_days(count: int, first: date = START) -> list[date]:
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.isoweekday() <= 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def give_history(store: Store, learner_id: int, lessons: Sequence[Lesson], typed: str = "") -> None:
    """Each lesson taken on its own working day, every other answer wrong; ``typed`` as each response."""
    with store.transaction() as tx:
        for day, lesson in zip(lesson_days(len(lessons)), lessons, strict=True):
            at = datetime.combine(day, LESSON_TIME, UTC)
            tx.pushes.add_once([(learner_id, day, PushKind.LESSON, at)], PushStatus.SENT)
            delivery = tx.deliveries.add(
                learner_id=learner_id,
                local_date=day,
                slot=0,
                lesson_id=lesson.id,
                lesson_version=lesson.version,
                topic=lesson.topic,
                now=at,
            )
            for n, question in enumerate(lesson.quiz):
                answered = at + timedelta(minutes=n + 1)
                correct = n % 2 == 0
                tx.answers.record(
                    delivery=delivery,
                    lesson_id=lesson.id,
                    question_id=question.id,
                    topic=lesson.topic,
                    correct=correct,
                    response=typed or f"option {n}",
                    now=answered,
                    choice=str(n % 3),
                )
                due, state = after_answer(None, correct, answered, 0.9)
                tx.reviews.save(
                    card=None,
                    learner_id=learner_id,
                    lesson_id=lesson.id,
                    question_id=question.id,
                    topic=lesson.topic,
                    due=due,
                    state=state,
                )
            tx.deliveries.update(
                delivery.id, step=Step.DONE, completed_at=at + timedelta(minutes=len(lesson.quiz) + 1)
            )
