"""Translations and locale-aware formatting for everything a person reads.

Catalogs are read from ``locales/<lang>/LC_MESSAGES/messages.po`` and compiled
in memory, so there is no build step and no binary file to keep in sync. The
current locale lives in a ContextVar: each handled event sets its learner's
language without touching any other event's.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, time
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

from lessons.model import DEFAULT_LANGUAGE, LANGUAGES
from locales import catalog_path

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LANGUAGE)
# Dates, times and numbers follow Belgian conventions; English readers here
# expect 09:30 and 1 March, not 9:30 AM and March 1.
FORMAT_LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "de": "de_BE", "en": "en_GB"}


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language``; English text where none exists."""
    path = catalog_path(language)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def supported(language: str | None) -> str | None:
    """``language`` (or its base, 'nl' for 'nl-BE') if the coach speaks it."""
    if not language:
        return None
    base = language.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


@contextmanager
def use_locale(language: str) -> Iterator[None]:
    token = _current.set(supported(language) or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> str:
    return _current.get()


def format_locale() -> str:
    """The babel locale used to format dates, times and numbers right now."""
    return FORMAT_LOCALES.get(current(), current())


def _(message: str, **values: Any) -> str:
    """Translate ``message`` into the current locale and fill in ``{name}`` values."""
    text = translations(current()).gettext(message)
    return text.format(**values) if values else text


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for it
    """Mark ``message`` for translation where it is declared; ``_`` translates it where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    text = translations(current()).ngettext(singular, plural, n)
    return text.format(n=n, **values)


def language_name(code: str) -> str:
    """The language's own name for itself, as babel knows it: 'Nederlands', 'Français'."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def percent(fraction: float) -> str:
    return format_percent(fraction, locale=format_locale())


def number(value: int) -> str:
    """A whole number as the reader writes it: 120.000 in Dutch, 120,000 in English."""
    return format_decimal(value, locale=format_locale())


def short_time(value: time) -> str:
    return format_time(value, format="short", locale=format_locale())


def long_date(value: date) -> str:
    return format_date(value, format="long", locale=format_locale())
