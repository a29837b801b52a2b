"""Commands and buttons are declared once; /help, the menus and choice ids all come from the declarations."""

from __future__ import annotations

import typing

import pytest

from bot.adapters.matrix.convert import Incoming, convert
from bot.adapters.telegram.menu import commands_menu
from lessons import buttons, flows
from lessons.chat import Command
from lessons.flows.navigation import GoTo
from lessons.flows.session import NextCard
from lessons.i18n import _, use_locale
from lessons.questions import AnswerButton, TickButton

# The commands a learner has always been able to type: none may go missing.
KNOWN = {
    "start", "lesson", "progress", "check", "settings", "pause", "resume", "share",
    "whatmymanagersees", "digest", "rollout", "mydata", "forget", "help", "whatis",
}  # fmt: skip


def test_every_command_is_declared_once_with_a_translated_help_line():
    flows.load_all()
    declared = flows.commands()
    assert {c.name for c in declared} == KNOWN
    assert [c.place for c in declared] == sorted({c.place for c in declared})  # no two share a place
    for language in ("nl", "fr", "de"):
        with use_locale(language):
            assert all(_(c.help) != c.help for c in declared), language


def test_the_telegram_menu_is_the_commands_with_a_menu_line():
    assert [c.command for c in commands_menu("en")] == [c.name for c in flows.commands() if c.menu]


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_matrix_takes_every_bare_command_word(name):
    event = convert(Incoming("$e", "@a:x.org", "!room:x.org", body=name.upper()), (), {})
    assert isinstance(event, Command) and event.name == name


def test_every_button_kind_has_its_handler():
    flows.load_all()
    assert buttons.unhandled() == []


@pytest.mark.parametrize(
    "button",
    [NextCard(12, 3), AnswerButton(12, 3, "x"), TickButton(2**31 - 1, 999, 7), GoTo("progress")],
)
def test_a_button_reads_back_from_its_own_id(button):
    assert len(button.id.encode()) <= 64
    assert buttons.read(button.id) == button


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "nope:1",
        "next:1",  # a field missing
        "next:1:2:3",  # one too many
        "next:1:x",  # not a number
        "day:³",  # a digit, but not one a button writes
        "next:1:1234567890123",  # more digits than any id has
        "next:2147483648:0",  # one beyond PostgreSQL's 32-bit ids
        "next:0:0",  # row ids start at 1
        "day:8",  # a week has seven days
        "pause:367",  # the longest break is a year
        "tick:1:0:8",  # a question has at most eight options
        "go:elsewhere",  # not one of its places
        "forget:maybe",
        "ans:1:2:",  # an empty value
    ],
)
def test_anything_else_reads_as_no_button(forged):
    flows.load_all()
    assert buttons.read(forged) is None


def test_every_number_in_a_button_declares_its_range():
    flows.load_all()
    for name, kind in buttons.kinds().items():
        for field, hint in typing.get_type_hints(kind, include_extras=True).items():
            if hint is int or typing.get_args(hint)[:1] == (int,):
                ranges = [m for m in typing.get_args(hint)[1:] if isinstance(m, buttons.Within)]
                assert len(ranges) == 1, f"{name}.{field} is a number without a range"


def test_a_number_without_a_range_cannot_be_read():
    with pytest.raises(TypeError, match="needs its range"):
        buttons._value("1", int)
