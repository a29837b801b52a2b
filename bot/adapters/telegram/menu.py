"""The command menu Telegram shows beside the text field, in each language."""

from __future__ import annotations

from telegram import BotCommand

from lessons.i18n import _, use_locale


def commands(language: str) -> list[BotCommand]:
    with use_locale(language):
        return [
            BotCommand("lesson", _("Today's lesson")),
            BotCommand("progress", _("Your progress")),
            BotCommand("settings", _("Language, lesson time and days")),
            BotCommand("help", _("What I can do")),
            BotCommand("whatmymanagersees", _("What your manager sees about you")),
            BotCommand("share", _("Show your name to your manager, or not")),
            BotCommand("mydata", _("Everything I keep about you")),
            BotCommand("forget", _("Erase everything I keep about you")),
            BotCommand("start", _("Start again from the beginning")),
        ]
