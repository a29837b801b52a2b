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
from typing import Any, Literal

from bot.log_fields import IDS, one_line, timestamp
from bot.masking import MaskingFormatter

LogFormat = Literal["text", "json"]

# The ids of what is being handled right now, in this task or worker thread.
_event_id: ContextVar[str | None] = ContextVar("event_id", default=None)
_push_id: ContextVar[str | None] = ContextVar("push_id", default=None)


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
        return super().formatException(ei) if self._tracebacks else "  " + one_line(ei[1])


def formatter(log_format: LogFormat, level: str) -> logging.Formatter:
    """The masked formatter for ``DIGICOACH_LOG_FORMAT`` and ``DIGICOACH_LOG_LEVEL``."""
    # A learner at a terminal never sees a traceback; an operator asking for DEBUG does.
    tracebacks = level.upper() == "DEBUG"
    if log_format == "json":
        # Imported only when asked for: `lessons check` in admins' CI starts lean.
        from bot.json_logs import JsonLineFormatter

        inner: logging.Formatter = JsonLineFormatter(tracebacks)
    else:
        inner = TextFormatter(tracebacks)
    return MaskingFormatter(inner)


def setup(level: str, log_format: LogFormat = "text") -> None:
    """Every logger, the libraries' too, writes masked lines to standard error."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format, level))
    handler.addFilter(_WithIds())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
