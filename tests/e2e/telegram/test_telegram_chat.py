"""`digicoach run` as a Telegram bot against the Bot API emulator: real PTB, real HTTP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def onboard(learner) -> None:
    learner.command("/start")
    greeting = learner.wait_for("Which language do you prefer?")
    assert "I am your digital coach" in greeting[0]["text"]
    assert learner.buttons(greeting[-1]) == ["Nederlands", "English", "Français", "Deutsch"]
    learner.press("English")
    learner.wait_for("Before we start")
    learner.press("OK, understood")
    learner.wait_for("At what time")
    learner.press("09:30")
    learner.wait_for("All set!")


def test_a_learner_onboards_takes_a_lesson_answers_by_button_and_sees_progress(coach, learner):
    running = coach()
    georgette = learner()
    onboard(georgette)
    georgette.press("Start today's lesson")
    card = georgette.wait_for("A long sentence is a strong password.")[-1]
    # The title is bold: Telegram HTML, parsed by the emulator as Telegram does.
    assert card["text"].startswith("Strong passwords (1/2)\n")
    assert {"type": "bold", "offset": 0, "length": len("Strong passwords (1/2)")} in card["entities"]
    georgette.press("Next")
    georgette.wait_for("Never use the same password twice.")
    georgette.press("Start the quiz")
    georgette.wait_for("Which is strongest?")

    question = georgette.press("coffee-bike-rain-lamp")
    georgette.wait_for("The same password everywhere is safe.")
    # The question now shows the answer and its feedback, and has no buttons left to press twice.
    edited = next(m for m in georgette.messages() if m["message_id"] == question["message_id"])
    assert "reply_markup" not in edited
    assert edited["text"].endswith("→ coffee-bike-rain-lamp\n\n✅ Right!\nLength makes a password strong.")
    georgette.press("False")
    georgette.wait_for("Lesson finished: Strong passwords")

    georgette.command("/progress")
    progress = georgette.wait_for("Lessons done: 1")[-1]["text"]
    assert "Cyber security: 2 of 2 right (100%)" in progress

    stats = running_stats(georgette)
    assert stats["callbacks_answered"] == georgette.presses == 8  # every press was answered
    assert stats["pending_updates"] == 0
    assert "Traceback" not in running.output()


def running_stats(learner) -> dict:
    return learner.emulator.control("stats", learner.token)


def test_a_deep_link_start_code_arrives_as_the_start_command(coach, learner):
    coach()
    said = learner(language_code="nl")
    said.command("/start team-42")
    said.wait_for("Welke taal heb je het liefst?")


def test_forged_or_foreign_button_presses_change_nothing_and_get_a_polite_answer(coach, learner):
    coach()
    alice, bob = learner(first_name="Alice"), learner(first_name="Bob")
    for person in (alice, bob):
        onboard(person)
        person.press("Start today's lesson")
        person.wait_for("(1/2)")
        person.press("Next")
        person.wait_for("(2/2)")
        person.press("Start the quiz")
    alices_question = alice.wait_for("Which is strongest?")[-1]
    bob.wait_for("Which is strongest?")
    wrong_answer = next(
        b["callback_data"]
        for row in alices_question["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "Welcome1"
    )

    # Bob's client sends Alice's button, on his own message and on hers, and garbage.
    bob.press_data(wrong_answer, bob.messages()[-1]["message_id"])
    bob.wait_for("That button does not work (anymore).")
    bob.press_data(wrong_answer, alices_question["message_id"])
    bob.wait_for("That button does not work (anymore).")
    bob.press_data("ans:999999:0:0", bob.messages()[-1]["message_id"])
    bob.wait_for("That button does not work (anymore).")
    bob.press_data("💥" * 16, bob.messages()[-1]["message_id"])
    bob.wait_for("That button does not work (anymore).")

    # Alice's quiz is untouched: her question still has its buttons and her answer counts.
    assert alice.messages()[-1]["reply_markup"]
    assert all("does not work" not in (m.get("text") or "") for m in alice.messages())
    alice.press("coffee-bike-rain-lamp")
    alice.wait_for("The same password everywhere is safe.")
    assert "✅ Right!" in alice.messages()[-2]["text"]
    bob.command("/progress")
    assert "No lessons done yet" in bob.wait_for("Your progress")[-1]["text"]
