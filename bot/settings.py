"""Typed settings from the environment (``DIGICOACH_*``), overridden by CLI options."""

from __future__ import annotations

import os
from datetime import time, timedelta
from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.masking import keep_url_secret
from bot.speech import parse_piper_models
from lessons.loader import DEFAULT_REQUIRED_LANGUAGES, LIBRARY_DIR
from lessons.model import LANGUAGES, TOPICS
from lessons.public_holidays import check as check_holidays
from lessons.rhythm import Rhythm

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The rhythm's defaults are stated once, in Rhythm; the settings below start from them.
_RHYTHM = Rhythm()


def split_address(value: str) -> tuple[str, int]:
    """``127.0.0.1:9464`` or ``[::1]:9464`` as (host, port)."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"'{value}' is not HOST:PORT, like 127.0.0.1:9464")
    return host.strip("[]"), int(port)


class Settings(BaseSettings):
    """Every setting has a default that works on a laptop with no configuration."""

    model_config = SettingsConfigDict(env_prefix="DIGICOACH_", extra="ignore")

    # SQLAlchemy URL: sqlite:///path.sqlite3 or postgresql+psycopg://user:pw@host/db.
    # The only place that names the default database: Store takes its URL from here.
    database_url: str = "sqlite:///digicoach.sqlite3"
    # Lesson folders, separated like PATH (':' on Linux).
    lessons: str = str(LIBRARY_DIR)
    # Languages every lesson must have; lessons check reports a missing one as an error.
    required_languages: str = ",".join(DEFAULT_REQUIRED_LANGUAGES)
    log_level: str = "WARNING"
    # One line of text per log record, or one JSON object a line for a log collector.
    log_format: Literal["text", "json"] = "text"
    # Where `digicoach run` answers /healthz and /metrics (Prometheus); empty: nowhere.
    metrics_address: str = "127.0.0.1:9464"
    # Where adapters keep state that is not in the database (Matrix's crypto store), and
    # the sound of cards read aloud.
    data_dir: Path = Path("digicoach-data")
    # Offer "Read it aloud" under cards (with espeak-ng and opusenc installed); false: never.
    read_aloud: bool = True
    # Piper voices on this machine, by language: "nl=/srv/voices/nl_BE-nathalie-medium.onnx,fr=...".
    # A language without one is read by espeak-ng. Nothing is downloaded.
    piper_models: str | None = None

    # The daily rhythm: what each one does and its default are in lessons/rhythm.py.
    holiday_country: str = _RHYTHM.holiday_country
    holiday_subdivision: str | None = _RHYTHM.holiday_subdivision
    catch_up_hours: float = _RHYTHM.catch_up / timedelta(hours=1)
    spread_minutes: float = _RHYTHM.spread / timedelta(minutes=1)
    review_questions: int = _RHYTHM.review_questions
    tick_seconds: int = int(_RHYTHM.tick.total_seconds())
    reminder_after_hours: float = _RHYTHM.nudge_after / timedelta(hours=1)
    reminders_per_week: int = _RHYTHM.nudges_per_week
    # A reply not out this long after the learner's message (the platform was down) is dropped.
    reply_minutes: float = _RHYTHM.reply_lifetime / timedelta(minutes=1)
    # On SIGTERM or SIGINT, `digicoach run` sends what is waiting for up to this long, then stops.
    stop_seconds: float = 10.0
    # FSRS desired retention per topic, e.g. "security=0.95,strategy=0.85"; others use the default.
    retention: str = ",".join(f"{topic}={share:g}" for topic, share in _RHYTHM.retention.items())

    # Managers' weekly digest: the day (monday ... sunday) and local time it is sent.
    digest_day: str = WEEKDAYS[_RHYTHM.digest_weekday - 1]
    digest_time: time = _RHYTHM.digest_time
    # Teams (and organisations) with fewer members are never reported on their own.
    smallest_group: int = _RHYTHM.smallest_group

    @field_validator("digest_day")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value.strip().lower() not in WEEKDAYS:
            raise ValueError(f"'{value}' is not a day; use one of {', '.join(WEEKDAYS)}")
        return value.strip().lower()

    @field_validator("smallest_group")
    @classmethod
    def _at_least_two(cls, value: int) -> int:
        if value < 2:
            raise ValueError("must be 2 or more: a group of one is a person")
        return value

    @field_validator("retention")
    @classmethod
    def _retention(cls, value: str) -> str:
        cls._parse_retention(value)
        return value

    @staticmethod
    def _parse_retention(value: str) -> dict[str, float]:
        parsed: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in value.split(","))):
            topic, _sep, number = part.partition("=")
            if topic.strip() not in TOPICS:
                raise ValueError(f"unknown topic '{topic.strip()}'; use {', '.join(TOPICS)}")
            try:
                share = float(number)
            except ValueError:
                raise ValueError(f"'{part}' needs a number, like security=0.95") from None
            if not 0.7 <= share <= 0.99:
                raise ValueError(f"retention for {topic.strip()} must be between 0.7 and 0.99")
            parsed[topic.strip()] = share
        return parsed

    @field_validator("piper_models")
    @classmethod
    def _piper_models(cls, value: str | None) -> str | None:
        parse_piper_models(value or "")
        return value or None

    @property
    def piper_voices(self) -> dict[str, Path]:
        """``piper_models`` as {language: model file}."""
        return parse_piper_models(self.piper_models or "")

    @field_validator("metrics_address")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        if value.strip():
            split_address(value)
        return value.strip()

    @property
    def metrics_listen(self) -> tuple[str, int] | None:
        """Host and port for /healthz and /metrics, or None when they are off."""
        return split_address(self.metrics_address) if self.metrics_address else None

    @field_validator("holiday_subdivision")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _keep_secrets(self) -> Settings:
        keep_url_secret(self.database_url)
        return self

    @model_validator(mode="after")
    def _known_holidays(self) -> Settings:
        check_holidays(self.holiday_country, self.holiday_subdivision)
        return self

    @field_validator("reply_minutes", "stop_seconds")
    @classmethod
    def _not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("must be 0 or more")
        return value

    @field_validator("review_questions", "tick_seconds", "reminders_per_week")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must be 0 or more")
        return value

    @field_validator("required_languages")
    @classmethod
    def _known_languages(cls, value: str) -> str:
        unknown = [code for code in cls._split(value) if code not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language(s) {', '.join(unknown)}; use {', '.join(LANGUAGES)}")
        return value

    @staticmethod
    def _split(value: str) -> list[str]:
        return [part.strip() for part in value.split(",") if part.strip()]

    @property
    def rhythm(self) -> Rhythm:
        return Rhythm(
            holiday_country=self.holiday_country,
            holiday_subdivision=self.holiday_subdivision,
            catch_up=timedelta(hours=self.catch_up_hours),
            spread=timedelta(minutes=self.spread_minutes),
            review_questions=self.review_questions,
            tick=timedelta(seconds=self.tick_seconds),
            nudge_after=timedelta(hours=self.reminder_after_hours),
            nudges_per_week=self.reminders_per_week,
            reply_lifetime=timedelta(minutes=self.reply_minutes),
            retention=self._parse_retention(self.retention),
            digest_weekday=WEEKDAYS.index(self.digest_day) + 1,
            digest_time=self.digest_time,
            smallest_group=self.smallest_group,
        )

    @property
    def lesson_paths(self) -> list[Path]:
        return [Path(p) for p in self.lessons.split(os.pathsep) if p]

    @property
    def languages_required(self) -> tuple[str, ...]:
        return tuple(self._split(self.required_languages))
