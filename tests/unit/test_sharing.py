"""Several coach processes on one PostgreSQL: one holder per job, taken over when it dies; one send budget."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import create_engine, text

from bot import sharing
from bot.sharing import Together
from storage import send_budget
from storage.leases import NAMESPACE

pytestmark = pytest.mark.parametrize("database", ["postgresql"])


def _holders(processes: list[Together], job: str) -> list[int]:
    return [n for n, process in enumerate(processes) if process.role(job).held]


def test_a_job_has_one_holder_and_another_process_takes_it_over_when_the_holder_dies(store):
    async def scenario() -> tuple[list[int], float, list[list[int]]]:
        processes = [Together(store.url, store.engine) for _ in range(3)]
        try:
            for process in processes:
                process.role("planner")
            deadline = time.monotonic() + 30
            while not _holders(processes, "planner") and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            first = _holders(processes, "planner")
            # The holder dies: its connection ends and takes the lock with it; nobody tells the others.
            dead = processes.pop(first[0])
            died = time.monotonic()
            await dead.close()
            seen: list[list[int]] = []
            while not _holders(processes, "planner") and time.monotonic() < died + 30:
                seen.append(_holders(processes, "planner"))
                await asyncio.sleep(0.05)
            takeover = time.monotonic() - died
            for _ in range(20):  # and then it stays with exactly one
                seen.append(_holders(processes, "planner"))
                await asyncio.sleep(0.05)
            return first, takeover, seen
        finally:
            await asyncio.gather(*(p.close() for p in processes))

    first, takeover, seen = asyncio.run(scenario())
    assert len(first) == 1
    assert takeover <= sharing.TRY_EVERY + sharing.STOP_AFTER + 5  # the bound is 15 s
    assert all(len(holders) <= 1 for holders in seen)
    assert len(seen[-1]) == 1


def test_a_new_holder_waits_out_the_time_the_last_one_may_still_act(store):
    """A holder cut off from the database counts itself a holder up to STOP_AFTER after its last
    answered ping; a new holder acts only that long after it took the lock."""

    async def scenario() -> tuple[float, float]:
        one, two = Together(store.url, store.engine), Together(store.url, store.engine)
        try:
            await asyncio.wait_for(one.role("telegram-poller:1").taken(), 30)
            two.role("telegram-poller:1")
            # The server ends the holder's session (as after a network cut): the lock is free at once.
            with create_engine(store.url).connect() as admin:
                admin.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks "
                        "WHERE locktype = 'advisory' AND classid = :namespace AND granted"
                    ),
                    {"namespace": NAMESPACE},
                )
                admin.commit()
            freed = time.monotonic()
            old, new = one.role("telegram-poller:1"), two.role("telegram-poller:1")
            old_stopped = None
            while not new.held and time.monotonic() < freed + 30:
                if old_stopped is None and not old.held:
                    old_stopped = time.monotonic() - freed
                await asyncio.sleep(0.02)
            assert old_stopped is not None, "the old holder still acted when the new one started"
            return old_stopped, time.monotonic() - freed
        finally:
            await asyncio.gather(one.close(), two.close())

    old_stopped, new_started = asyncio.run(scenario())
    assert old_stopped <= sharing.STOP_AFTER + 1
    assert new_started >= sharing.STOP_AFTER


def test_every_process_reserves_its_sends_from_one_budget(store):
    engines = [create_engine(store.url) for _ in range(3)]
    try:
        gap = 1.0  # a backlog of many seconds: every reservation queues behind the one before
        waits = [send_budget.reserve(engines[n % 3], "telegram:1", 1 / gap) for n in range(30)]
    finally:
        for engine in engines:
            engine.dispose()
    assert waits[0] == 0.0
    # The 30th send of the three processes together waits 29 gaps: none of them sent at its own pace.
    assert 28.0 < waits[-1] <= 29.0
