"""Today's lesson as a transcript: cards, quiz, feedback, summary, progress."""

from __future__ import annotations

from lessons.engine import Coach
from tests.support.flows import finish_passwords_lesson, onboard, read_cards


def test_a_whole_lesson_from_first_card_to_progress(chat):
    alice = chat()
    onboard(alice)
    alice.press("Start today's lesson")
    assert "Strong passwords (1/2)" in alice.text
    assert [c.label for c in alice.choices] == ["Next"]
    alice.press("Next")
    assert "Strong passwords (2/2)" in alice.text
    assert [c.label for c in alice.choices] == ["Start the quiz"]
    alice.press("Start the quiz")
    assert "Question 1 of 2" in alice.text
    alice.press("coffee-bike-rain-lamp")
    assert "✅ Right!" in alice.text
    assert "Length makes a password strong." in alice.text
    assert "Question 2 of 2" in alice.text
    alice.press("True")
    assert "❌ Not quite." in alice.text
    assert "The right answer: False" in alice.text
    assert "One leak then opens everything." in alice.text
    assert "Lesson finished: Strong passwords" in alice.text
    assert "You answered 1 of 2 questions correctly." in alice.text
    assert "💡 Try this today: Pick a new passphrase." in alice.text
    alice.press("My progress")
    assert "Lessons done: 1" in alice.text
    assert "Cyber security: 1 of 2 right (50%)" in alice.text
    assert "🔥 Streak: 1 lesson day in a row" in alice.text


def test_pressing_an_answer_twice_counts_once(chat):
    alice = chat()
    onboard(alice)
    alice.command("/lesson")
    read_cards(alice)
    first = alice.find("Welcome1")
    alice.choose(first.id)
    assert "❌ Not quite." in alice.text
    alice.choose(first.id)
    assert "already answered" in alice.text
    alice.command("/progress")
    assert "0 of 1 right" in alice.text


def test_a_redelivered_event_is_dropped(chat):
    alice = chat()
    onboard(alice)
    alice.command("/lesson")
    read_cards(alice)
    right = alice.find("coffee").id
    assert alice.choose(right, event_id="update-77")
    assert alice.choose(right, event_id="update-77") == []
    alice.command("/progress")
    assert "1 of 1 right" in alice.text


def test_a_stale_next_button_shows_where_the_learner_is(chat):
    alice = chat()
    onboard(alice)
    alice.command("/lesson")
    old_next = alice.choices[0].id
    alice.choose(old_next)
    alice.choose(old_next)
    assert "That was an earlier question" in alice.text
    assert "Strong passwords (2/2)" in alice.text


def test_another_learners_button_changes_nothing(chat):
    alice, bob = chat("alice"), chat("bob")
    onboard(alice)
    onboard(bob)
    alice.command("/lesson")
    read_cards(alice)
    alice_answer = alice.find("coffee").id
    bob.choose(alice_answer)
    assert "does not work" in bob.text
    alice.choose(alice_answer)
    assert "✅ Right!" in alice.text


def test_garbage_buttons_get_a_polite_answer(chat):
    alice = chat()
    onboard(alice)
    for forged in (
        "zzz",
        "ans:",
        "ans:abc:0:0",
        "ans:999999:0:0",
        "next:1",
        "tick:1:0:x",
        "go:nowhere",
        "lang:xx",
    ):
        replies = alice.choose(forged)
        assert replies, forged
        assert "Traceback" not in alice.text


def test_select_all_that_apply_and_a_typed_answer(chat):
    alice = chat()
    onboard(alice)
    finish_passwords_lesson(alice)
    alice.press("One more lesson")
    read_cards(alice)
    assert "Tick every right answer" in alice.text
    alice.press("Done")
    assert "Tick at least one answer first" in alice.text
    alice.press("Mute")
    assert ("Mute", True) in [(c.label, c.ticked) for c in alice.choices]
    alice.press("Raise hand")
    alice.press("Done")
    assert "✅ Right!" in alice.text
    assert "Type your answer." in alice.text
    alice.say("  MUTE ")
    assert "✅ Right!" in alice.text
    assert "Lesson finished: Good video meetings" in alice.text


def test_i_dont_know_shows_the_answer_kindly_and_counts_as_not_known(chat):
    alice = chat()
    onboard(alice)
    finish_passwords_lesson(alice)
    alice.press("One more lesson")
    read_cards(alice)
    alice.press("Mute")
    alice.press("Done")
    alice.press("I don't know")
    assert "That is fine: this is what the lessons are for." in alice.text
    assert "❌" not in alice.text
    assert "The right answer: mute" in alice.text
    assert "You answered 0 of 2 questions correctly." in alice.text


def test_after_todays_lesson_the_coach_offers_one_more_and_then_says_all_is_done(chat):
    alice = chat()
    onboard(alice)
    finish_passwords_lesson(alice)
    alice.command("/lesson")
    assert "You have finished today's lesson" in alice.text
    alice.press("One more lesson")
    assert "Good video meetings (1/2)" in alice.text
    read_cards(alice)
    alice.press("Mute")
    alice.press("Done")
    alice.say("mute")
    alice.press("One more lesson")
    assert "You have done every lesson there is" in alice.text


def test_an_unfinished_lesson_carries_over_to_the_next_day(chat, clock):
    alice = chat()
    onboard(alice)
    alice.command("/lesson")
    alice.press("Next")
    clock.advance(days=1)
    alice.command("/lesson")
    assert "Strong passwords (2/2)" in alice.text


def test_progress_survives_a_restart_of_the_coach(chat, store, fixture_library, clock):
    alice = chat()
    onboard(alice)
    finish_passwords_lesson(alice)
    restarted = Coach(store, fixture_library, clock)
    alice.coach = restarted
    alice.command("/progress")
    assert "Lessons done: 1" in alice.text
    assert "2 of 2 right (100%)" in alice.text


def test_a_learner_in_a_withdrawn_lesson_moves_on_to_the_next(chat, store, fixture_library, clock):
    from lessons.lesson_library import Library

    alice = chat()
    onboard(alice)
    alice.command("/lesson")
    assert "Strong passwords (1/2)" in alice.text
    alice.coach = Coach(store, Library({"meetings": fixture_library.lessons["meetings"]}), clock)
    alice.press("Next")
    assert "no longer available" in alice.text
    alice.press("Next lesson")
    assert "Good video meetings (1/2)" in alice.text
    alice.command("/lesson")
    assert "Good video meetings (1/2)" in alice.text
