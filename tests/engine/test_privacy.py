"""/mydata shows everything kept; /forget erases it after confirmation."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import event, inspect
from sqlalchemy.engine import make_url

from bot.adapters.memory import MemoryChat
from lessons.chat import Command
from lessons.digest_chart import charts_for
from lessons.flows.privacy import IN_PLAIN_WORDS
from lessons.loader import load_library
from lessons.model import LANGUAGES
from storage.base import Base
from storage.personal_data import NOT_PERSONAL, PERSONAL_TABLES
from tests.support.database import every_row, rows_naming
from tests.support.flows import answer_anything, finish_passwords_lesson, onboard, read_cards
from tests.support.history import give_history
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
    """The file /mydata sends, read as JSON."""
    [document] = [r.document for r in chat.last if r.document is not None]
    assert document.mimetype == "application/json"
    return json.loads(document.data)


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


# --- /mydata as a file --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_lessons():
    library = load_library(required_languages=LANGUAGES).library
    assert library is not None
    return sorted(library.lessons.values(), key=lambda lesson: lesson.id)


def test_mydata_says_it_in_plain_words_and_gives_everything_as_a_json_file(chat, clock):
    alice = chat()
    _lesson_with_answers(alice)
    [reply] = alice.command("/mydata")
    name = f"digicoach-mydata-{clock.now.date().isoformat()}.json"
    assert reply.title == "Your data"
    assert reply.text.startswith("This is everything I keep about you:\n• ")
    assert reply.text.endswith(
        f"All of it, in full, is in the file {name}: JSON, a text format that any text editor can open."
    )
    assert "{" not in reply.text
    assert reply.document is not None and reply.document.filename == name
    assert _document(alice)["learner"]["platform_user_id"] == "alice"


def test_mydata_after_48_lessons_is_a_file_of_hundreds_of_kilobytes_and_a_short_message(
    chat, store, shipped_lessons
):
    alice = chat()
    onboard(alice)
    with store.transaction() as tx:
        learner_id = tx.learners.find("memory", "alice").id
    give_history(store, learner_id, shipped_lessons[:48])
    [reply] = alice.command("/mydata")
    document = _document(alice)
    assert len(document["lessons"]) == 48
    assert len(document["answers"]) == sum(len(lesson.quiz) for lesson in shipped_lessons[:48])
    assert len(reply.document.data) > 100_000  # more than a Matrix event may carry, by far
    assert "• 48 lessons and reviews you started." in reply.text
    assert len(reply.text) < 1024  # a Telegram caption


def test_mydata_names_a_file_still_waiting_to_be_sent_but_does_not_copy_it(coach, chat):
    alice = chat()
    _lesson_with_answers(alice)
    # Twice, while the chat app takes nothing: the first file is still in the outbox.
    [first] = coach.handle(Command(alice.sender, "mydata", "", "unsent-1"))
    [second] = coach.handle(Command(alice.sender, "mydata", "", "unsent-2"))
    waiting = json.loads(second.reply.document.data)["messages_waiting"]
    [content] = [row["content"] for row in waiting if "file" in row["content"]]
    assert content["file"] == {
        "name": first.reply.document.filename,
        "bytes": len(first.reply.document.data),
    }
    assert content["text"] == first.reply.text
    assert len(second.reply.document.data) < 2 * len(first.reply.document.data)
    # What the outbox kept of the first is the file itself, whole.
    assert coach.waiting("memory")[0].reply.document == first.reply.document


# --- erasure down to the bytes --------------------------------------------------------------------

USER = "u-7731-zz"
NAME = "Georgette Vandenbroucke-Xq"
TYPED = "Zwartberg-Quokka-91"


def _secure_delete_off(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA secure_delete = OFF")


def _forms(word: str) -> list[bytes]:
    """``word`` as UTF-8, and as it shows inside base64 (a file in the reply outbox) at each alignment."""
    raw = word.encode()
    forms = [raw]
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw)
        # Only the characters made of the word's bits alone, not of its neighbours'.
        forms.append(encoded[-(-offset * 8 // 6) : (offset + len(raw)) * 8 // 6])
    return forms


def _traces(path, *words: str) -> dict[str, list[str]]:
    """Which of ``words`` each file of the SQLite database (the file, its write-ahead log) holds."""
    found = {}
    for file in (path, path.with_name(path.name + "-wal")):
        data = file.read_bytes() if file.exists() else b""
        found[file.name] = [word for word in words if any(form in data for form in _forms(word))]
    return found


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_after_forget_neither_the_database_file_nor_its_wal_holds_a_byte_of_the_person(
    coach, store, clock, chat
):
    """A byte scan, as someone with the disk would look: not only rows, deleted ones too."""
    path = Path(make_url(store.url).database)
    # As on an SQLite built with secure_delete off by default (Debian builds it on): the coach
    # must turn it on itself. This runs first on every new connection, before the coach's own set-up.
    event.listen(store.engine, "connect", _secure_delete_off, insert=True)
    store.engine.dispose()
    georgette = MemoryChat(coach, USER, "en", display_name=NAME)
    words = (USER, georgette.sender.chat_id, NAME, TYPED)
    onboard(georgette)
    finish_passwords_lesson(georgette)
    clock.advance(days=1)
    georgette.command("/lesson")  # the meetings lesson, whose second question is typed
    read_cards(georgette)
    georgette.choose(georgette.choices[0].id)
    georgette.press("Done")
    georgette.say(TYPED)  # a wrong typed answer, stored as it was typed
    georgette.say(TYPED)  # not understood: quoted back in a reply
    georgette.command("/mydata")
    bob = chat("bob")
    _lesson_with_answers(bob)
    with store.transaction() as tx:
        assert TYPED in [a.response for a in tx.answers.all_for(tx.learners.find("memory", USER).id)]
    assert _traces(path, *words)[path.name + "-wal"] == list(words)  # the scan sees them

    georgette.command("/forget")
    georgette.press("Yes, erase everything")  # the goodbye is sent: the chat took every reply

    assert _traces(path, *words) == {path.name: [], path.name + "-wal": []}
    assert rows_naming(store, *words) == []
    assert sum(table == "answers" for table, _row in every_row(store)) == 2  # bob's stay
