"""``/help`` and the friendly answer to anything the coach does not understand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from lessons import audience, commands
from lessons.chat import Choice
from lessons.commands import command
from lessons.i18n import N_, _
from lessons.turn import Turn

# The most of what the learner typed that a "did not understand" quotes back.
QUOTED = 40


@command("help", place=130, help=N_("this list"), menu=N_("What I can do"))
def show(turn: Turn, _args: str = "") -> None:
    """Every command, each with what it does; /digest only for those who receive digests."""
    viewer = audience.is_viewer(turn.tx.roles.of(turn.learner.id))
    turn.say(
        "\n".join(f"/{c.name} – {_(c.help)}" for c in commands.every() if viewer or not c.for_viewers),
        title=_("What I can do"),
    )


def not_understood(turn: Turn, what: str, choices: Sequence[Choice] = ()) -> None:
    """Say what was not understood (quoted back, shortened) and what the learner can do."""
    turn.say(
        _("Sorry, I did not understand “{text}”.", text=quoted(what))
        + " "
        + _("Type /help to see what I can do."),
        choices,
    )


def quoted(text: str) -> str:
    """What the learner typed, on one line and short enough to quote back."""
    text = " ".join(text.split())
    return text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"


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
