"""The courier: stored replies go out in order per chat, after a restart too, once, or are settled."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters import Handler, Outcome, Report
from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.settings import Settings
from bot.speech import Speaker, Voice
from lessons.chat import ChoiceSelected, Command, Outgoing, Reply, Sender
from tests.conftest import FIXTURES
from tests.support.clock import FakeClock
from tests.support.flows import onboard
from tests.support.speech import is_ogg_opus, need_espeak
from tests.support.ticks import local


class Platform:
    """A chat platform that takes what the courier hands it, slowly for some chats, refusing others."""

    platform = "memory"
    redelivery = timedelta(hours=1)
    sending = True  # the only process

    def share(self, sharing) -> None:
        pass

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []  # (chat, text) in the order the platform took them
        self.slow: set[str] = set()
        self.blocked: set[str] = set()
        self.handed: list[int] = []
        self.replies: list[Reply] = []  # as the platform got them

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
            self.replies.append(outgoing.reply)
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


def _at_a_card(app: App, user: str) -> str:
    """``user`` onboarded and shown the first card; the id of its "Read it aloud"."""
    need_espeak()  # the app offers the button only when it can speak
    chat = MemoryChat(app.coach, user, "en")
    onboard(chat)
    chat.press("Start today's lesson")
    return chat.find("Read it aloud").id


def test_a_card_read_aloud_gets_its_sound_on_the_way_out_never_in_the_outbox(app):
    assert app.speaker is not None
    pressed = _at_a_card(app, "alice")
    platform = Platform()

    async def work() -> None:
        [stored] = await app.handle(ChoiceSelected(sender("alice"), pressed, "p1"))
        assert stored.reply.speech is not None and stored.reply.speech.audio is None

    serve(app, platform, work)
    [voiced] = platform.replies
    assert voiced.speech is not None and voiced.speech.audio is not None
    assert is_ogg_opus(Path(voiced.speech.audio.path).read_bytes())
    assert voiced.speech.audio.path.startswith(str(app.settings.data_dir.resolve() / "speech"))


def test_a_slow_voice_holds_up_neither_the_database_nor_other_chats(app, tmp_path):
    pressed = _at_a_card(app, "alice")
    slow = tmp_path / "slow-engine"
    slow.write_text("#!/bin/sh\nsleep 2\nexit 1\n")
    slow.chmod(0o755)
    app.courier.speaker = Speaker(tmp_path / "speech", {"en": Voice("espeak-ng", "en-gb", str(slow))})
    platform = Platform()

    async def work() -> None:
        started = time.monotonic()
        await app.handle(ChoiceSelected(sender("alice"), pressed, "p1"))
        await asyncio.sleep(0.1)  # alice's worker is now waiting for the engine
        await app.handle(Command(sender("bob"), "start", "", "b1"))
        await asyncio.wait_for(_sent_to(platform, "chat-bob"), 1.8)
        assert time.monotonic() - started < 2  # bob was answered while alice's sound was being made

    serve(app, platform, work)
    # The engine failed: alice gets the card's text with a note, not nothing.
    [alice] = [r for r in platform.replies if r.to.chat_id == "chat-alice"]
    assert alice.speech is None
    assert alice.text.startswith("Sorry, I cannot read it aloud right now. Here is the text:")


def test_a_coach_that_lost_its_voice_sends_a_stored_card_as_text(app):
    pressed = _at_a_card(app, "alice")
    app.coach.handle(ChoiceSelected(sender("alice"), pressed, "p1"))  # stored, then a restart
    app.courier.speaker = None
    platform = Platform()
    serve(app, platform, app.courier.sweep)
    [reply] = platform.replies
    assert reply.speech is None and "Here is the text:" in reply.text


async def _sent_to(platform: Platform, chat: str) -> None:
    while not any(sent == chat for sent, _text in platform.sent):
        await asyncio.sleep(0.01)
