"""Sending to Telegram: flood control that converges, patience while Telegram is away, final refusals."""

from __future__ import annotations

import asyncio
import time
import warnings
from datetime import timedelta

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.adapters import Outcome
from bot.adapters.telegram.render import Call
from bot.adapters.telegram.sending import Limits, Pacer, SendRate, TokenBucket

FAST = Limits(per_second=1000, per_chat_per_second=1000, chat_burst=100, moment=0.05)


def flood(milliseconds: int) -> RetryAfter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22's notice that retry_after becomes a timedelta
        return RetryAfter(timedelta(milliseconds=milliseconds))


def call(chat: int, n: int = 0) -> Call:
    return Call("send_message", chat, {"text": f"message {n}"})


class Telegram:
    """Records what was sent; answers with the errors queued for a chat first."""

    def __init__(self) -> None:
        self.sent: list[Call] = []
        self.attempts = 0
        self.errors: dict[int, list[Exception]] = {}
        self.down = False
        self.probes = 0

    async def perform(self, c: Call) -> None:
        await asyncio.sleep(0)
        self.attempts += 1
        pending = self.errors.get(c.chat_id)
        if pending:
            raise pending.pop(0)
        if self.down:
            raise NetworkError("connection refused")
        self.sent.append(c)

    async def probe(self) -> None:
        self.probes += 1
        if self.down:
            raise NetworkError("connection refused")


def far() -> float:
    return time.monotonic() + 60


def test_a_flood_wait_is_honoured_for_its_chat_while_others_go_on_after_a_moment():
    async def scenario() -> None:
        telegram = Telegram()
        telegram.errors[1] = [flood(400)]
        pacer = Pacer(telegram.perform, telegram.probe, FAST)
        started = time.monotonic()
        first = asyncio.create_task(pacer.send(call(1), far()))
        await asyncio.sleep(0.01)
        assert await pacer.send(call(2), far()) is Outcome.SENT
        other_done = time.monotonic() - started
        assert await first is Outcome.SENT
        chat_done = time.monotonic() - started
        assert other_done < 0.3  # held for the moment only, not chat 1's retry_after
        assert chat_done >= 0.4  # never before its retry_after
        assert [c.chat_id for c in telegram.sent] == [2, 1]

    asyncio.run(scenario())


def test_a_429_brings_the_rate_down_to_what_telegram_took_and_it_climbs_back_slowly():
    now = [0.0]
    rate = SendRate(ceiling=30, clock=lambda: now[0])
    for n in range(10):  # ten accepted in the last second
        now[0] = n * 0.05
        rate.accepted()
    now[0] = 0.6
    rate.refused(retry_after=30)
    assert rate.rate == 9.0  # a little under the ten Telegram took
    assert rate.hold_until == 1.6  # a moment for everyone, not the chat's 30 s
    for second in range(2, 61):
        now[0] = float(second)
        rate.accepted()
    assert rate.rate == 9.0  # not past 90 % of the rate that was refused, for a minute
    now[0] = 61.0
    rate.accepted()
    assert rate.rate == 10.0  # then a step a second
    now[0] = 62.0
    rate.accepted()
    assert rate.rate == 11.0


def test_refused_again_right_after_the_moment_means_telegram_holds_the_whole_bot():
    now = [0.0]
    rate = SendRate(ceiling=30, clock=lambda: now[0])
    rate.accepted()
    rate.refused(retry_after=5)
    assert rate.hold_until == 1.0
    now[0] = 1.01
    rate.refused(retry_after=4)  # the first call after the moment: refused too
    assert rate.hold_until == 5.01


def test_while_telegram_does_not_answer_nothing_is_sent_again_and_again():
    async def scenario() -> None:
        telegram = Telegram()
        telegram.down = True
        pacer = Pacer(telegram.perform, telegram.probe, FAST)
        sends = [asyncio.create_task(pacer.send(call(chat), far())) for chat in (1, 2, 3)]
        # Probes come with jitter (0.25-0.75 s, then 0.5-1.5 s): wait for two, not for a fixed time.
        deadline = time.monotonic() + 30
        while telegram.probes < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert telegram.probes >= 2
        # One try each, then they wait for a probe to get an answer.
        assert telegram.attempts <= 3
        telegram.down = False
        assert await asyncio.gather(*sends) == [Outcome.SENT] * 3
        assert len(telegram.sent) == 3

    asyncio.run(scenario())


