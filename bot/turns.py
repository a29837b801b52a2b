"""Taking turns at the database, with a way to the front of the queue.

SQLite has one writer, and writers that wait on each other's lock sleep in
steps, so the app lets one piece of work at a time into the database and the
others wait here, first come, first served. Except one kind: recording that
a platform took a reply. Until that is recorded, a crash sends the reply
again, so it should not wait behind every message queued before it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Turns:
    def __init__(self) -> None:
        self._busy = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._waiting: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def turn(self, urgent: bool = False) -> AsyncIterator[None]:
        await self._take(self._urgent if urgent else self._waiting)
        try:
            yield
        finally:
            self._hand_on()

    async def _take(self, queue: deque[asyncio.Future[None]]) -> None:
        if not self._busy and not self._urgent and not self._waiting:
            self._busy = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._hand_on()  # it was our turn: pass it on
            elif waiter in queue:
                queue.remove(waiter)
            raise

    def _hand_on(self) -> None:
        for queue in (self._urgent, self._waiting):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # still busy: the turn passes to the waiter
                    return
        self._busy = False
