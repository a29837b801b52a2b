"""Looking at the database as a whole, the way an auditor would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import inspect, text

from storage.unit_of_work import Store


def every_row(store: Store) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(table, row) for every row of every table."""
    with store.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                yield table, tuple(row)


def rows_naming(store: Store, *words: str) -> list[tuple[str, tuple[Any, ...]]]:
    """The rows in which any of ``words`` appears as a whole word."""
    wanted = set(words)
    return [(table, row) for table, row in every_row(store) if wanted & set(" ".join(map(str, row)).split())]
