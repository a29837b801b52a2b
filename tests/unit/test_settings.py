"""The settings start from the rhythm's defaults, and the README's table says what they are."""

from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path

import pytest

from bot.settings import Settings
from lessons.rhythm import Rhythm

ROOT = Path(__file__).parents[2]


@pytest.fixture
def no_settings(monkeypatch):
    """An environment that sets nothing, so every setting is its default."""
    for name in [name for name in os.environ if name.startswith("DIGICOACH_")]:
        monkeypatch.delenv(name)


def test_without_settings_the_coach_keeps_the_rhythms_defaults(no_settings):
    assert Settings().rhythm == Rhythm()


def test_a_setting_changes_only_its_own_part_of_the_rhythm(no_settings, monkeypatch):
    monkeypatch.setenv("DIGICOACH_CATCH_UP_HOURS", "1.5")
    monkeypatch.setenv("DIGICOACH_DIGEST_DAY", "Friday")
    rhythm = Settings().rhythm
    assert (rhythm.catch_up.total_seconds(), rhythm.digest_weekday) == (5400, 5)
    assert rhythm.spread == Rhythm().spread


def _readme_defaults() -> dict[str, str | None]:
    """``DIGICOACH_*`` variable -> the first `value` in its default column (None: no value)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(DIGICOACH_[A-Z_]+)` \| (.*?) \|", readme, re.M)
    return {name: next(iter(re.findall(r"`([^`]*)`", default)), None) for name, default in rows}


def _as_written(default: object) -> str | None:
    if default is None:
        return None
    if isinstance(default, bool):
        return str(default).lower()  # as an environment variable is written
    if isinstance(default, float):
        return f"{default:g}"
    if isinstance(default, time):
        return f"{default:%H:%M}"
    if isinstance(default, str) and Path(default).is_absolute():
        return Path(default).relative_to(ROOT).as_posix()  # the shipped library, wherever installed
    return str(default)


def test_the_readme_names_every_setting_with_its_default():
    written = _readme_defaults()
    assert sorted(written) == sorted(f"DIGICOACH_{name.upper()}" for name in Settings.model_fields)
    for name, field in Settings.model_fields.items():
        assert written[f"DIGICOACH_{name.upper()}"] == _as_written(field.default), name


def test_every_process_of_one_bot_derives_the_same_webhook_secret_unless_one_is_set(monkeypatch):
    """Several coach processes behind one webhook URL: a random secret per start would make each
    process refuse the calls Telegram makes with the secret another process set last."""
    from bot.adapters.telegram.config import TelegramSettings

    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    one, two = TelegramSettings(bot_token="1:abc"), TelegramSettings(bot_token="1:abc")
    assert one.webhook_secret_or_derived == two.webhook_secret_or_derived
    assert one.webhook_secret_or_derived != TelegramSettings(bot_token="2:xyz").webhook_secret_or_derived
    assert "abc" not in one.webhook_secret_or_derived
    assert TelegramSettings(bot_token="1:abc", webhook_secret="mine").webhook_secret_or_derived == "mine"
