"""`digicoach run`'s tick: the real APScheduler job sends what is due through the adapter."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from bot.adapters import Handler, Outcome, Report
from bot.adapters.memory import MemoryChat
from bot.app import build
from bot.cli import main
from bot.settings import Settings
from lessons.chat import Outgoing, Reply
from tests.conftest import FIXTURES
from tests.support.clock import FakeClock
from tests.support.flows import onboard
from tests.support.ticks import local


class RecordingAdapter:
    """Stands in for a platform: records what the courier hands it, stops once something came."""

    platform = "memory"
    redelivery = timedelta(hours=1)
    connected = True
    sending = True  # the only process

    def share(self, sharing) -> None:
        pass

    def __init__(self) -> None:
        self.sent: list[Reply] = []
        self._got = asyncio.Event()

    async def run(self, handle: Handler) -> None:
        await asyncio.wait_for(self._got.wait(), timeout=20)

    def stop(self) -> None:
        self._got.set()

    async def deliver(self, replies: Sequence[Outgoing], report: Report) -> None:
        self.sent += [r.reply for r in replies]
        await report(replies, Outcome.SENT)
        self._got.set()

    async def close(self) -> None:
        return None


def test_the_tick_sends_the_due_invitation_to_the_learners_platform(tmp_path):
    clock = FakeClock(local(2026, 3, 2, 9, 0))
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'c.sqlite3'}",
        lessons=str(FIXTURES / "library"),
        metrics_address="",
    )
    app = build(settings, clock)
    onboard(MemoryChat(app.coach, "alice", "en"))
    clock.now = local(2026, 3, 2, 9, 45)
    adapter = RecordingAdapter()
    asyncio.run(app.serve(adapter, scheduled=True))
    app.close()
    assert [r.to.chat_id for r in adapter.sent] == ["chat-alice"]
    assert "Strong passwords" in adapter.sent[0].text
    # Sent, so it left the outbox: a restart does not send it again.
    assert app.coach.waiting("memory") == []


def test_a_bad_holiday_setting_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setenv("DIGICOACH_HOLIDAY_COUNTRY", "XX")
    assert main(["lessons", "check"]) == 2
    assert "Country XX not available" in capsys.readouterr().err


def test_retention_per_topic_comes_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("DIGICOACH_RETENTION", "security=0.97, strategy=0.85")
    rhythm = Settings().rhythm
    assert (rhythm.retention_for("security"), rhythm.retention_for("strategy")) == (0.97, 0.85)
    assert rhythm.retention_for("iot") == 0.9
    monkeypatch.setenv("DIGICOACH_RETENTION", "safety=0.9")
    assert main(["lessons", "check"]) == 2
    assert "unknown topic 'safety'" in capsys.readouterr().err
