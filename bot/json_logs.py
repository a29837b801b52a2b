"""``DIGICOACH_LOG_FORMAT=json``: one JSON object a line (python-json-logger), for a log collector."""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from bot.log_fields import IDS, one_line, timestamp


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
        return logging.Formatter.formatException(self, ei) if self._tracebacks else one_line(ei[1])
