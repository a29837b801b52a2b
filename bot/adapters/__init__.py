"""Registry of chat platform adapters: name -> factory, imported only when used.

A new platform is one new module or folder here and one line in ``ADAPTERS``.
Each factory takes the settings and returns the adapter, or None when that
platform is not configured (its environment variables are not set).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Protocol

from bot.settings import Settings
from lessons.chat import ChatUnreachable, Event, Reply

Handler = Callable[[Event], Awaitable[list[Reply]]]
Unreachable = Callable[[ChatUnreachable], Awaitable[None]]


class Adapter(Protocol):
    """Receives events from one platform, hands them to the coach, sends the replies."""

    platform: str
    # Where the adapter reports a chat its platform refuses (a learner who blocked
    # the bot); the app sets it. An adapter whose platform never says so leaves it be.
    unreachable: Unreachable | None

    async def run(self, handle: Handler) -> None:
        """Receive until the platform's input ends or the adapter is stopped."""

    async def send(self, replies: list[Reply]) -> None:
        """Deliver replies the coach produced outside of ``run`` (scheduled lessons)."""


Factory = Callable[[Settings], Adapter | None]

# The platforms `digicoach run` serves. The console adapter is not here: it is
# `digicoach chat`, one person at one terminal.
ADAPTERS: dict[str, str] = {
    "telegram": "bot.adapters.telegram:configure",
    "matrix": "bot.adapters.matrix:configure",
}


def factory(name: str) -> Factory:
    module, _sep, attribute = ADAPTERS[name].partition(":")
    return getattr(import_module(module), attribute)  # type: ignore[no-any-return]


def configured(settings: Settings) -> list[Adapter]:
    """Every registered adapter whose settings are present."""
    adapters = (factory(name)(settings) for name in ADAPTERS)
    return [adapter for adapter in adapters if adapter is not None]
