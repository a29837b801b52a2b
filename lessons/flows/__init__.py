"""One module per conversation the coach can have: onboarding, lesson, progress, ...

Each declares its commands (``lessons.commands``) and buttons
(``lessons.buttons``) next to their handlers; ``load_all`` imports every one,
so that every declaration has run.
"""

from __future__ import annotations

import pkgutil
from functools import cache
from importlib import import_module

from lessons.commands import CoachCommand, every


@cache
def load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        import_module(f"{__name__}.{module.name}")


def commands() -> list[CoachCommand]:
    """Every command of every flow, in the order /help lists them."""
    load_all()
    return every()
