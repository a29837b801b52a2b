"""The day's invitation the coach sends on its own: start, in an hour, or skip today."""

from __future__ import annotations

from lessons.chat import Choice
from lessons.flows import lesson
from lessons.i18n import _
from lessons.turn import Turn
from storage.records import Push


def message(turn: Turn, push: Push) -> None:
    """One short message: at ~30 messages/s a lesson push must not be more than one."""
    next_up = turn.library.next_lesson(turn.tx.deliveries.finished_lessons(turn.learner.id))
    reviews = len(turn.tx.reviews.due(turn.learner.id, turn.now))
    if next_up is not None:
        text = _(
            "Good day! Your lesson for today is ready: {title} (about {minutes} minutes).",
            title=next_up.title.get(turn.language),
            minutes=next_up.minutes,
        )
    elif reviews:
        text = _("Good day! Today you repeat a few questions from earlier lessons, to help you remember.")
    else:
        return
    turn.say(
        text,
        [
            Choice("go:lesson", _("Start")),
            Choice(f"snooze:{push.id}", _("In an hour")),
            Choice(f"skip:{push.id}", _("Skip today")),
        ],
    )


def _own(turn: Turn, push_id: int) -> Push | None:
    push = turn.tx.pushes.get(push_id)
    if push is None or push.learner_id != turn.learner.id:
        turn.say(_("That button does not work (anymore). Type /lesson to continue where you left off."))
        return None
    return push


def snooze(turn: Turn, push_id: int) -> None:
    push = _own(turn, push_id)
    if push is None:
        return
    if push.local_date != turn.today:
        lesson.todays_lesson(turn)
        return
    turn.tx.pushes.update(push.id, status="snoozed", due_at=turn.now + turn.rhythm.snooze)
    turn.say(_("Fine, I will remind you in an hour."))


def skip(turn: Turn, push_id: int) -> None:
    push = _own(turn, push_id)
    if push is None:
        return
    turn.tx.pushes.update(push.id, status="skipped")
    turn.say(_("No problem. See you on your next lesson day. Type /lesson if you change your mind."))
