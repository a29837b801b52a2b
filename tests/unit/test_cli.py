"""What every command shares: a function of bot/cli runs it; a database it cannot open is one line."""

from __future__ import annotations

import argparse

import pytest

from bot.cli import command, main, parser
from tests.conftest import FIXTURES

OPENING_THE_DATABASE = [
    ["chat"],
    ["schedule", "preview", "--date", "2026-04-06"],
    ["schedule", "preview", "--summary"],
    ["org", "show"],
    ["org", "apply", str(FIXTURES / "org" / "westhoek.yaml")],
    ["invite", "create", "--team", "poperinge/ict"],
    ["invite", "revoke", "AAAAAAAAAAAAAAAA"],
    ["export", "progress", "--org", "poperinge"],
]
# A folder that does not exist, and a kind of database SQLAlchemy does not know.
UNOPENABLE = ["sqlite:////no/such/folder/coach.sqlite3", "nonsense://"]


def _commands(top: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers of the commands themselves (``lessons check``), not of their groups (``lessons``)."""
    groups = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    return [leaf for group in groups for sub in group.choices.values() for leaf in _commands(sub)] or [top]


def test_every_command_names_a_function_that_runs_it():
    commands = _commands(parser())
    assert len(commands) == 20
    for each in commands:
        assert callable(command(each.get_default("handler"))), each.prog


@pytest.fixture
def small_library(monkeypatch):
    monkeypatch.setenv("DIGICOACH_LESSONS", str(FIXTURES / "library"))


@pytest.mark.parametrize("url", UNOPENABLE)
@pytest.mark.parametrize("args", OPENING_THE_DATABASE, ids=" ".join)
def test_a_database_that_cannot_be_opened_is_one_line_and_exit_2(args, url, small_library, capsys):
    assert main([*args, "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"digicoach: cannot open the database {url}: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("url", UNOPENABLE)
def test_db_upgrade_says_what_it_cannot_upgrade(url, capsys):
    assert main(["db", "upgrade", "--db", url]) == 2
    assert capsys.readouterr().err.startswith(f"digicoach: cannot upgrade {url}: ")


def test_matrix_verify_without_a_bot_account_says_what_to_set(monkeypatch, capsys):
    for name in ("MATRIX_HOMESERVER", "MATRIX_USER_ID"):
        monkeypatch.delenv(name, raising=False)
    assert main(["matrix", "verify"]) == 2
    assert capsys.readouterr().err == (
        "digicoach: set MATRIX_HOMESERVER and MATRIX_USER_ID to the bot account (see README, 'Matrix')\n"
    )
