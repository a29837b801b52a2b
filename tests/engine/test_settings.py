"""/settings: language, lesson time, lesson days and simpler texts."""

from __future__ import annotations

from datetime import time

from tests.support.flows import onboard


def test_settings_shows_current_values_and_what_can_change(chat):
    alice = chat()
    onboard(alice)
    alice.command("/settings")
    assert "Language: English" in alice.text
    assert "Lesson time: 09:30" in alice.text
    assert [c.label for c in alice.choices] == [
        "Language",
        "Lesson time",
        "Lesson days",
        "Simpler texts",
        "Done",
    ]


def test_changing_the_time_by_typing(chat, store):
    alice = chat()
    onboard(alice)
    alice.command("/settings")
    alice.press("Lesson time")
    alice.say("7:45")
    assert "Saved." in alice.text
    assert "07:45" in alice.text
    with store.transaction() as tx:
        learner = tx.learners.find("memory", "alice")
    assert (learner.delivery_time, learner.stage) == (time(7, 45), "ready")


def test_switching_lesson_days_on_and_off_but_never_all_off(chat, store):
    alice = chat()
    onboard(alice)
    alice.command("/settings")
    alice.press("Lesson days")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday"):
        alice.press(day)
    assert ("Monday", False) in [(c.label, c.ticked) for c in alice.choices]
    alice.press("Friday")
    assert "Keep at least one lesson day" in alice.text
    alice.press("Saturday")
    alice.choose("set:done")
    assert "Friday and Saturday" in alice.text
    with store.transaction() as tx:
        assert tx.learners.find("memory", "alice").weekdays == "56"


def test_changing_the_language_changes_the_next_reply(chat):
    alice = chat()
    onboard(alice)
    alice.command("/settings")
    alice.press("Language")
    alice.press("English")
    assert "From now on I will speak English with you." in alice.text
