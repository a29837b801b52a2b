"""Registry of chat platform adapters: name -> factory, imported only when used.

A new platform is one new module or folder here and one line in ``ADAPTERS``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Protocol

from lessons.chat import Event, Reply

Handler = Callable[[Event], Awaitable[list[Reply]]]


class Adapter(Protocol):
    """Receives events from one platform, hands them to the coach, sends the replies."""

    platform: str

    async def run(self, handle: Handler) -> None:
        """Receive until the platform's input ends or the adapter is stopped."""

    async def send(self, replies: list[Reply]) -> None:
        """Deliver replies the coach produced outside of ``run`` (scheduled lessons)."""


ADAPTERS: dict[str, str] = {
    "console": "bot.adapters.console:ConsoleAdapter",
}


def adapter_class(name: str) -> type:
    module, _sep, attribute = ADAPTERS[name].partition(":")
    return getattr(import_module(module), attribute)  # type: ignore[no-any-return]
