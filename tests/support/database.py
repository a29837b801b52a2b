"""Looking at the database as a whole, the way an auditor would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, inspect, text

from storage.unit_of_work import Store


def every_row(store: Store) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(table, row) for every row of every table."""
    with store.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                yield table, tuple(row)


@contextmanager
def counting(store: Store) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block, in order."""
    statements: list[str] = []

    def count(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def rows_naming(store: Store, *words: str) -> list[tuple[str, tuple[Any, ...]]]:
    """The rows in which any of ``words`` appears as a whole word."""
    wanted = set(words)
    return [(table, row) for table, row in every_row(store) if wanted & set(" ".join(map(str, row)).split())]
