"""Matrix among several coach processes: only the holder of the account's role logs in, syncs and sends.

The crypto store has one writer (README, "Several machines"): a process that
does not hold the role never opens it, and one that loses the role stops
serving Matrix instead of writing on beside the new holder.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.adapters.matrix.adapter import MatrixAdapter


class Role:
    """A role another process holds until the test hands it over, then takes back."""

    def __init__(self, job: str) -> None:
        self.job = job
        self.given = asyncio.Event()
        self.taken_back = asyncio.Event()

    @property
    def held(self) -> bool:
        return self.given.is_set() and not self.taken_back.is_set()

    async def taken(self) -> None:
        await self.given.wait()

    async def lost(self) -> None:
        await self.taken_back.wait()


class Sharing:
    def __init__(self) -> None:
        self.roles: dict[str, Role] = {}

    def role(self, job: str) -> Role:
        return self.roles.setdefault(job, Role(job))

    def budget(self, name: str, per_second: float) -> None:
        return None


def _adapter(tmp_path: Path) -> MatrixAdapter:
    # Nothing listens on port 9: a process that tried to log in would fail and retry, not pass.
    return MatrixAdapter(
        "http://127.0.0.1:9", "@coach:example.org", tmp_path, ("example.org",), "token", "DEVICE"
    )


def test_a_process_without_the_role_stands_by_without_touching_the_crypto_store(tmp_path):
    adapter = _adapter(tmp_path)
    sharing = Sharing()
    adapter.share(sharing)  # type: ignore[arg-type]
    role = sharing.roles["matrix:@coach:example.org"]

    async def scenario() -> None:
        running = asyncio.create_task(adapter.run(lambda event: asyncio.sleep(0, [])))
        await asyncio.sleep(0.3)
        assert not adapter.sending
        assert not running.done()
        adapter.stop()
        await asyncio.wait_for(running, 5)

    asyncio.run(scenario())
    assert not role.held
    assert not adapter.state.store_path.exists()  # never opened: the holder is its only writer


def test_a_process_that_loses_the_role_stops_serving_matrix(tmp_path, caplog):
    adapter = _adapter(tmp_path)
    sharing = Sharing()
    adapter.share(sharing)  # type: ignore[arg-type]
    role = sharing.roles["matrix:@coach:example.org"]

    async def scenario() -> None:
        role.given.set()
        running = asyncio.create_task(adapter.run(lambda event: asyncio.sleep(0, [])))
        await asyncio.sleep(0.3)
        assert adapter.sending
        role.taken_back.set()  # e.g. its database connection ended
        await asyncio.wait_for(running, 10)
        assert not adapter.sending

    asyncio.run(scenario())
    assert "stops serving Matrix" in caplog.text
