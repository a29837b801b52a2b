"""What several commands share on their command line: ``--db``, and the settings options override."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from pydantic import ValidationError

from bot.cli.errors import CliError
from bot.settings import Settings


def settings(args: argparse.Namespace) -> Settings:
    """The environment's settings, with the command's ``--db`` and ``--lessons`` on top."""
    overrides = {}
    if getattr(args, "db", None):
        overrides["database_url"] = args.db
    if getattr(args, "lessons", None):
        overrides["lessons"] = args.lessons
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = "; ".join(
            (f"DIGICOACH_{str(e['loc'][0]).upper()}: " if e["loc"] else "")
            + e["msg"].removeprefix("Value error, ")
            for e in error.errors()
        )
        raise CliError(f"bad setting: {problems}") from error


def add_database_option(command: argparse.ArgumentParser) -> None:
    default = Settings.model_fields["database_url"].default
    command.add_argument(
        "--db", metavar="URL", help=f"database URL (default: DIGICOACH_DATABASE_URL or {default})"
    )


def one_of(words: Sequence[str]) -> str:
    """``nl, en, fr or de``: a list of choices as a sentence says it."""
    return f"{', '.join(words[:-1])} or {words[-1]}" if len(words) > 1 else "".join(words)
