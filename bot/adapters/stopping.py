"""Waiting on a platform call that a stop may cut short (a long poll, a sync)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")


async def unless_stopped(stopped: asyncio.Event, call: Awaitable[T], *also: Awaitable[Any]) -> T | None:
    """The call's result, or None when ``stopped`` was set first or one of ``also`` ended first.

    The call is then cancelled.
    """
    task = asyncio.ensure_future(call)
    stopping = [asyncio.ensure_future(stopped.wait()), *(asyncio.ensure_future(a) for a in also)]
    every: set[asyncio.Future[Any]] = {task, *stopping}
    try:
        done, _pending = await asyncio.wait(every, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in stopping:
            waiter.cancel()
    if task not in done:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return None
    return task.result()
