"""Telegram: the coach as a Telegram bot (python-telegram-bot), on when TELEGRAM_BOT_TOKEN is set."""

from __future__ import annotations

from pydantic import ValidationError

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.settings import Settings


def configure(settings: Settings) -> TelegramAdapter | None:
    from bot.adapters.telegram.config import TelegramSettings

    try:
        config = TelegramSettings()
    except ValidationError as error:
        problem = error.errors()[0]
        raise SystemExit(
            f"digicoach: bad setting TELEGRAM_{str(problem['loc'][0]).upper()}: {problem['msg']}"
        ) from None
    if not config.bot_token:
        return None
    return TelegramAdapter(config)


__all__ = ["TelegramAdapter", "configure"]
