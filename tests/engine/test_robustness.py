"""Whatever arrives, the learner gets a friendly reply: never silence, never a traceback."""

from __future__ import annotations

from dataclasses import replace

from lessons import commands
from tests.support.flows import onboard


def test_an_unknown_command_points_to_help(chat):
    alice = chat()
    onboard(alice)
    alice.command("/frobnicate")
    assert "/help" in alice.text


def test_random_text_gets_a_friendly_reply(chat):
    alice = chat()
    onboard(alice)
    for text in ("hello?", "🙂", "x" * 5000, "'; DROP TABLE learners; --"):
        assert alice.say(text)
        assert "/help" in alice.text


def test_help_lists_every_command(chat):
    alice = chat()
    alice.command("/help")
    for command in ("/lesson", "/progress", "/settings", "/mydata", "/forget", "/start", "/help"):
        assert command in alice.text


def test_a_failure_inside_the_engine_becomes_an_apology_and_changes_nothing(chat, monkeypatch, store):
    alice = chat()
    onboard(alice)

    def broken(turn):
        turn.update_learner(weekdays="7")
        raise RuntimeError("disk on fire")

    progress = commands.find("progress")
    monkeypatch.setitem(
        commands._COMMANDS, "progress", replace(progress, run=lambda turn, _args: broken(turn))
    )
    replies = alice.command("/progress")
    assert len(replies) == 1
    assert "something went wrong on my side" in replies[0].text
    with store.transaction() as tx:
        assert tx.learners.find("memory", "alice").weekdays == "12345"
