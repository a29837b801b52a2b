"""Taking turns at the database: first come, first served, except that recording a sent reply goes first."""

from __future__ import annotations

import asyncio

from bot.turns import Turns


def test_work_takes_turns_in_order_and_a_record_of_a_sent_reply_goes_first():
    async def scenario() -> list[str]:
        turns = Turns()
        order: list[str] = []
        release = asyncio.Event()

        async def work(name: str, urgent: bool = False, hold: asyncio.Event | None = None) -> None:
            async with turns.turn(urgent):
                order.append(name)
                if hold is not None:
                    await hold.wait()

        first = asyncio.create_task(work("event 1", hold=release))
        await asyncio.sleep(0)
        queued = [asyncio.create_task(work(f"event {n}")) for n in (2, 3)]
        await asyncio.sleep(0)
        mark = asyncio.create_task(work("sent", urgent=True))
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(first, *queued, mark)
        return order

    assert asyncio.run(scenario()) == ["event 1", "sent", "event 2", "event 3"]


def test_a_waiter_that_gives_up_does_not_keep_the_others_waiting():
    async def scenario() -> list[str]:
        turns = Turns()
        order: list[str] = []
        release = asyncio.Event()

        async def work(name: str, hold: asyncio.Event | None = None) -> None:
            async with turns.turn():
                order.append(name)
                if hold is not None:
                    await hold.wait()

        first = asyncio.create_task(work("first", hold=release))
        await asyncio.sleep(0)
        quitter = asyncio.create_task(work("quitter"))
        last = asyncio.create_task(work("last"))
        await asyncio.sleep(0)
        quitter.cancel()
        release.set()
        await asyncio.gather(first, last)
        await asyncio.gather(quitter, return_exceptions=True)
        return order

    assert asyncio.run(scenario()) == ["first", "last"]
