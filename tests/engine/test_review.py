"""Spaced repetition: answered questions come back, the forgotten ones first."""

from __future__ import annotations

from tests.support.flows import onboard, read_cards
from tests.support.ticks import local, tick


def _passwords_lesson(alice, first_right: bool) -> None:
    alice.command("/lesson")
    read_cards(alice)
    alice.press("coffee" if first_right else "Welcome1")
    alice.press("False")


def _meetings_lesson(alice) -> None:
    alice.command("/lesson")
    read_cards(alice)
    alice.press("Mute")
    alice.press("Raise hand")
    alice.press("Done")
    alice.say("mute")


def test_a_question_answered_wrong_comes_back_the_next_day_before_those_answered_right(chat, clock):
    alice = chat()
    onboard(alice)
    _passwords_lesson(alice, first_right=False)
    assert "Repeat" not in " ".join(c.label for c in alice.choices)  # nothing is due the same day
    clock.now = local(2026, 3, 3, 10, 0)
    alice.command("/lesson")
    read_cards(alice)
    alice.press("Mute")
    alice.press("Raise hand")
    alice.press("Done")
    alice.say("mute")
    repeat = next(c for c in alice.choices if c.id == "review:start")
    assert repeat.label == "Repeat 2 questions"
    alice.press("Repeat")
    assert "Review question 1 of 2" in alice.text
    assert "Which is strongest?" in alice.text
    alice.press("coffee")
    assert "✅ Right!" in alice.text
    assert "Review question 2 of 2" in alice.text
    alice.press("False")
    assert "Review finished." in alice.text
    assert "You answered 2 of 2 questions correctly." in alice.text


def test_review_answers_count_once_and_in_the_topic_of_their_lesson(chat, clock):
    alice = chat()
    onboard(alice)
    _passwords_lesson(alice, first_right=False)
    clock.now = local(2026, 3, 3, 10, 0)
    _meetings_lesson(alice)
    alice.press("Repeat")
    first = alice.find("coffee").id
    alice.choose(first)
    alice.choose(first)
    assert "already answered" in alice.text
    alice.command("/progress")
    assert "Cyber security: 2 of 3 right (67%)" in alice.text
    assert "Lessons done: 2" in alice.text


def test_with_no_new_lesson_left_the_day_is_a_review_day(chat, clock, coach):
    alice = chat()
    onboard(alice)
    _passwords_lesson(alice, first_right=False)
    alice.press("One more lesson")
    read_cards(alice)
    alice.press("Mute")
    alice.press("Done")
    alice.say("mute")
    clock.now = local(2026, 3, 4, 9, 45)
    invitation = tick(coach, clock.now)
    assert "repeat a few questions" in invitation[0].text
    alice.command("/lesson")
    assert "Review question 1 of" in alice.text
