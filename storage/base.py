"""Declarative base and the column types every model shares."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import DateTime, Dialect, MetaData, String
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

S = TypeVar("S", bound=StrEnum)

# Named constraints so Alembic's batch mode can alter SQLite tables and the
# same migration runs on PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    SQLite has no time zone type; storing naive UTC and re-attaching UTC on the
    way out keeps comparisons right on SQLite and PostgreSQL alike.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class StateColumn(TypeDecorator[S]):
    """A named state (see ``storage.states``) stored as its string.

    Writing a string that names no state raises, so a typo can never reach the
    database; reading gives the enum member back.
    """

    impl = String
    cache_ok = True

    def __init__(self, states: type[S], length: int) -> None:
        super().__init__(length)
        self.states = states

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, self.states):
            # Already a state: no lookup by value (the tick writes 100,000 rows at once).
            return value.value
        return self.states(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> S | None:
        if value is None:
            return None
        return self.states(value)
