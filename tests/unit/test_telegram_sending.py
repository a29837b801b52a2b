"""The Telegram outbox: per-chat order, flood waits for one chat only, retries, blocked learners."""

from __future__ import annotations

import asyncio
import warnings
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.adapters.telegram.render import Call
from bot.adapters.telegram.sending import Limits, Outbox, Outcome, TokenBucket

FAST = Limits(per_second=1000, per_chat_per_second=1000, chat_burst=100, first_backoff=0.001)


def flood(milliseconds: int) -> RetryAfter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22's notice that retry_after becomes a timedelta
        return RetryAfter(timedelta(milliseconds=milliseconds))


def call(chat: int, n: int) -> Call:
    return Call("send_message", chat, {"text": f"message {n}"})


class Telegram:
    """Records what was sent; answers with the errors queued for a chat first."""

    def __init__(self) -> None:
        self.sent: list[Call] = []
        self.errors: dict[int, list[Exception]] = {}

    async def perform(self, c: Call) -> None:
        await asyncio.sleep(0)
        pending = self.errors.get(c.chat_id)
        if pending:
            raise pending.pop(0)
        self.sent.append(c)


def test_each_chat_gets_its_messages_in_order():
    async def scenario() -> list[Call]:
        telegram = Telegram()
        outbox = Outbox(telegram.perform, FAST)
        outcomes = await outbox.deliver([call(chat, n) for n in range(5) for chat in (1, 2)])
        assert outcomes == [Outcome.SENT] * 10
        return telegram.sent

    sent = asyncio.run(scenario())
    for chat in (1, 2):
        assert [c.params["text"] for c in sent if c.chat_id == chat] == [f"message {n}" for n in range(5)]


def test_a_flood_wait_for_one_chat_does_not_hold_up_another():
    async def scenario() -> None:
        telegram = Telegram()
        telegram.errors[1] = [flood(30_000)]
        outbox = Outbox(telegram.perform, FAST)
        waiting = outbox.put([call(1, 0)])
        [other] = await outbox.deliver([call(2, 0)])
        assert other is Outcome.SENT
        assert not waiting[0].done()  # chat 1 still honours its retry_after
        assert [c.chat_id for c in telegram.sent] == [2]
        await outbox.close()

    asyncio.run(scenario())


def test_a_flood_wait_is_honoured_then_the_message_goes_out():
    async def scenario() -> None:
        telegram = Telegram()
        telegram.errors[1] = [flood(10), flood(10)]
        outbox = Outbox(telegram.perform, FAST)
        assert await outbox.deliver([call(1, 0), call(1, 1)]) == [Outcome.SENT, Outcome.SENT]
        assert [c.params["text"] for c in telegram.sent] == ["message 0", "message 1"]

    asyncio.run(scenario())


def test_network_errors_are_retried_with_backoff_then_given_up():
    async def scenario() -> None:
        telegram = Telegram()
        telegram.errors[1] = [NetworkError("reset"), NetworkError("reset")]
        telegram.errors[2] = [NetworkError("down")] * 5
        outbox = Outbox(telegram.perform, FAST)
        assert await outbox.deliver([call(1, 0), call(2, 0), call(2, 1)]) == [
            Outcome.SENT,
            Outcome.FAILED,
            Outcome.SENT,
        ]

    asyncio.run(scenario())


def test_a_learner_who_blocked_the_bot_gets_nothing_more_and_others_go_on(caplog):
    async def scenario() -> None:
        telegram = Telegram()
        telegram.errors[1] = [Forbidden("Forbidden: bot was blocked by the user")]
        blocked: list[int] = []

        async def on_blocked(chat_id: int) -> None:
            blocked.append(chat_id)

        outbox = Outbox(telegram.perform, FAST, on_blocked)
        outcomes = await outbox.deliver([call(1, 0), call(1, 1), call(2, 0)])
        assert outcomes == [Outcome.BLOCKED, Outcome.BLOCKED, Outcome.SENT]
        assert [c.chat_id for c in telegram.sent] == [2]
        assert blocked == [1]  # the coach is told once

    asyncio.run(scenario())
    assert "chat 1 blocked the bot" in caplog.text


def test_a_refused_request_is_not_retried_and_the_next_one_goes_out():
    async def scenario() -> None:
        telegram = Telegram()
        telegram.errors[1] = [BadRequest("message is not modified")]
        outbox = Outbox(telegram.perform, FAST)
        assert await outbox.deliver([call(1, 0), call(1, 1)]) == [Outcome.FAILED, Outcome.SENT]

    asyncio.run(scenario())


def test_the_token_bucket_allows_a_burst_then_spaces_sends_at_the_rate():
    now = [0.0]
    bucket = TokenBucket(rate=2.0, burst=3, clock=lambda: now[0])
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve() == 0.5
    assert bucket.reserve() == 1.0
    now[0] = 10.0
    assert bucket.reserve() == 0.0
