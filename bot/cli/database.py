"""Opening the database for a command, one way for all of them; and ``digicoach db upgrade``.

A database that cannot be opened is a ``CliError`` naming its URL, never a
traceback. The command line imports SQLAlchemy only here, when a command
opens the database.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.cli.errors import CliError
from bot.masking import mask
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.app import App
    from storage.unit_of_work import Store

CANNOT_OPEN = "cannot open the database"


@contextmanager
def _database_errors(url: str, failing: str) -> Iterator[None]:
    from sqlalchemy.exc import ArgumentError, OperationalError

    try:
        yield
    except (OperationalError, ArgumentError) as error:
        raise CliError(f"{failing} {url}: {error.args[0]}") from error
    except ValueError as error:  # SQLAlchemy reads the port of 'host:5432x' with int()
        raise CliError(f"{failing} {url}: the URL is not valid ({error})") from error


@contextmanager
def open_store(settings: Settings, failing: str = CANNOT_OPEN) -> Iterator[Store]:
    """The database, upgraded to the newest schema, for the ``with`` block; closed after it.

    Errors of the database while it is opened or used in the block become
    ``CliError('<failing> <url>: <why>')``.
    """
    from storage.unit_of_work import Store

    with _database_errors(settings.database_url, failing):
        store = Store(settings.database_url)
        try:
            store.upgrade()
            yield store
        finally:
            store.close()


@contextmanager
def open_app(settings: Settings) -> Iterator[App]:
    """The wired coach (lessons loaded, database upgraded) for the ``with`` block; closed after it.

    Only opening it can fail here; once it serves, each event's errors are the coach's to handle.
    """
    from bot.app import LibraryError, build
    from bot.speech import SpeechSettingsError

    try:
        with _database_errors(settings.database_url, CANNOT_OPEN):
            app = build(settings)
    except LibraryError as error:
        raise CliError(
            "the lessons have errors (listed above); fix them and try again", error.problems
        ) from error
    except SpeechSettingsError as error:
        raise CliError(str(error)) from error
    try:
        yield app
    finally:
        app.close()


def admin() -> str:
    """Who acts, for the audit log: the operating-system user running the command."""
    return f"cli:{getpass.getuser()}"


def upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings, failing="cannot upgrade"):
        pass  # opening the store is what upgrades it
    print(mask(f"database {settings.database_url} is up to date"))
    return 0
