"""Typed settings from the environment (``DIGICOACH_*``), overridden by CLI options."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lessons.loader import DEFAULT_REQUIRED_LANGUAGES, LIBRARY_DIR
from lessons.model import LANGUAGES


class Settings(BaseSettings):
    """Every setting has a default that works on a laptop with no configuration."""

    model_config = SettingsConfigDict(env_prefix="DIGICOACH_", extra="ignore")

    # SQLAlchemy URL: sqlite:///path.sqlite3 or postgresql+psycopg://user:pw@host/db.
    # Written out, not imported from storage, so that commands which never open
    # the database (lessons check) do not load SQLAlchemy; a test keeps them equal.
    database_url: str = "sqlite:///digicoach.sqlite3"
    # Lesson folders, separated like PATH (':' on Linux).
    lessons: str = str(LIBRARY_DIR)
    # Languages every lesson must have; lessons check reports a missing one as an error.
    required_languages: str = ",".join(DEFAULT_REQUIRED_LANGUAGES)
    log_level: str = "WARNING"
    # Where adapters keep state that is not in the database (Matrix's crypto store).
    data_dir: Path = Path("digicoach-data")

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
    def lesson_paths(self) -> list[Path]:
        return [Path(p) for p in self.lessons.split(os.pathsep) if p]

    @property
    def languages_required(self) -> tuple[str, ...]:
        return tuple(self._split(self.required_languages))
