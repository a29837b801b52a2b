"""How long a day's invitations take at the platforms' limits: a queue over the day, per platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lessons.rhythm import Rhythm
from lessons.sending_forecast import Invitation, forecast

NINE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Brussels
HALF_PAST_NINE = NINE + timedelta(minutes=30)
THREE_HOURS = timedelta(hours=3)


def at(lesson_time: datetime, count: int, platform: str = "telegram", spread: float = 0) -> list[Invitation]:
    """``count`` invitations for one lesson time; ``spread``: the n-th is due n * spread seconds later."""
    return [
        Invitation(platform, lesson_time, lesson_time + timedelta(seconds=n * spread)) for n in range(count)
    ]


def test_100000_learners_at_one_time_take_55_minutes_at_telegrams_30_a_second():
    (batch,) = forecast(at(NINE, 100_000), {"telegram": 30}, THREE_HOURS)
    assert batch.invitations == 100_000
    # The first goes out at 09:00, each next one 1/30 s later.
    assert abs(batch.last_out - (NINE + timedelta(seconds=99_999 / 30))) < timedelta(milliseconds=1)
    assert f"{batch.last_out:%H:%M:%S}" == "08:55:33"  # 09:55:33 in Brussels
    assert batch.dropped == 0 and batch.slow


def test_with_a_30_minute_catch_up_the_last_ones_would_be_dropped():
    (batch,) = forecast(at(NINE, 100_000), {"telegram": 30}, timedelta(minutes=30))
    # Out more than 1,800 s after 09:00: the 54,001st invitation (54,000 / 30 s) and later.
    assert batch.dropped == 100_000 - 54_001


def test_an_earlier_lesson_times_backlog_delays_the_next_one():
    first, second = forecast(at(NINE, 3_600) + at(HALF_PAST_NINE, 10), {"telegram": 1}, THREE_HOURS)
    assert first.last_out == NINE + timedelta(seconds=3_599)  # 09:59:59
    # Alone, the ten of 09:30 would be out by 09:30:09; they wait for 09:00's to go first.
    assert second.lesson_time == HALF_PAST_NINE and second.invitations == 10
    assert second.last_out == NINE + timedelta(hours=1, seconds=9)
    assert (forecast(at(HALF_PAST_NINE, 10), {"telegram": 1}, THREE_HOURS)[0].last_out
            == HALF_PAST_NINE + timedelta(seconds=9))  # fmt: skip


def test_two_platforms_do_not_delay_each_other():
    invitations = at(NINE, 3_600, "telegram") + at(NINE, 10, "matrix")
    matrix, telegram = forecast(invitations, {"telegram": 1, "matrix": 1}, THREE_HOURS)
    assert (matrix.platform, matrix.last_out) == ("matrix", NINE + timedelta(seconds=9))
    assert (telegram.platform, telegram.last_out) == ("telegram", NINE + timedelta(seconds=3_599))


def test_the_ticks_pace_is_shared_by_every_platform():
    """The tick hands at most so many a second to all platforms together, in the order they fall due."""
    a_second_later = [Invitation("matrix", NINE, NINE + timedelta(seconds=1))] * 10
    invitations = at(NINE, 3_600, "telegram") + a_second_later
    matrix, telegram = forecast(invitations, {"telegram": 1}, THREE_HOURS, shared_limit=1)
    # Matrix has no limit of its own, but waits its turn at the tick behind Telegram's 3,600.
    assert matrix.last_out == NINE + timedelta(seconds=3_609)
    assert telegram.last_out == NINE + timedelta(seconds=3_599)


def test_the_spread_window_lets_a_big_group_through_without_a_queue():
    # 9,000 learners spread over 10 minutes arrive at 15 a second, under Telegram's 30.
    (batch,) = forecast(at(NINE, 9_000, spread=600 / 9_000), {"telegram": 30}, THREE_HOURS)
    assert batch.last_out - batch.lesson_time < timedelta(minutes=10)
    assert not batch.slow


def test_a_group_is_slow_when_its_last_invitation_goes_out_more_than_15_minutes_late():
    (on_time,) = forecast(at(NINE, 901), {"telegram": 1}, THREE_HOURS)
    (late,) = forecast(at(NINE, 902), {"telegram": 1}, THREE_HOURS)
    assert on_time.last_waits == timedelta(minutes=15) and not on_time.slow
    assert late.last_waits == timedelta(minutes=15, seconds=1) and late.slow


def test_the_catch_up_counts_from_each_invitations_own_due_time():
    """The tick drops an invitation by its due time, the lesson time plus the learner's spread offset."""
    spread = [Invitation("telegram", NINE, NINE), Invitation("telegram", NINE, NINE + timedelta(minutes=10))]
    (batch,) = forecast(spread, {"telegram": 1}, timedelta(minutes=5))
    assert batch.last_waits == timedelta(minutes=10) and batch.dropped == 0
    (batch,) = forecast(spread, {"telegram": 1 / 1000}, timedelta(minutes=5))  # 1,000 s: 6 min 40 s late
    assert batch.last_out == NINE + timedelta(seconds=1000) and batch.dropped == 1


def test_batches_come_by_lesson_time_then_platform_and_nothing_is_nothing():
    invitations = at(HALF_PAST_NINE, 1, "telegram") + at(NINE, 1, "telegram") + at(NINE, 1, "matrix")
    batches = forecast(invitations, {}, THREE_HOURS)
    assert [(b.lesson_time, b.platform) for b in batches] == [
        (NINE, "matrix"),
        (NINE, "telegram"),
        (HALF_PAST_NINE, "telegram"),
    ]
    assert forecast([], {"telegram": 30}, THREE_HOURS) == []


def test_the_ticks_pace_is_its_messages_a_tick_over_its_length():
    assert Rhythm().sends_per_second == 30  # 1,800 a one-minute tick
    assert Rhythm(tick=timedelta(seconds=30)).sends_per_second == 60
    assert Rhythm(tick=timedelta(0)).sends_per_second is None
