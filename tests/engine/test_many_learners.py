"""Random conversations of several learners at once: never the internal-error apology, never another's data.

Hypothesis draws what each of three learners does next: press one of their
buttons, press one of another learner's buttons, press a forged one, type a
command or text (hostile characters, thousands of them, their own name), let
hours or days pass, or let the scheduler's tick run. After every step, every
reply must be free of the internal-error apology, go to the chat of the
learner it is about, and name no other learner. Each example has a new
database (a copy of one migrated once), so examples stay independent.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.memory import MemoryChat
from lessons import flows
from lessons.chat import Reply
from lessons.engine import Coach
from lessons.lesson_library import Library
from storage.unit_of_work import Store
from tests.support.clock import FakeClock
from tests.support.databases import Databases

APOLOGY = "Sorry, something went wrong on my side"
NAMES = ("ann", "bob", "cas")

_examples = itertools.count()

flows.load_all()
COMMANDS = [c.name for c in flows.commands()] + ["frobnicate"]

# Any character at all: controls, surrogates, direction overrides, emoji.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
HOSTILE_TEXT = st.one_of(
    ANY_TEXT,
    st.sampled_from(["09:30", "7", "mute", "true", "no", "yes", "I don't know", "\x00", "\u202e", ""]),
    st.builds(
        lambda piece, times: piece * times, st.sampled_from(["x", "é", "😀", "\x00"]), st.integers(1, 6000)
    ),
)
FORGED_ID = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=70),
    st.builds(
        lambda kind, numbers: ":".join([kind, *numbers]),
        st.sampled_from(["next", "ans", "tick", "done", "day", "pause", "forget", "snooze", "skip", "time"]),
        st.lists(
            st.one_of(st.integers(-5, 2**40).map(str), st.sampled_from(["yes", "x", "³", "", "1e3"])),
            max_size=3,
        ),
    ),
)


def _check(replies: list[Reply], chat: MemoryChat, chats: dict[str, MemoryChat]) -> None:
    for reply in replies:
        shown = " ".join([reply.title or "", reply.text, *(c.label for c in reply.choices)])
        assert APOLOGY not in shown, f"{chat.user} got the apology"
        assert reply.to == chat.sender.address
        for other in chats.values():
            if other is not chat:
                assert other.user not in shown, f"{other.user}'s data in a reply to {chat.user}"


@settings(
    max_examples=15,
    deadline=None,
    # Each example makes its own database from the fixture that makes them.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_random_conversations_get_no_apology_and_show_nobody_else_s_data(
    data: st.DataObject, databases: Databases, fixture_library: Library, tmp_path: Path
) -> None:
    url = databases.migrated()
    store = Store(url)
    clock = FakeClock()
    try:
        _converse(data, Coach(store, fixture_library, clock, charts=tmp_path / "charts"), clock)
    finally:
        store.close()
        databases.drop(url)


def _converse(data: st.DataObject, coach: Coach, clock: FakeClock) -> None:
    example = next(_examples)
    chats = {}
    for name in NAMES:
        user = f"learner-{name}-{example:04d}"
        language = data.draw(st.sampled_from([None, "en", "nl", "fr", "de"]), label="app language")
        # The platform's name for them: their id (so that it can be recognised), and anything around it.
        before, after = data.draw(st.tuples(HOSTILE_TEXT, HOSTILE_TEXT), label="name")
        chats[name] = MemoryChat(coach, user, language, display_name=f"{before}{user}{after}")
    for _step in range(data.draw(st.integers(1, 40), label="steps")):
        chat = chats[data.draw(st.sampled_from(NAMES), label="who")]
        action = data.draw(
            st.sampled_from(
                ["press", "press", "press", "press another's", "forge", "command", "type", "wait", "tick"]
            ),
            label="does",
        )
        if action == "press" and chat.choices:
            chat.choose(data.draw(st.sampled_from(chat.choices)).id)
        elif action == "press another's":
            others = [c for other in chats.values() if other is not chat for c in other.choices]
            chat.choose(data.draw(st.sampled_from(others)).id if others else "next:1:0")
        elif action == "forge":
            chat.choose(data.draw(FORGED_ID))
        elif action == "command" or (action == "press" and not chat.choices):
            name = data.draw(st.sampled_from(COMMANDS))
            chat.command(f"/{name} {data.draw(st.one_of(st.just(''), HOSTILE_TEXT))}".rstrip(" "))
        elif action == "type":
            chat.say(data.draw(st.one_of(HOSTILE_TEXT, st.just(chat.user))))
        elif action == "wait":
            clock.advance(minutes=data.draw(st.integers(1, 3 * 24 * 60)))
            continue
        else:
            due = [stored.reply for stored in coach.deliver_due(clock.now)]
            assert {r.to for r in due} <= {c.sender.address for c in chats.values()}
            for each in chats.values():
                _check([r for r in due if r.to == each.sender.address], each, chats)
            continue
        _check(chat.last, chat, chats)
