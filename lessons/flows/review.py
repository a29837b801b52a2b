"""Review questions: the questions from earlier lessons that are due today, most forgotten first."""

from __future__ import annotations

from typing import ClassVar

from lessons.buttons import on
from lessons.flows import session
from lessons.flows.navigation import StartReview
from lessons.flows.session import Asked, SessionType, session_type
from lessons.i18n import _
from lessons.review import choose
from lessons.turn import Turn
from storage.records import Delivery
from storage.states import SessionKind

# A review has no lesson: its rows name the kind instead.
REVIEW = SessionKind.REVIEW.value


def start(turn: Turn) -> None:
    """Up to N questions from earlier lessons that are due today."""
    delivery = session.open_session(turn)
    if delivery is not None:
        session.show(turn, delivery)
        return
    cards = choose(session.reviews_due_today(turn), turn.now, turn.rhythm.review_questions)
    if not cards:
        turn.say(_("Nothing to repeat today. Well done!"))
        return
    session.start(
        turn,
        SessionKind.REVIEW,
        lesson_id=REVIEW,
        lesson_version=0,
        topic=REVIEW,
        items=";".join(f"{c.lesson_id}/{c.question_id}" for c in cards),
    )


@on(StartReview)
def start_review(turn: Turn, _press: StartReview) -> None:
    start(turn)


@session_type
class ReviewSession(SessionType):
    kind: ClassVar[SessionKind] = SessionKind.REVIEW

    def questions(self, turn: Turn, delivery: Delivery) -> list[Asked] | None:
        found = []
        for lesson_id, question_id in delivery.review_items:
            lesson = turn.library.lesson(lesson_id)
            question = lesson.question(question_id) if lesson else None
            if lesson is not None and question is not None:
                found.append(Asked.of(lesson, question))
        return found

    def title(self, n: int, total: int) -> str:
        return _("Review question {n} of {total}", n=n, total=total)

    def finished(self, turn: Turn, delivery: Delivery) -> None:
        lines = [_("Review finished."), *session.score_and_streak(turn, delivery)]
        turn.say("\n".join(lines), session.after_session_choices(turn))
