"""``/pause`` and ``/resume``: no lessons or reminders during leave, and no broken streak."""

from __future__ import annotations

from datetime import date, timedelta

from lessons.chat import Choice
from lessons.i18n import _, long_date
from lessons.turn import Turn

PAUSE_CHOICES_DAYS = (7, 14, 30)


def _current(turn: Turn) -> int | None:
    """The id of the pause covering today or starting later, if any."""
    for pause in turn.tx.pauses.all_for(turn.learner.id):
        if pause.end_date is None or pause.end_date >= turn.today:
            return pause.id
    return None


def ask(turn: Turn, args: str) -> None:
    """``/pause``, ``/pause 10`` (days) or ``/pause 2026-08-31`` (until and including that day)."""
    text = args.strip()
    if not text:
        turn.say(
            _(
                "How long do you want a break? You will get no lessons and no reminders, "
                "and your streak waits."
            ),
            [
                *(Choice(f"pause:{days}", _("{n} days", n=days)) for days in PAUSE_CHOICES_DAYS),
                Choice("pause:0", _("Until I type /resume")),
            ],
        )
        return
    if text.isdigit() and 0 < int(text) <= 366:
        pause(turn, int(text))
        return
    try:
        until = date.fromisoformat(text)
    except ValueError:
        until = None
    if until is None or not turn.today <= until <= turn.today + timedelta(days=366):
        turn.say(_("Please give a number of days, like /pause 10, or a date, like /pause 2026-08-31."))
        return
    _start(turn, until)


def pause(turn: Turn, days: int) -> None:
    """``days`` from today on; 0 means until the learner resumes."""
    _start(turn, None if days == 0 else turn.today + timedelta(days=days - 1))


def _start(turn: Turn, until: date | None) -> None:
    existing = _current(turn)
    if existing is not None:
        turn.tx.pauses.end(existing, turn.today - timedelta(days=1))
    turn.tx.pauses.add(turn.learner.id, turn.today, until)
    if until is None:
        turn.say(_("Enjoy your break. Type /resume when you want lessons again."))
    else:
        turn.say(
            _(
                "Enjoy your break. Lessons start again after {date}. Type /resume to come back earlier.",
                date=long_date(until),
            )
        )


def resume(turn: Turn) -> None:
    existing = _current(turn)
    if existing is None:
        turn.say(_("You are not on a break. Type /lesson for today's lesson."))
        return
    turn.tx.pauses.end(existing, turn.today - timedelta(days=1))
    turn.say(_("Welcome back! Your lessons start again."), [Choice("go:lesson", _("Today's lesson"))])
