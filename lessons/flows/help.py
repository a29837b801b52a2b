"""``/help`` and the friendly answer to anything the coach does not understand."""

from __future__ import annotations

from typing import Protocol, TypeVar

from lessons import audience
from lessons.i18n import _
from lessons.turn import Turn


def show(turn: Turn) -> None:
    for_managers = (
        [_("/digest – the weekly digest of your teams, now")]
        if audience.is_viewer(turn.tx.roles.of(turn.learner.id))
        else []
    )
    turn.say(
        "\n".join(
            [
                _("/lesson – today's lesson (or continue where you left off)"),
                _("/progress – lessons done, quiz results and your streak"),
                _("/check – a short check of where you stand, to choose your lessons"),
                _("/settings – language, lesson time and lesson days"),
                _("/pause – a break from lessons, for a holiday or leave"),
                _("/resume – lessons again after a break"),
                _("/share – whether your manager's digest may show your name"),
                _("/whatmymanagersees – exactly what your manager's digest says about you"),
                *for_managers,
                _("/mydata – everything I keep about you"),
                _("/forget – erase everything I keep about you"),
                _("/start – start again from the beginning"),
                _("/help – this list"),
            ]
        ),
        title=_("What I can do"),
    )


def not_understood(turn: Turn) -> None:
    turn.say(
        _("Sorry, I did not understand that. Tap one of the buttons, or type /help to see what I can do.")
    )


def button_not_valid(turn: Turn) -> None:
    """A forged, stale or someone else's button: say so kindly and change nothing."""
    turn.say(_("That button does not work (anymore). Type /lesson to continue where you left off."))


class _Owned(Protocol):
    @property
    def learner_id(self) -> int: ...


Mine = TypeVar("Mine", bound=_Owned)


def owned(turn: Turn, record: Mine | None) -> Mine | None:
    """``record`` if it is this learner's (a button names it); otherwise say so and return None."""
    if record is None or record.learner_id != turn.learner.id:
        button_not_valid(turn)
        return None
    return record
