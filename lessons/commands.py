"""The commands a learner can type, each declared once, next to its handler, with ``@command``.

``/help``, Telegram's command menu and Matrix's bare command words ("help",
"lesson") are all made from these declarations, so a new command is one
decorated function. The declarations run when the flows are imported: ask
``lessons.flows.commands()`` from outside the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from lessons.turn import Turn

Run = Callable[["Turn", str], None]
R = TypeVar("R", bound=Run)


@dataclass(frozen=True)
class CoachCommand:
    name: str
    run: Run
    # Where it stands in /help and the menu: the everyday commands first.
    place: int
    # What it does, for /help (a message id, translated when shown).
    help: str
    # Its short line in Telegram's command menu; None keeps it out of the menu.
    menu: str | None = None
    # Listed in /help only for managers and admins.
    for_viewers: bool = False


_COMMANDS: dict[str, CoachCommand] = {}


def command(
    name: str, *, place: int, help: str, menu: str | None = None, for_viewers: bool = False
) -> Callable[[R], R]:
    """Declare the function below as the handler of ``/name``; it gets the text after the name."""

    def register(run: R) -> R:
        if name in _COMMANDS:
            raise TypeError(f"the command /{name} is declared twice")
        _COMMANDS[name] = CoachCommand(name, run, place, help, menu, for_viewers)
        return run

    return register


def find(name: str) -> CoachCommand | None:
    return _COMMANDS.get(name.lower())


def every() -> list[CoachCommand]:
    """Every command declared, in the order /help lists them."""
    return sorted(_COMMANDS.values(), key=lambda c: c.place)
