"""The Alembic chain is linear, builds an empty database, and matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from storage.base import Base
from storage.migrate import alembic_config
from storage.unit_of_work import Store


def test_the_chain_has_one_base_and_one_head():
    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_bases()) == 1
    assert len(scripts.get_heads()) == 1


def test_upgrade_builds_every_table_on_an_empty_database(empty_database):
    store = Store(empty_database)
    store.upgrade()
    tables = set(inspect(store.engine).get_table_names())
    assert {"learners", "deliveries", "answers", "handled_events", "alembic_version"} <= tables
    store.upgrade()  # a second upgrade is a no-op, as on every restart
    store.close()


def test_a_url_with_a_percent_encoded_character_upgrades(empty_database):
    """Where a URL most often has one: a password with '@' in it, a file name with '%'."""
    url = make_url(empty_database)
    if url.get_backend_name() == "sqlite":
        assert url.database
        url = url.set(database=url.database.replace(".sqlite3", "-100%.sqlite3"))
    else:
        url = url.set(password="p@ss%")  # the test server trusts local connections: any password works
    rendered = url.render_as_string(hide_password=False)
    assert "%" in rendered
    store = Store(rendered)
    store.upgrade()
    assert "learners" in inspect(store.engine).get_table_names()
    store.close()


def test_the_migrations_match_the_models(store):
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
