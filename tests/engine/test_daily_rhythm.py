"""The daily rhythm with a clock moved by hand: exactly what is sent, and when."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, time, timedelta

from lessons.chat import Address, ChatUnreachable, Reply
from tests.support.flows import finish_passwords_lesson, onboard, read_cards
from tests.support.ticks import invitations, local, tick, tick_days, tick_until

WEEK_END = local(2026, 3, 8, 23, 59)  # Sunday; the clock starts on Monday 2 March, 09:00


def _days(sent) -> Counter:
    """Invitations per local day (reminders left out)."""
    return Counter(s.at.date() for s in invitations(sent))


def test_one_invitation_per_working_day_in_the_spread_window_none_at_the_weekend(chat, coach, clock):
    alice = chat()
    onboard(alice)
    sent = invitations(tick_days(coach, clock, local(2026, 3, 2), WEEK_END))
    assert _days(sent) == {date(2026, 3, d): 1 for d in range(2, 7)}
    for s in sent:
        assert time(9, 30) <= s.at.time() <= time(9, 55)
        assert s.reply.to.chat_id == "chat-alice"
        assert [c.label for c in s.reply.choices] == ["Start", "In an hour", "Skip today"]
    assert "Strong passwords" in sent[0].reply.text


def test_the_spread_offset_is_stable_per_learner(chat, coach, clock):
    alice = chat()
    onboard(alice)
    sent = tick_until(coach, clock, local(2026, 3, 2, 10, 0), every=timedelta(minutes=1))
    clock.now = local(2026, 3, 3, 9, 0)
    sent += tick_until(coach, clock, local(2026, 3, 3, 10, 0), every=timedelta(minutes=1))
    assert len(sent) == 2
    assert sent[0].at.time() == sent[1].at.time()


def test_a_learner_still_onboarding_gets_nothing(chat, coach, clock):
    chat("bob").command("/start")
    assert tick_until(coach, clock, local(2026, 3, 2, 23, 0)) == []


def test_two_overlapping_ticks_send_once(chat, coach, clock):
    for name in ("alice", "bob", "carla"):
        onboard(chat(name))
    clock.now = local(2026, 3, 2, 9, 45)
    results: list[list] = []
    threads = [threading.Thread(target=lambda: results.append(tick(coach, clock.now))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.to.chat_id for batch in results for r in batch) == [
        "chat-alice",
        "chat-bob",
        "chat-carla",
    ]
    assert tick(coach, clock.now) == []


def test_ticks_that_overlap_on_planned_messages_send_each_once(chat, coach, clock):
    """Two ticks that both find the same invitations already planned (two processes, say)."""
    for name in ("alice", "bob", "carla"):
        onboard(chat(name))
    clock.now = local(2026, 3, 2, 9, 45)
    coach.plan_due(clock.now)  # committed, pending: both ticks below see the same rows
    start = threading.Barrier(2)
    sent: list[list[Reply]] = []

    def one_tick() -> None:
        start.wait()
        sent.append(tick(coach, clock.now))

    threads = [threading.Thread(target=one_tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.to.chat_id for batch in sent for r in batch) == ["chat-alice", "chat-bob", "chat-carla"]


def test_after_downtime_the_day_is_caught_up_within_the_cut_off_and_never_twice(chat, coach, clock):
    alice = chat()
    onboard(alice)
    clock.now = local(2026, 3, 2, 11, 0)  # down from 09:00 to 11:00
    assert len(tick(coach, clock.now)) == 1
    assert invitations(tick_until(coach, clock, local(2026, 3, 2, 23, 0))) == []


def test_after_downtime_past_the_cut_off_the_day_is_dropped(chat, coach, clock):
    alice = chat()
    onboard(alice)
    clock.now = local(2026, 3, 2, 13, 5)  # 09:30 + 3 h cut-off has passed
    assert tick(coach, clock.now) == []
    assert tick_until(coach, clock, local(2026, 3, 2, 23, 0)) == []
    sent = tick_until(coach, clock, local(2026, 3, 3, 12, 0))
    assert _days(sent) == {date(2026, 3, 3): 1}


def test_daylight_saving_keeps_the_local_time_and_skips_or_doubles_nothing(chat, coach, clock, store):
    # Brussels switches on Sunday 29 March (02:00 -> 03:00) and Sunday 25 October (03:00 -> 02:00).
    alice = chat()
    onboard(alice)
    with store.transaction() as tx:
        tx.learners.update(tx.learners.find("memory", "alice").id, weekdays="1234567")
    five_minutes = timedelta(minutes=5)
    spring = invitations(tick_days(coach, clock, local(2026, 3, 28), local(2026, 3, 30), five_minutes))
    autumn = invitations(tick_days(coach, clock, local(2026, 10, 24), local(2026, 10, 26), five_minutes))
    for sent in (spring, autumn):
        assert sorted(_days(sent).values()) == [1, 1, 1]
        assert {s.at.time().replace(second=0) for s in sent} <= {time(9, m) for m in range(30, 46)}
    assert spring[1].at.utcoffset() != spring[0].at.utcoffset()


def test_no_invitation_on_a_public_holiday(chat, coach, clock):
    alice = chat()
    onboard(alice)
    clock.now = local(2026, 4, 6, 0, 5)  # Easter Monday
    assert tick_until(coach, clock, local(2026, 4, 6, 23, 0)) == []
    assert len(tick_until(coach, clock, local(2026, 4, 7, 12, 0))) == 1


def test_snooze_sends_it_again_an_hour_later_and_skip_stops_the_day(chat, coach, clock):
    alice, bob = chat("alice"), chat("bob")
    onboard(alice)
    onboard(bob)
    first = tick_until(coach, clock, local(2026, 3, 2, 9, 50), every=timedelta(minutes=1))
    by_chat = {s.reply.to.chat_id: s.reply for s in first}
    alice.choose(next(c.id for c in by_chat["chat-alice"].choices if c.label == "In an hour"))
    assert "remind you in an hour" in alice.text
    bob.choose(next(c.id for c in by_chat["chat-bob"].choices if c.label == "Skip today"))
    assert "See you on your next lesson day" in bob.text
    pressed = clock.now
    later = invitations(tick_until(coach, clock, local(2026, 3, 2, 18, 0), every=timedelta(minutes=5)))
    assert [s.reply.to.chat_id for s in later] == ["chat-alice"]
    assert later[0].at == pressed + timedelta(hours=1)


def test_a_pause_stops_invitations_and_keeps_the_streak(chat, coach, clock):
    alice = chat()
    onboard(alice)
    finish_passwords_lesson(alice)
    clock.now = local(2026, 3, 3, 8, 0)
    alice.command("/pause 3")
    assert "Lessons start again after 5 March 2026" in alice.text
    sent = tick_until(coach, clock, local(2026, 3, 6, 10, 0), every=timedelta(minutes=15))
    assert _days(sent) == {date(2026, 3, 6): 1}
    alice.command("/lesson")
    read_cards(alice)
    alice.press("Mute")
    alice.press("Raise hand")
    alice.press("Done")
    alice.say("mute")
    assert "🔥 Streak: 2 lesson days in a row" in alice.text


def test_pause_without_arguments_offers_durations_and_resume_ends_it(chat, coach, clock):
    alice = chat()
    onboard(alice)
    alice.command("/pause")
    assert [c.label for c in alice.choices] == ["7 days", "14 days", "30 days", "Until I type /resume"]
    alice.press("Until I type /resume")
    assert tick_until(coach, clock, local(2026, 3, 3, 23, 0)) == []
    clock.now = local(2026, 3, 4, 8, 0)
    alice.command("/resume")
    assert "Welcome back" in alice.text
    assert len(tick_until(coach, clock, local(2026, 3, 4, 12, 0))) == 1
    alice.command("/resume")
    assert "not on a break" in alice.text


def test_a_bad_pause_argument_is_explained(chat):
    alice = chat()
    onboard(alice)
    alice.command("/pause next week")
    assert "/pause 10" in alice.text


def test_a_chat_the_platform_refuses_gets_nothing_until_the_learner_writes_again(chat, coach, clock):
    alice = chat()
    onboard(alice)
    coach.unreachable(ChatUnreachable(Address("memory", "chat-alice")))
    assert tick_until(coach, clock, local(2026, 3, 2, 23, 0)) == []
    clock.now = local(2026, 3, 3, 8, 0)
    alice.command("/progress")  # unblocked: writing again shows the chat works
    assert len(invitations(tick_until(coach, clock, local(2026, 3, 3, 12, 0)))) == 1


def test_a_learner_who_leaves_the_lesson_time_dialog_open_still_gets_every_lesson(chat, coach, clock):
    """Regression: the stage stays 'setting-time' until a time is chosen; lessons must keep coming."""
    alice = chat()
    onboard(alice)
    alice.command("/settings")
    alice.press("Lesson time")  # and then walks away
    sent = invitations(tick_days(coach, clock, local(2026, 3, 2), WEEK_END, every=timedelta(minutes=10)))
    assert _days(sent) == {date(2026, 3, d): 1 for d in range(2, 7)}
