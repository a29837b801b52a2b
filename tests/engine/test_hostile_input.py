"""Careless and hostile input from a chat: a kind answer, never the internal-error apology.

Every test runs on SQLite and on PostgreSQL: PostgreSQL refuses what SQLite
lets through (NUL in text, a number beyond 32 bits, a name longer than its
column), so that is where a missing bound shows.
"""

from __future__ import annotations

import pytest

from lessons.chat import Command, Sender, TextMessage
from lessons.inbound import MAX_NAME
from storage.models import MAX_RESPONSE
from tests.support.flows import finish_passwords_lesson, onboard, read_cards

NOT_VALID = "That button does not work (anymore). Type /lesson to continue where you left off."
APOLOGY = "Sorry, something went wrong on my side"


@pytest.mark.parametrize(
    "choice_id",
    [
        "day:³",  # a superscript digit: str.isdigit() says yes, int() says no
        "day:0",
        "day:8",
        "day:3000000",
        "pause:3000000",
        "pause:367",  # a day longer than the longest break
        "next:99999999999:0",  # beyond PostgreSQL's 32-bit row ids
        "snooze:999999999999",
        "ans:99999999999:0:1",
        "tick:1:0:8",  # a question has at most 8 options
        "next:1:1000",
    ],
)
def test_a_mangled_button_is_not_valid_and_changes_nothing(chat, store, choice_id):
    alice = chat()
    onboard(alice)
    with store.transaction() as tx:
        before = tx.learners.find("memory", "alice")
    assert alice.choose(choice_id)
    assert alice.text == NOT_VALID
    with store.transaction() as tx:
        assert tx.learners.find("memory", "alice") == before
        assert tx.pauses.all_for(before.id) == []


# --- text from a platform -------------------------------------------------------------------------


def _learner(store, user="alice"):
    with store.transaction() as tx:
        return tx.learners.find("memory", user)


def _first_words(coach, name: str, user: str = "carl") -> list[str]:
    sender = Sender("memory", user, f"chat-{user}", name, "en")
    return [o.reply.text for o in coach.handle(Command(sender, "start", "", f"{user}-1"))]


def test_a_display_name_too_long_for_the_database_is_shortened(coach, store):
    texts = _first_words(coach, "Georgette " * 40)
    assert texts[0].startswith("Hello! I am your digital coach.")
    name = _learner(store, "carl").display_name
    assert name.startswith("Georgette Georgette") and name.endswith("…")
    assert len(name) == MAX_NAME


def test_control_characters_and_direction_overrides_leave_a_display_name(coach, store):
    texts = _first_words(coach, " Sa\x00ïd\u202e\n Benali\ud800 ")
    assert texts[0].startswith("Hello! I am your digital coach.")
    assert _learner(store, "carl").display_name == "Saïd Benali"


def test_a_name_of_nothing_but_control_characters_is_no_name(coach, store):
    _first_words(coach, "\x00\x01\u202e")
    assert _learner(store, "carl").display_name is None


def test_nul_in_an_invite_code_is_an_invalid_code(chat):
    alice = chat()
    alice.command("/start AB\x00CD")
    assert "This invite code is not valid." in alice.text


@pytest.mark.parametrize(
    ("typed", "verdict"),
    [("mu\x00te", "✅ Right!"), ("mute\ud800", "✅ Right!"), ("x" * 5_000, "❌ Not quite."), ("\x00", "")],
)
def test_a_typed_answer_is_cleaned_before_it_is_graded_and_stored(chat, store, typed, verdict):
    alice = chat()
    onboard(alice)
    finish_passwords_lesson(alice)
    alice.press("One more lesson")
    read_cards(alice)
    alice.press("Mute")
    alice.press("Done")
    assert "Type your answer." in alice.text
    alice.say(typed)
    assert APOLOGY not in alice.text
    assert verdict in alice.text
    with store.transaction() as tx:
        for answer in tx.answers.all_for(_learner(store).id):
            assert "\x00" not in answer.response and len(answer.response) <= MAX_RESPONSE


def test_random_bytes_as_text_get_a_friendly_reply(chat):
    alice = chat()
    onboard(alice)
    for text in ("\x00\x00", "\ud800", "a\x1b[31mred", "\u202e" * 10_000):
        alice.say(text)
        assert APOLOGY not in alice.text and "/help" in alice.text


def test_an_event_whose_ids_no_platform_could_send_is_dropped(coach, store):
    sender = Sender("memory", "u" * 300, "chat", "Mallory", "en")
    assert coach.handle(TextMessage(sender, "hello", "e-1")) == []
    assert coach.handle(TextMessage(Sender("memory", "u", "chat\x00", None, "en"), "hello", "e-2")) == []
    assert coach.handle(TextMessage(Sender("memory", "u", "chat", None, "en"), "hello", "e" * 300)) == []
    with store.transaction() as tx:
        assert tx.learners.find("memory", "u") is None
