"""What every log line holds besides its message, in either format: its time, the ids, a one-line error."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

# The ids a line names when it is about an event being handled, or stored replies being sent.
IDS = ("event_id", "push_id")


def timestamp(record: logging.LogRecord) -> str:
    """The record's time in UTC, to the millisecond: the same on every server, sortable as text."""
    return (
        datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def one_line(exception: BaseException | None) -> str:
    return f"({type(exception).__name__}: {exception})" if exception is not None else ""