def test_a_timed_out_call_is_sent_once_more_when_telegram_answers_again():
    async def scenario() -> None:
        telegram = Telegram()
        telegram.errors[1] = [TimedOut("stalled")]
        pacer = Pacer(telegram.perform, telegram.probe, FAST)
        assert await pacer.send(call(1), far()) is Outcome.SENT
        assert telegram.attempts == 2

    asyncio.run(scenario())


def test_a_call_still_waiting_when_its_lifetime_ends_expires():
    async def scenario() -> None:
        telegram = Telegram()
        telegram.down = True
        pacer = Pacer(telegram.perform, telegram.probe, FAST)
        assert await pacer.send(call(1), time.monotonic() + 0.3) is Outcome.EXPIRED
        await pacer.close()

    asyncio.run(scenario())


def test_final_answers_blocked_refused_and_an_edit_already_made():
    async def scenario() -> None:
        telegram = Telegram()
        telegram.errors[1] = [Forbidden("Forbidden: bot was blocked by the user")]
        telegram.errors[2] = [BadRequest("Bad Request: chat not found")]
        telegram.errors[3] = [BadRequest("Bad Request: message is not modified")]
        pacer = Pacer(telegram.perform, telegram.probe, FAST)
        assert await pacer.send(call(1), far()) is Outcome.BLOCKED
        assert await pacer.send(call(2), far()) is Outcome.REFUSED
        assert await pacer.send(call(3), far()) is Outcome.SENT  # sent again after a restart: it is there
        assert telegram.attempts == 3  # none of them retried

    asyncio.run(scenario())


def test_the_token_bucket_allows_a_burst_then_spaces_sends_at_the_rate():
    now = [0.0]
    bucket = TokenBucket(rate=2.0, burst=3, clock=lambda: now[0])
    assert [bucket.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.reserve() == 0.5
    assert bucket.reserve() == 1.0
    now[0] = 10.0
    assert bucket.reserve() == 0.0


def test_the_answer_to_a_pressed_button_goes_before_the_invitations_still_waiting():
    async def scenario() -> list[int]:
        telegram = Telegram()
        pacer = Pacer(telegram.perform, telegram.probe, Limits(per_second=20, per_chat_per_second=1000))
        invitations = [asyncio.create_task(pacer.send(call(chat), far())) for chat in range(100, 130)]
        await asyncio.sleep(0.2)  # a few invitations are out, most still wait for the send rate
        answer = asyncio.create_task(pacer.send(call(7), far(), answer=True))
        await asyncio.gather(answer, *invitations)
        return [c.chat_id for c in telegram.sent]

    order = asyncio.run(scenario())
    assert len(order) == 31
    # At 20 a second, 30 invitations take 1.5 s; the answer is out within a slot or two, not last.
    assert order.index(7) <= 8, order


def test_calls_that_find_nothing_to_wait_for_still_keep_the_send_rate_and_the_chats_pace() -> None:
    async def scenario() -> tuple[float, float, int]:
        telegram = Telegram()
        pacer = Pacer(
            telegram.perform, telegram.probe, Limits(per_second=20, per_chat_per_second=5, chat_burst=1)
        )
        started = time.monotonic()
        for chat in range(10):  # one after another, each into a free slot of its own chat
            assert await pacer.send(call(chat), far()) is Outcome.SENT
        rate_bound = time.monotonic() - started
        started = time.monotonic()
        for n in range(4):  # one chat: its own pace, 5 a second
            assert await pacer.send(call(99, n), far()) is Outcome.SENT
        return rate_bound, time.monotonic() - started, len(telegram.sent)

    across_chats, one_chat, sent = asyncio.run(scenario())
    assert sent == 14
    assert across_chats >= 9 / 20 - 0.01  # ten calls at 20 a second: nine gaps of 50 ms
    assert one_chat >= 3 / 5 - 0.01  # four calls at 5 a second
