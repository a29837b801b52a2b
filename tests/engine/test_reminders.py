"""One friendly reminder for an unfinished lesson, within limits; then, if ignored, one question."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support.flows import finish_passwords_lesson, onboard
from tests.support.ticks import invitations, local, reminders, tick_days, tick_until


def test_one_reminder_three_hours_after_an_ignored_invitation(chat, coach, clock):
    onboard(chat())
    sent = tick_until(coach, clock, local(2026, 3, 2, 23, 0))
    assert len(invitations(sent)) == 1
    [reminder] = reminders(sent)
    assert reminder.at.date() == date(2026, 3, 2)
    assert reminder.at - invitations(sent)[0].at == timedelta(hours=3)
    assert "still waiting for you" in reminder.reply.text
    assert [c.label for c in reminder.reply.choices] == ["Start", "No more reminders"]


def test_no_reminder_when_the_lesson_was_done(chat, coach, clock):
    alice = chat()
    onboard(alice)
    tick_until(coach, clock, local(2026, 3, 2, 10, 0))
    finish_passwords_lesson(alice)
    assert reminders(tick_until(coach, clock, local(2026, 3, 2, 23, 0))) == []


def test_no_reminder_outside_working_hours(chat, coach, clock):
    onboard(chat(), at="16:00")
    sent = tick_until(coach, clock, local(2026, 3, 2, 23, 30))
    assert len(invitations(sent)) == 1
    assert reminders(sent) == []


def test_at_most_two_reminders_a_week_then_one_question_and_then_peace(chat, coach, clock):
    alice = chat()
    onboard(alice)
    week_one = tick_days(coach, clock, local(2026, 3, 2), local(2026, 3, 8))
    assert [r.at.date() for r in reminders(week_one)] == [date(2026, 3, 2), date(2026, 3, 3)]
    week_two = tick_days(coach, clock, local(2026, 3, 9), local(2026, 3, 22))
    questions = [r for r in reminders(week_two) if "less often" in r.reply.text]
    nudges = [r for r in reminders(week_two) if "still waiting" in r.reply.text]
    assert [r.at.date() for r in nudges] == [date(2026, 3, 9)]  # the third ignored one
    assert [r.at.date() for r in questions] == [date(2026, 3, 10)]  # asked once
    assert [c.label for c in questions[0].reply.choices] == [
        "Monday, Wednesday and Friday",
        "Keep it as it is",
        "No more reminders",
    ]
    alice.choose("pace:less")
    assert "Monday, Wednesday and Friday" in alice.text
    later = invitations(tick_days(coach, clock, local(2026, 3, 23), local(2026, 3, 29)))
    assert [s.at.date().isoweekday() for s in later] == [1, 3, 5]


def test_no_more_reminders_is_respected(chat, coach, clock):
    alice = chat()
    onboard(alice)
    alice.choose("pace:quiet")
    assert "No more reminders" in alice.text
    sent = tick_days(coach, clock, local(2026, 3, 2), local(2026, 3, 6))
    assert len(invitations(sent)) == 5
    assert reminders(sent) == []


def test_no_reminder_on_leave(chat, coach, clock):
    alice = chat()
    onboard(alice)
    tick_until(coach, clock, local(2026, 3, 2, 10, 0))
    alice.command("/pause 2")
    assert reminders(tick_until(coach, clock, local(2026, 3, 2, 23, 0))) == []
