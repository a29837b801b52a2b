"""The Telegram adapter's settings, from ``TELEGRAM_*`` environment variables."""

from __future__ import annotations

import hashlib

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.masking import keep_secret

TELEGRAM_API = "https://api.telegram.org"


class TelegramSettings(BaseSettings):
    """Only the token is required; it turns the adapter on."""

    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", extra="ignore")

    # From @BotFather; unset or empty: `digicoach run` serves no Telegram bot.
    bot_token: str = ""
    # Telegram's own API, a self-hosted Bot API server, or the test emulator.
    api_base_url: str = TELEGRAM_API
    # Set to receive updates by webhook (a public https URL) instead of long polling.
    webhook_url: str = ""
    # Checked on every webhook call (header X-Telegram-Bot-Api-Secret-Token);
    # derived from the bot token when unset (``webhook_secret_or_derived``).
    webhook_secret: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,256}$")
    # Where the coach listens for webhook calls (behind your HTTPS reverse proxy).
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # Sending limits: Telegram allows about 30 messages a second overall, about 1 per chat.
    max_per_second: float = Field(default=30.0, gt=0)
    max_per_chat_per_second: float = Field(default=1.0, gt=0)
    # Seconds a getUpdates long poll waits for news.
    poll_timeout: int = Field(default=30, ge=0, le=50)

    @model_validator(mode="after")
    def _keep_secrets(self) -> TelegramSettings:
        keep_secret(self.bot_token)
        keep_secret(self.webhook_secret)
        return self

    @property
    def webhook_secret_or_derived(self) -> str:
        """The secret Telegram must send: the set one, else one derived from the token.

        Derived, not random per start: every coach process of one bot tells
        Telegram the same secret, so none of them refuses the others' calls.
        """
        if self.webhook_secret:
            return self.webhook_secret
        derived = hashlib.sha256(f"digicoach-webhook-secret:{self.bot_token}".encode()).hexdigest()
        keep_secret(derived)
        return derived

    @property
    def base_url(self) -> str:
        return self.api_base_url.rstrip("/")
