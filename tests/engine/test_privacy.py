"""/mydata shows everything kept; /forget erases it after confirmation."""

from __future__ import annotations

import json

from tests.support.database import every_row
from tests.support.flows import finish_passwords_lesson, onboard


def _lesson_with_answers(alice):
    onboard(alice)
    finish_passwords_lesson(alice)


def test_mydata_contains_settings_lessons_and_answers(chat):
    alice = chat()
    _lesson_with_answers(alice)
    alice.command("/mydata")
    document = json.loads(alice.text.split("\n", 2)[2])
    assert document["learner"]["platform_user_id"] == "alice"
    assert [d["lesson_id"] for d in document["lessons"]] == ["passwords"]
    assert {a["question_id"] for a in document["answers"]} == {"length", "reuse"}


def test_forget_asks_first_and_no_keeps_everything(chat):
    alice = chat()
    _lesson_with_answers(alice)
    alice.command("/forget")
    assert "cannot be undone" in alice.text
    alice.press("No, keep it")
    alice.command("/progress")
    assert "Lessons done: 1" in alice.text


def test_forget_leaves_no_row_that_names_the_learner(chat, store):
    alice, bob = chat("alice"), chat("bob")
    _lesson_with_answers(alice)
    _lesson_with_answers(bob)
    alice.command("/forget")
    alice.press("Yes, erase everything")
    assert "erased" in alice.text
    assert [row for _table, row in every_row(store) if "alice" in " ".join(map(str, row))] == []
    assert sum(table == "answers" for table, _row in every_row(store)) == 2
    alice.command("/start")
    assert "digital coach" in alice.text
