"""The courier: stored replies go out in order per chat, after a restart too, once, or are settled."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.adapters import Handler, Outcome, Report
from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.settings import Settings
from lessons.chat import Command, Outgoing, Sender
from tests.conftest import FIXTURES
from tests.support.clock import FakeClock
from tests.support.flows import onboard
from tests.support.ticks import local


class Platform:
    """A chat platform that takes what the courier hands it, slowly for some chats, refusing others."""

    platform = "memory"
    redelivery = timedelta(hours=1)

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []  # (chat, text) in the order the platform took them
        self.slow: set[str] = set()
        self.blocked: set[str] = set()
        self.handed: list[int] = []

    async def run(self, handle: Handler) -> None:
        return None

    def stop(self) -> None:
        return None

    async def deliver(self, replies: Sequence[Outgoing], report: Report) -> None:
        self.handed += [r.id for r in replies]
        for n, outgoing in enumerate(replies):
            chat = outgoing.reply.to.chat_id
            if chat in self.blocked:
                await report(replies[n:], Outcome.BLOCKED)
                return
            await asyncio.sleep(0.2 if chat in self.slow else 0)
            self.sent.append((chat, outgoing.reply.text))
            await report([outgoing], Outcome.SENT)

    async def close(self) -> None:
        return None


@pytest.fixture
def app(tmp_path) -> App:
    clock = FakeClock(local(2026, 3, 2, 9, 0))
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'c.sqlite3'}",
        lessons=str(FIXTURES / "library"),
        data_dir=tmp_path / "data",
    )
    app = build(settings, clock)
    yield app
    app.close()


def sender(user: str) -> Sender:
    return Sender("memory", user, f"chat-{user}", user, "en")


def serve(app: App, platform: Platform, work) -> None:
    async def scenario() -> None:
        app.adapters.clear()
        app.adapters[platform.platform] = platform
        await work()
        assert await app.courier.flush(10)
        await app.courier.close()

    asyncio.run(scenario())


def test_each_chat_gets_its_replies_in_order_and_a_slow_chat_holds_up_no_other(app):
    platform = Platform()
    platform.slow.add("chat-slow")

    async def work() -> None:
        await app.handle(Command(sender("slow"), "start", "", "s1"))
        await app.handle(Command(sender("slow"), "help", "", "s2"))
        await app.handle(Command(sender("quick"), "start", "", "q1"))
        await asyncio.sleep(0.1)
        assert [chat for chat, _text in platform.sent].count("chat-quick") >= 1  # not behind the slow one

    serve(app, platform, work)
    slow = [text for chat, text in platform.sent if chat == "chat-slow"]
    assert slow[0].startswith("Hello! I am your digital coach") and "/progress" in slow[-1]
    assert app.coach.waiting("memory") == []  # all taken, so all gone from the outbox


def test_replies_a_crash_left_stored_go_out_at_the_next_start_once(app):
    # Stored by an event whose process died before handing them over.
    stored = app.coach.handle(Command(sender("alice"), "start", "", "a1"))
    platform = Platform()

    async def work() -> None:
        await app.courier.sweep()
        await app.courier.sweep()  # a second sweep while they go out queues nothing again

    serve(app, platform, work)
    assert sorted(platform.handed) == sorted(o.id for o in stored)
    assert len(platform.sent) == len(stored)
    assert app.coach.waiting("memory") == []


def test_a_reply_past_its_lifetime_is_settled_as_expired_not_sent(app):
    app.coach.handle(Command(sender("alice"), "start", "", "a1"))
    app.clock.advance(seconds=2 * 3600)  # type: ignore[attr-defined]
    platform = Platform()
    serve(app, platform, app.courier.sweep)
    assert platform.sent == []
    with app.store.transaction() as tx:
        assert {r.status.value for r in tx.personal.of(1)["messages_waiting"]} == {"expired"}


def test_a_chat_that_blocked_the_bot_gets_nothing_more_and_its_learner_is_left_alone(app):
    alice = MemoryChat(app.coach, "alice", "en")
    onboard(alice)
    platform = Platform()
    platform.blocked.add("chat-alice")

    async def work() -> None:
        await app.handle(Command(sender("alice"), "help", "", "h1"))
        await app.handle(Command(sender("alice"), "progress", "", "h2"))

    serve(app, platform, work)
    assert platform.sent == []
    with app.store.transaction() as tx:
        assert not tx.learners.find("memory", "alice").active
    assert app.coach.waiting("memory") == []
