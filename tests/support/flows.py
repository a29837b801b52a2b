"""Steps many transcripts share."""

from __future__ import annotations

from bot.adapters.memory import MemoryChat


def onboard(chat: MemoryChat, language: str = "English", at: str = "09:30") -> None:
    """/start, pick a language, accept the notice, pick a time."""
    chat.command("/start")
    chat.press(language)
    chat.choose("ok:privacy")
    chat.press(at)


def read_cards(chat: MemoryChat) -> None:
    """Press Next until the quiz starts."""
    while chat.choices and chat.choices[0].id.startswith("next:"):
        chat.choose(chat.choices[0].id)


def finish_passwords_lesson(chat: MemoryChat) -> None:
    """Take the fixture library's first lesson and answer both questions right."""
    chat.command("/lesson")
    read_cards(chat)
    chat.press("coffee")
    chat.press("False")


def answer_anything(chat: MemoryChat) -> None:
    """Answer every question of the open quiz with its first option (a tick and Done, or a guess)."""
    while chat.choices and chat.choices[0].id.startswith(("ans:", "tick:")):
        if chat.choices[0].id.startswith("tick:"):
            chat.choose(chat.choices[0].id)
            chat.press("Done")
        elif chat.choices[0].id.endswith(":x"):
            chat.say("a guess")  # a typed answer
        else:
            chat.choose(chat.choices[0].id)
