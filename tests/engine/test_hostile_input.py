"""Careless and hostile input from a chat: a kind answer, never the internal-error apology.

Every test runs on SQLite and on PostgreSQL: PostgreSQL refuses what SQLite
lets through (NUL in text, a number beyond 32 bits, a name longer than its
column), so that is where a missing bound shows.
"""

from __future__ import annotations

import pytest

from tests.support.flows import onboard

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
