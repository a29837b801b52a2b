"""/mydata shows everything kept; /forget erases it after confirmation."""

from __future__ import annotations

import json

from sqlalchemy import inspect

from lessons.digest_chart import charts_for
from lessons.flows.privacy import IN_PLAIN_WORDS
from storage.base import Base
from storage.personal_data import NOT_PERSONAL, PERSONAL_TABLES
from tests.support.database import every_row
from tests.support.flows import answer_anything, finish_passwords_lesson, onboard, read_cards
from tests.support.organisation import Region
from tests.support.ticks import local, tick

STALE_ERASE = (
    "That question is no longer open, so nothing was erased. "
    "Type /forget if you still want me to erase your data."
)


def _lesson_with_answers(alice):
    onboard(alice)
    finish_passwords_lesson(alice)


def _document(chat) -> dict:
    """The JSON part of /mydata."""
    return json.loads(chat.text[chat.text.index("{") :])


def test_mydata_contains_settings_lessons_and_answers(chat):
    alice = chat()
    _lesson_with_answers(alice)
    alice.command("/mydata")
    document = _document(alice)
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


def test_mydata_includes_scheduled_messages_and_review_cards(chat, coach, clock):
    """Regression: after one lesson, the invitation and the questions planned for review were left out."""
    alice = chat()
    onboard(alice)
    clock.now = local(2026, 3, 2, 9, 45)
    assert tick(coach, clock.now)  # the day's invitation
    finish_passwords_lesson(alice)
    alice.command("/mydata")
    document = _document(alice)
    assert [(m["kind"], m["status"]) for m in document["scheduled_messages"]] == [("lesson", "sent")]
    assert {c["question_id"] for c in document["review_cards"]} == {"length", "reuse"}
    assert "2 questions I will ask you again later" in alice.text
    assert "1 message I sent you on my own" in alice.text


def test_every_table_is_in_the_registry_of_personal_data_or_says_why_not(store):
    tables = set(inspect(store.engine).get_table_names())
    personal = {t.name for t in PERSONAL_TABLES}
    assert personal.isdisjoint(NOT_PERSONAL)
    assert tables == personal | set(NOT_PERSONAL)
    # A table with a column pointing at a learner is personal data by definition.
    for table in Base.metadata.sorted_tables:
        if any(fk.column.table.name == "learners" for fk in table.foreign_keys):
            assert table.name in personal, table.name


def test_mydata_shows_and_forget_erases_every_kind_of_personal_data(chat, coach, clock, store, tmp_path):
    """A manager with a lesson, a check, a break, an invitation and a digest: every kind there is."""
    manager = Region.build(store, clock, chat)["manager_a"]
    with store.transaction() as tx:  # the fixture library has no placement check: its result, as stored
        learner_id = tx.learners.find("memory", manager.user).id
        tx.placements.add(learner_id, [("security", 2, 2, "intermediate")], clock.now)
    manager.command("/digest")  # draws a chart for them
    clock.now = local(2026, 3, 3, 9, 45)
    assert tick(coach, clock.now)  # the day's invitation
    manager.command("/lesson")
    read_cards(manager)
    answer_anything(manager)
    manager.command("/pause 3")
    clock.now = local(2026, 3, 9, 8, 5)
    assert coach.deliver_due(clock.now)  # Monday's digest, stored; the platform has not taken it yet
    manager.command("/mydata")
    document = _document(manager)
    for key in [t.key for t in PERSONAL_TABLES] + ["digest_charts"]:
        assert document[key], f"/mydata shows nothing under {key!r}"
    assert set(IN_PLAIN_WORDS) == set(document)
    charts = charts_for(tmp_path / "charts", learner_id)
    assert charts
    manager.command("/forget")
    manager.press("Yes, erase everything")
    with store.transaction() as tx:
        assert all(not rows for rows in tx.personal.of(learner_id).values())
    assert not any(path.exists() for path in charts)


def _still_there(chat) -> bool:
    chat.command("/progress")
    return "Lessons done: 1" in chat.text


def test_an_erase_button_pressed_a_week_after_no_does_nothing_and_says_so(chat, clock):
    """The audit's case: 'No, keep it', then the old message's 'Yes' a week later erased the account."""
    alice = chat()
    _lesson_with_answers(alice)
    alice.command("/forget")
    yes = alice.find("Yes, erase everything")
    alice.press("No, keep it")
    assert "Nothing was erased." in alice.text
    clock.advance(days=7)
    alice.choose(yes.id)
    assert alice.text == STALE_ERASE
    assert _still_there(alice)


def test_an_erase_question_is_answered_once(chat):
    alice = chat()
    _lesson_with_answers(alice)
    alice.command("/forget")
    yes = alice.find("Yes, erase everything")
    alice.press("No, keep it")
    alice.choose(yes.id)  # the same message, a moment later
    assert alice.text == STALE_ERASE
    assert _still_there(alice)


def test_an_erase_question_expires_after_ten_minutes(chat, clock):
    alice = chat()
    _lesson_with_answers(alice)
    alice.command("/forget")
    clock.advance(minutes=10, seconds=1)
    alice.press("Yes, erase everything")
    assert alice.text == STALE_ERASE
    assert _still_there(alice)


def test_only_the_latest_erase_question_counts(chat, clock):
    alice = chat()
    _lesson_with_answers(alice)
    alice.command("/forget")
    first = alice.find("Yes, erase everything")
    clock.advance(minutes=1)
    alice.command("/forget")
    alice.choose(first.id)
    assert alice.text == STALE_ERASE
    alice.command("/forget")
    clock.advance(minutes=9, seconds=59)
    alice.press("Yes, erase everything")
    assert "Everything I kept about you is erased." in alice.text


def test_the_erase_button_of_old_names_no_question(chat):
    alice = chat()
    _lesson_with_answers(alice)
    alice.choose("forget:yes")
    assert "That button does not work" in alice.text
    assert _still_there(alice)
