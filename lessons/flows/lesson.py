"""Today's lesson (``/lesson``): its cards, its quiz and its summary; and one more, for the keen."""

from __future__ import annotations

from typing import ClassVar

from lessons.buttons import on
from lessons.commands import command
from lessons.flows import onboarding, progress, review, session
from lessons.flows.navigation import GoTo, MoreLessons
from lessons.flows.session import Asked, SessionType, session_type
from lessons.i18n import N_, _
from lessons.model import Lesson
from lessons.turn import Turn
from storage.records import Delivery
from storage.states import SessionKind, Step


@command(
    "lesson", place=10, help=N_("today's lesson (or continue where you left off)"), menu=N_("Today's lesson")
)
def todays_lesson(turn: Turn, _args: str = "") -> None:
    """Resume the open session, or start today's, or say today's is done."""
    if not turn.learner.set_up:
        turn.say(_("Let's finish setting up first."))
        onboarding.resume(turn)
        return
    delivery = session.open_session(turn)
    if delivery is not None:
        session.show(turn, delivery)
        return
    today = turn.tx.deliveries.on_day(turn.learner.id, turn.today)
    if any(d.done and d.kind is not SessionKind.PLACEMENT for d in today):
        turn.say(
            _("You have finished today's lesson. Well done! The next one comes on your next lesson day."),
            session.after_session_choices(turn),
        )
        return
    # Usually slot 0; later if today already holds a lesson that was withdrawn.
    _start_new(turn)


@on(MoreLessons)
def another_lesson(turn: Turn, _press: MoreLessons) -> None:
    """An extra lesson on top of today's, for those who want to go faster."""
    delivery = session.open_session(turn)
    if delivery is not None:
        session.show(turn, delivery)
        return
    _start_new(turn)


@on(GoTo)
def go_to(turn: Turn, press: GoTo) -> None:
    if press.where == "lesson":
        todays_lesson(turn)
    elif press.where == "later":
        onboarding.later(turn)
    else:
        progress.show(turn)


def _start_new(turn: Turn) -> None:
    lesson = turn.next_lesson()
    if lesson is None:
        if session.due_reviews(turn):
            review.start(turn)
            return
        turn.say(_("You have done every lesson there is. Great work! New lessons will follow."))
        return
    session.start(
        turn, SessionKind.LESSON, lesson_id=lesson.id, lesson_version=lesson.version, topic=lesson.topic
    )


@session_type
class LessonSession(SessionType):
    kind: ClassVar[SessionKind] = SessionKind.LESSON

    def lesson(self, turn: Turn, delivery: Delivery) -> Lesson | None:
        lesson = turn.library.lesson(delivery.lesson_id)
        if lesson is None:
            # The lesson was removed from the library: close it without counting
            # it, so the learner simply moves on to the next one.
            turn.tx.deliveries.update(delivery.id, step=Step.DROPPED, completed_at=turn.now)
            turn.say(
                _("The lesson you started is no longer available. Type /lesson for the next one."),
                [GoTo("lesson").choice(_("Next lesson"))],
            )
        return lesson

    def questions(self, turn: Turn, delivery: Delivery) -> list[Asked] | None:
        lesson = self.lesson(turn, delivery)
        return None if lesson is None else [Asked.of(lesson, q) for q in lesson.quiz]

    def finished(self, turn: Turn, delivery: Delivery) -> None:
        lesson = turn.library.lesson(delivery.lesson_id)
        title = lesson.title.get(turn.language) if lesson else delivery.lesson_id
        lines = [_("Lesson finished: {title}", title=title), *session.score_and_streak(turn, delivery)]
        if lesson is not None and lesson.try_today:
            lines.append(_("💡 Try this today: {action}", action=lesson.try_today.get(turn.language)))
        turn.say("\n".join(lines), session.after_session_choices(turn))
