"""``digicoach backup`` and ``restore`` on each database: the same rows back, only into an empty place."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import MetaData, select

from bot.adapters.memory import MemoryChat
from bot.backup import BackupError, backup, restore
from lessons.engine import Coach
from storage.unit_of_work import Store
from tests.support.flows import onboard


def rows(url: str) -> dict[str, list[tuple]]:
    store = Store(url)
    try:
        meta = MetaData()
        meta.reflect(store.engine)
        with store.engine.connect() as connection:
            return {
                name: sorted((tuple(r) for r in connection.execute(select(table))), key=repr)
                for name, table in meta.tables.items()
            }
    finally:
        store.close()


def test_a_backup_restored_into_an_empty_place_holds_the_same_rows_and_files(
    store, fixture_library, clock, empty_database, tmp_path
):
    chat = MemoryChat(Coach(store, fixture_library, clock), "nele")
    onboard(chat)
    chat.command("/lesson")
    data = tmp_path / "data"
    (data / "matrix").mkdir(parents=True, mode=0o700)
    (data / "matrix" / "login.json").write_text(json.dumps({"device_id": "DEVICE"}))
    (data / "matrix" / "login.json").chmod(0o600)
    (data / "coach.pid").write_text("4242\n")  # a running coach's, not part of a backup
    (data / "speech" / "2a").mkdir(parents=True)  # cards read aloud: made again when asked
    (data / "speech" / "2a" / "2af1.ogg").write_bytes(b"OggS")

    made = backup(store.url, data, tmp_path / "backup")
    assert made.database == store.engine.dialect.name and made.data_files == 1
    restored_data = tmp_path / "restored"
    restore(tmp_path / "backup", empty_database, restored_data)

    assert rows(empty_database) == rows(store.url)
    assert (restored_data / "matrix" / "login.json").read_text() == '{"device_id": "DEVICE"}'
    assert (restored_data / "matrix" / "login.json").stat().st_mode & 0o777 == 0o600
    assert (restored_data / "matrix").stat().st_mode & 0o777 == 0o700
    assert not (restored_data / "coach.pid").exists()
    assert not (restored_data / "speech").exists()


def test_restore_puts_nothing_over_what_is_there(store, tmp_path):
    backup(store.url, tmp_path / "no-data-yet", tmp_path / "backup")
    with pytest.raises(BackupError, match=r"has tables: restore into a new, empty database|exists: restore"):
        restore(tmp_path / "backup", store.url, tmp_path / "data")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "anything").write_text("")
    with pytest.raises(BackupError, match="is not empty: restore into a new data folder"):
        restore(tmp_path / "backup", "sqlite:///" + str(tmp_path / "new.sqlite3"), tmp_path / "data")
    with pytest.raises(BackupError, match="is not empty: give a new folder for each backup"):
        backup(store.url, tmp_path / "data", tmp_path / "backup")
    with pytest.raises(BackupError, match="is not a finished digicoach backup"):
        restore(tmp_path / "data", store.url, tmp_path / "elsewhere")
