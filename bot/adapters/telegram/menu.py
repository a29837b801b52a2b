"""The command menu Telegram shows beside the text field, in each language.

Made from the commands' own declarations (``lessons.commands``): those with a menu line.
"""

from __future__ import annotations

from telegram import BotCommand

from lessons import flows
from lessons.i18n import _, use_locale


def commands_menu(language: str) -> list[BotCommand]:
    with use_locale(language):
        return [BotCommand(c.name, _(c.menu)) for c in flows.commands() if c.menu is not None]
