"""The console adapter's pure parts: a typed line -> event, a reply -> text."""

from __future__ import annotations

from bot.adapters.console import Quit, convert, render, save
from lessons.chat import (
    Address,
    Choice,
    ChoiceSelected,
    Command,
    Document,
    Picture,
    Reply,
    Sender,
    TextMessage,
)

ME = Sender("console", "ann", "ann")
SHOWN = (Choice("next:1:0", "Next"), Choice("tick:1:0:1", "Raise hand", ticked=True))


def test_commands_keep_their_arguments():
    assert convert("/start abc123", ME, SHOWN) == Command(ME, "start", "abc123")
    assert convert("/LESSON", ME, SHOWN) == Command(ME, "lesson", "")


def test_quit_and_exit_end_the_chat():
    assert isinstance(convert("/quit", ME, SHOWN), Quit)
    assert isinstance(convert("/exit", ME, ()), Quit)


def test_a_number_or_a_label_picks_a_choice():
    assert convert("1", ME, SHOWN) == ChoiceSelected(ME, "next:1:0")
    assert convert(" next ", ME, SHOWN) == ChoiceSelected(ME, "next:1:0")
    assert convert("raise hand", ME, SHOWN) == ChoiceSelected(ME, "tick:1:0:1")


def test_other_text_and_out_of_range_numbers_are_text():
    assert convert("3", ME, SHOWN) == TextMessage(ME, "3")
    assert convert("10:15", ME, SHOWN) == TextMessage(ME, "10:15")
    assert convert("   ", ME, SHOWN) is None


def test_render_numbers_the_choices():
    reply = Reply(Address("console", "ann"), "Card text", "Title (1/2)", SHOWN)
    assert render(reply) == "» Title (1/2)\nCard text\n  [1] Next\n  [2] ☑ Raise hand"


def test_a_file_is_written_to_the_folder_under_its_own_name_and_its_path_printed(tmp_path):
    document = Document("../digicoach-mydata-2026-03-02.json", "application/json", b'{"lessons": []}')
    first, second = save(document, tmp_path), save(document, tmp_path)
    assert first == tmp_path / "digicoach-mydata-2026-03-02.json"  # never outside the folder
    assert second == tmp_path / "digicoach-mydata-2026-03-02-2.json"  # never over an earlier one
    assert first.read_bytes() == second.read_bytes() == b'{"lessons": []}'
    assert first.stat().st_mode & 0o077 == 0
    reply = Reply(Address("console", "ann"), "All of it is in the file.", "Your data", document=document)
    assert render(reply, first) == f"» Your data\nAll of it is in the file.\n[file: {first}]"


def test_a_picture_is_printed_with_its_alt_text_and_its_file():
    reply = Reply(Address("console", "ann"), "Look.", picture=Picture("/lib/mail.png", "A fake mail"))
    assert render(reply) == "Look.\n[picture: A fake mail – /lib/mail.png]"
