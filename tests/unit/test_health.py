"""/healthz says what is wrong: a platform not connected, a database gone, ticks that stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import httpx

from bot.adapters import Handler, Outcome, Report
from bot.app import build
from bot.settings import Settings
from lessons.chat import Outgoing
from tests.support.synapse import free_port

FIXTURES = Path(__file__).parents[1] / "fixtures"


class Platform:
    """A platform that comes and goes while the test asks /healthz, then stops the coach."""

    platform = "memory"
    redelivery = timedelta(hours=1)
    sending = True  # the only process

    def share(self, sharing) -> None:
        pass

    def __init__(self, probe) -> None:
        self.connected = False
        self._probe = probe
        self.seen: list[tuple[int, dict]] = []

    async def run(self, handle: Handler) -> None:
        await self._probe(self)

    def stop(self) -> None:
        pass

    async def deliver(self, replies: Sequence[Outgoing], report: Report) -> None:
        await report(replies, Outcome.SENT)

    async def close(self) -> None:
        pass


def test_healthz_is_ready_only_with_the_database_and_every_platform(tmp_path):
    port = free_port()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'c.sqlite3'}",
        lessons=str(FIXTURES / "library"),
        data_dir=tmp_path / "data",
        metrics_address=f"127.0.0.1:{port}",
    )
    app = build(settings)
    answers: list[tuple[str, int, dict]] = []

    async def probe(platform: Platform) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:

            async def ask(when: str, path: str = "/healthz") -> None:
                answer = await client.get(path)
                answers.append((when, answer.status_code, answer.json()))

            await ask("connecting")
            platform.connected = True
            await ask("connected")
            platform.sending, platform.connected = False, False  # another process holds its role
            await ask("standing by")
            platform.sending, platform.connected = True, True
            database = tmp_path / "c.sqlite3"
            app.store.engine.dispose()
            database.rename(tmp_path / "away")
            database.mkdir()  # where the database was, nothing SQLite can open
            await ask("database gone")
            database.rmdir()
            (tmp_path / "away").rename(database)
            app._ticked -= 3 * settings.tick_seconds  # as if the ticks had stopped
            await ask("no ticks", "/healthz/live")

    try:
        asyncio.run(app.serve(Platform(probe), scheduled=True))
    finally:
        app.close()
    by_moment = {when: (status, body) for when, status, body in answers}
    assert by_moment["connecting"][0] == 503
    assert by_moment["connecting"][1]["live"] and not by_moment["connecting"][1]["ready"]
    assert by_moment["connecting"][1]["checks"]["memory"] == "not connected (retrying)"
    assert by_moment["connected"] == (
        200,
        {"live": True, "ready": True, "checks": by_moment["connected"][1]["checks"]},
    )
    assert by_moment["connected"][1]["checks"]["database"] == "ok"
    assert by_moment["standing by"][0] == 200
    assert by_moment["standing by"][1]["checks"]["memory"].startswith("standing by")
    assert by_moment["database gone"][0] == 503
    assert by_moment["database gone"][1]["checks"]["database"].startswith("unreachable")
    assert by_moment["no ticks"][0] == 503 and not by_moment["no ticks"][1]["live"]
