"""Alembic environment: migrations run on the engine the app hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from storage import models  # noqa: F401 - registers every table on the metadata
from storage.base import Base
from storage.unit_of_work import make_engine

config = context.config
engine: Engine = config.attributes.get("engine") or make_engine(
    config.get_main_option("sqlalchemy.url") or ""
)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
