"""The statements of an answer's path, built once per shape; each use only binds its values.

Building a SQLAlchemy statement and working out its cache key costs several
times what SQLite takes to run it: a learner looked up by platform and user
id took 240 µs with the statement built for the call and 60 µs with one built
before (a busy 2-core machine; ``benchmarks/answer_path.py`` prints the whole
answer). A statement built once keeps its cache key, so SQLAlchemy finds its
compiled form at once. Parameters are named after their columns; what is set
by an UPDATE is named ``new_<column>`` (SQLAlchemy keeps a column's own name
for itself there).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    Delete,
    Executable,
    Insert,
    Select,
    Table,
    Update,
    bindparam,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

KEY = "key"  # the parameter naming a row by its primary key


@cache
def rows_where(table: Table, *columns: str) -> Select[Any]:
    """Every column of the rows whose named columns equal the parameters of the same names."""
    return select(table).where(*(table.c[name] == bindparam(name) for name in columns))


@cache
def row_by_key(table: Table) -> Select[Any]:
    """Every column of the row whose primary key is the parameter ``key``."""
    [key] = table.primary_key.columns
    return select(table).where(key == bindparam(KEY))


@cache
def change_by_key(table: Table, columns: tuple[str, ...]) -> Update:
    """Set the named columns (``new_<column>``) of the row ``key``; the row as it is then."""
    [key] = table.primary_key.columns
    values = {name: bindparam(f"new_{name}", type_=table.c[name].type) for name in columns}
    return update(table).where(key == bindparam(KEY)).values(values).returning(*table.columns)


def new_values(changes: dict[str, object]) -> dict[str, object]:
    """``changes`` as the parameters of ``change_by_key``."""
    return {f"new_{name}": value for name, value in changes.items()}


@cache
def insert_rows(table: Table, *returned: str, ordered: bool = True) -> Insert:
    """An INSERT of the rows given; ``returned`` of each, in the order given unless not ``ordered``."""
    statement = insert(table)
    if not returned:
        return statement
    return statement.returning(*(table.c[name] for name in returned), sort_by_parameter_order=ordered)


@cache
def insert_once(dialect: str, table: Table, *returned: str) -> Insert:
    """An INSERT that leaves out a row whose unique key exists already; ``returned`` of a row that went in."""
    statement: Insert
    if dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing()
    elif dialect == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing()
    else:
        raise NotImplementedError(f"the coach supports SQLite and PostgreSQL, not {dialect}")
    return statement.returning(*(table.c[name] for name in returned)) if returned else statement


@cache
def delete_keys(table: Table, *returned: str) -> Executable:
    """Delete the rows whose primary keys are in the list parameter ``keys``; ``returned`` of each."""
    [key] = table.primary_key.columns
    statement: Delete = delete(table).where(key.in_(bindparam("keys", expanding=True)))
    return statement.returning(*(table.c[name] for name in returned)) if returned else statement
