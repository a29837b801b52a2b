"""``/pause`` and ``/resume``: no lessons or reminders during leave, and no broken streak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from lessons.buttons import Button, Within, on
from lessons.commands import command
from lessons.flows.navigation import GoTo
from lessons.i18n import N_, _, long_date
from lessons.turn import Turn

PAUSE_CHOICES_DAYS = (7, 14, 30)
LONGEST_PAUSE_DAYS = 366


@dataclass(frozen=True)
class PauseButton(Button, kind="pause"):
    """A break of this many days from today; 0 until the learner resumes."""

    days: Annotated[int, Within(0, LONGEST_PAUSE_DAYS)]


def _current(turn: Turn) -> int | None:
    """The id of the pause covering today or starting later, if any."""
    for pause in turn.tx.pauses.all_for(turn.learner.id):
        if pause.end_date is None or pause.end_date >= turn.today:
            return pause.id
    return None


@command("pause", place=50, help=N_("a break from lessons, for a holiday or leave"))
def ask(turn: Turn, args: str = "") -> None:
    """``/pause``, ``/pause 10`` (days) or ``/pause 2026-08-31`` (until and including that day)."""
    text = args.strip()
    if not text:
        turn.say(
            _(
                "How long do you want a break? You will get no lessons and no reminders, "
                "and your streak waits."
            ),
            [
                *(PauseButton(days).choice(_("{n} days", n=days)) for days in PAUSE_CHOICES_DAYS),
                PauseButton(0).choice(_("Until I type /resume")),
            ],
        )
        return
    if text.isascii() and text.isdigit() and 0 < int(text) <= LONGEST_PAUSE_DAYS:
        _start(turn, turn.today + timedelta(days=int(text) - 1))
        return
    try:
        until = date.fromisoformat(text)
    except ValueError:
        until = None
    if until is None or not turn.today <= until <= turn.today + timedelta(days=LONGEST_PAUSE_DAYS):
        turn.say(_("Please give a number of days, like /pause 10, or a date, like /pause 2026-08-31."))
        return
    _start(turn, until)


@on(PauseButton)
def pause(turn: Turn, press: PauseButton) -> None:
    _start(turn, None if press.days == 0 else turn.today + timedelta(days=press.days - 1))


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


@command("resume", place=60, help=N_("lessons again after a break"))
def resume(turn: Turn, _args: str = "") -> None:
    existing = _current(turn)
    if existing is None:
        turn.say(_("You are not on a break. Type /lesson for today's lesson."))
        return
    turn.tx.pauses.end(existing, turn.today - timedelta(days=1))
    turn.say(_("Welcome back! Your lessons start again."), [GoTo("lesson").choice(_("Today's lesson"))])
