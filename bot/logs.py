"""Log lines an operator can search: always a timestamp, as text or one JSON object a line, with ids.

``DIGICOACH_LOG_FORMAT=json`` writes each line as a JSON object
(python-json-logger); the default is one line of text. Either way every line
starts with its time and is masked (``bot.masking``), and a line written
while the coach handles an event or sends a stored reply carries that
event's id (``event_id``) or the reply's (``push_id``): set here as context
variables by the app and the courier, they reach the engine's lines too,
which run in a worker thread that copies the context. So one learner's
message can be followed from its arrival to each reply it caused going out.

Ids are all a line says about a person at ``INFO``: never a message's text.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

from bot.masking import MaskingFormatter

LogFormat = Literal["text", "json"]

# The ids of what is being handled right now, in this task or worker thread.
_event_id: ContextVar[str | None] = ContextVar("event_id", default=None)
_push_id: ContextVar[str | None] = ContextVar("push_id", default=None)
IDS = ("event_id", "push_id")


@contextmanager
def handling(event_id: str | None) -> Iterator[None]:
    """Every line logged in the block names this event."""
    token = _event_id.set(event_id)
    try:
        yield
    finally:
        _event_id.reset(token)


@contextmanager
def sending(push_ids: str) -> Iterator[None]:
    """Every line logged in the block names these stored replies (``'12'`` or ``'12,13'``)."""
    token = _push_id.set(push_ids)
    try:
        yield
    finally:
        _push_id.reset(token)


class _WithIds(logging.Filter):
    """Puts the ids of the context on the record, unless the line gave its own (``extra=``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, variable in (("event_id", _event_id), ("push_id", _push_id)):
            if getattr(record, name, None) is None:
                setattr(record, name, variable.get())
        return True


def timestamp(record: logging.LogRecord) -> str:
    """The record's time in UTC, to the millisecond: the same on every server, sortable as text."""
    return (
        datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _one_line(exception: BaseException | None) -> str:
    return f"({type(exception).__name__}: {exception})" if exception is not None else ""


class TextFormatter(logging.Formatter):
    """``<time> <LEVEL> <logger>: <message> [event=... push=...]``; below DEBUG an error is one line."""

    def __init__(self, tracebacks: bool) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self._tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(
            f"{name.split('_')[0]}={value}" for name in IDS if (value := getattr(record, name, None))
        )
        line = f"{timestamp(record)} {super().format(record)}{f' [{ids}]' if ids else ''}"
        return line

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's API name
        return super().formatException(ei) if self._tracebacks else "  " + _one_line(ei[1])


class JsonLineFormatter(JsonFormatter):
    """One JSON object a line: time, level, logger, message, the ids, and ``error`` if any."""

    def __init__(self, tracebacks: bool) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
        self._tracebacks = tracebacks

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["time"] = timestamp(record)
        super().add_fields(log_data, record, message_dict)
        for name in IDS:
            value = getattr(record, name, None)
            if value is not None:
                log_data[name] = value
            else:
                log_data.pop(name, None)

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's API name
        return logging.Formatter.formatException(self, ei) if self._tracebacks else _one_line(ei[1])


def formatter(log_format: LogFormat, level: str) -> logging.Formatter:
    """The masked formatter for ``DIGICOACH_LOG_FORMAT`` and ``DIGICOACH_LOG_LEVEL``."""
    # A learner at a terminal never sees a traceback; an operator asking for DEBUG does.
    tracebacks = level.upper() == "DEBUG"
    inner = JsonLineFormatter(tracebacks) if log_format == "json" else TextFormatter(tracebacks)
    return MaskingFormatter(inner)


def setup(level: str, log_format: LogFormat = "text") -> None:
    """Every logger, the libraries' too, writes masked lines to standard error."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format, level))
    handler.addFilter(_WithIds())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
