"""Registry of chat platform adapters: name -> factory, imported only when used.

A new platform is one new module or folder here and one line in ``ADAPTERS``.
Each factory takes the settings and returns the adapter, or None when that
platform is not configured (its environment variables are not set).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from enum import Enum
from importlib import import_module
from typing import Protocol

from bot.settings import Settings
from bot.sharing import Sharing
from lessons.chat import Event, Outgoing

# The coach: takes an event, stores its replies for sending and returns them.
Handler = Callable[[Event], Awaitable[list[Outgoing]]]


class Outcome(Enum):
    """What became of a stored reply an adapter was given to send."""

    SENT = "sent"  # the platform took it
    REFUSED = "refused"  # the platform will never take it as it is (see the log)
    EXPIRED = "expired"  # not out before its lifetime ended (the platform was down that long)
    BLOCKED = "blocked"  # the chat refuses messages (the person blocked the bot or left)


# Told what became of replies, in order, as soon as the platform answered.
Report = Callable[[Sequence[Outgoing], Outcome], Awaitable[None]]


class Adapter(Protocol):
    """Receives events from one platform, hands them to the coach, sends the stored replies."""

    platform: str
    # How long the platform may deliver an event again (Telegram keeps updates a
    # day): the coach remembers handled event ids that long, then forgets them.
    redelivery: timedelta

    @property
    def connected(self) -> bool:
        """Whether the platform answers now (for /healthz); False while the adapter waits for it."""

    @property
    def sending(self) -> bool:
        """Whether this process sends the platform's replies now (several processes: ``bot.sharing``)."""

    def share(self, sharing: Sharing) -> None:
        """Before ``run``: take part with the other coach processes on the same database (``bot.sharing``)."""

    async def run(self, handle: Handler) -> None:
        """Receive until the platform's input ends or ``stop`` is called."""

    def stop(self) -> None:
        """Take no new events; ``run`` returns once the event in hand is handled."""

    async def deliver(self, replies: Sequence[Outgoing], report: Report) -> None:
        """Send one chat's replies in order, reporting each as soon as the platform answered.

        A transient failure is retried until the reply's ``expires_at``; a
        reply not reported (the adapter was closed meanwhile) stays stored.
        """

    async def close(self) -> None:
        """Let go of the connection, after the last ``deliver``."""


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
