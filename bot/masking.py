"""Secrets never appear in output or logs: what the coach prints or logs goes through ``mask``.

The secrets are the database URL's password, the Telegram bot token and webhook
secret, and the Matrix access token and password. Each settings class hands its
secrets to ``keep_secret`` as it is read, so whatever reads settings registers
them. ``mask`` then replaces every registered secret with ``***``, and so does
anything shaped like a secret that was never registered: the password of a URL
(``postgresql+psycopg://coach:***@db/coach``) and a Telegram bot token (in a
Bot API address, PTB's "The token ... was rejected").

The command line masks its messages (``CliError``, an exit message, a traceback
nobody caught) and every log line, its own and its libraries' (httpx logs each
Bot API address, token included).
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from types import TracebackType
from urllib.parse import unquote, urlsplit

MASK = "***"
# Shorter secrets would mask ordinary words in every message; the patterns below still catch them in URLs.
SHORTEST_SECRET = 4

_secrets: set[str] = set()
# scheme://user:PASSWORD@host: the password runs to the last '@' before the host.
_URL_PASSWORD = re.compile(r"(?P<before>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)[^\s/]*@")
# A Telegram bot token: the bot's number, a colon, 35 characters of base64url.
_TELEGRAM_TOKEN = re.compile(r"(?<![0-9])[0-9]{5,}:[A-Za-z0-9_-]{30,}")


def keep_secret(value: str | None) -> None:
    """Mask ``value`` wherever it appears from now on."""
    if value and len(value) >= SHORTEST_SECRET:
        _secrets.add(value)
        _secrets.add(unquote(value))  # as it is written in a URL, and as a driver reads it


def keep_url_secret(url: str | None) -> None:
    """Mask the password of ``url`` (a database URL) wherever it appears from now on."""
    if url:
        try:
            password = urlsplit(url).password
        except ValueError:  # not a URL urllib can split; the pattern in ``mask`` still applies
            return
        keep_secret(password)


def mask(text: str) -> str:
    """``text`` with every secret, registered or recognised by its shape, replaced by ``***``."""
    text = _URL_PASSWORD.sub(rf"\g<before>{MASK}@", text)
    text = _TELEGRAM_TOKEN.sub(MASK, text)
    for secret in sorted(_secrets, key=len, reverse=True):  # a secret inside a longer one goes last
        text = text.replace(secret, MASK)
    return text


class MaskingFormatter(logging.Formatter):
    """Formats a log record with ``inner`` (message, exception and stack), then masks the result."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self._inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return mask(self._inner.format(record))


def _masked_excepthook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    sys.stderr.write(mask("".join(traceback.format_exception(kind, error, trace))))


def mask_uncaught_errors() -> None:
    """Print an exception nobody caught with its secrets masked (Python prints arguments and URLs)."""
    sys.excepthook = _masked_excepthook
