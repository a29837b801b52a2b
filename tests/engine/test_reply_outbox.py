"""A decided reply is stored with what caused it, and stays stored until the platform took it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from lessons import commands
from lessons.chat import ChoiceSelected, Command, Sender
from lessons.engine import Coach
from storage.states import ReplyStatus
from tests.support.flows import onboard
from tests.support.ticks import local

ALICE = Sender("memory", "alice", "chat-alice", "Alice", "en")


def _texts(coach: Coach) -> list[str]:
    return [o.reply.text for o in coach.waiting("memory")]


def test_replies_are_stored_with_the_event_and_leave_once_the_platform_took_them(coach, clock):
    outgoing = coach.handle(Command(ALICE, "start", "", "e1"))
    assert outgoing and all(o.reply.to.chat_id == "chat-alice" for o in outgoing)
    # Stored in the same transaction: a crash now still leaves them to send at the next start.
    assert [o.id for o in coach.waiting("memory")] == [o.id for o in outgoing]
    assert all(o.expires_at == clock.now + timedelta(hours=1) for o in outgoing)
    coach.sent([o.id for o in outgoing])
    assert coach.waiting("memory") == []


def test_an_event_sent_again_adds_no_reply_and_keeps_the_first_ones(coach):
    first = coach.handle(Command(ALICE, "start", "", "e1"))
    assert coach.handle(Command(ALICE, "start", "", "e1")) == []
    assert [o.id for o in coach.waiting("memory")] == [o.id for o in first]


def test_a_failing_event_stores_only_the_apology(coach, monkeypatch):
    coach.sent([o.id for o in coach.handle(Command(ALICE, "start", "", "e1"))])

    def broken(turn, _args: str = "") -> None:
        turn.say("half an answer")
        raise RuntimeError("a bug")

    monkeypatch.setitem(commands._COMMANDS, "help", dataclasses.replace(commands.find("help"), run=broken))
    [apology] = coach.handle(Command(ALICE, "help", "", "e2"))
    assert "Sorry, something went wrong on my side" in apology.reply.text
    assert _texts(coach) == [apology.reply.text]  # not the half answer: that transaction rolled back


def test_after_forget_the_goodbye_is_owed_to_nobody_on_record(chat, coach, store):
    alice = chat()
    onboard(alice)
    coach.handle(Command(ALICE, "progress", "", "waiting"))  # a reply the platform has not taken yet
    alice.command("/forget")
    coach.handle(ChoiceSelected(ALICE, alice.find("Yes, erase everything").id, "erase"))
    with store.transaction() as tx:
        [goodbye] = tx.replies.waiting("memory", 10, datetime.now(UTC))
    assert goodbye.learner_id is None
    assert "erased" in goodbye.content
    assert goodbye.status is ReplyStatus.PENDING


def test_a_scheduled_invitation_is_worth_sending_until_the_catch_up_window_ends(chat, coach, clock):
    onboard(chat())
    clock.now = local(2026, 3, 2, 9, 45)
    [invitation] = coach.deliver_due(clock.now)
    assert invitation.expires_at - coach.rhythm.catch_up <= clock.now
    assert invitation.expires_at > clock.now + timedelta(hours=2)
    assert [o.id for o in coach.waiting("memory")] == [invitation.id]
