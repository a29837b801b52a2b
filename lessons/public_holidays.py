"""Public holidays, from the `holidays` package, named in the learner's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays


@cache
def _calendar(country: str, subdivision: str | None, language: str | None) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays(country, subdiv=subdivision, language=language)
    except (NotImplementedError, ValueError, KeyError):
        if language is None:
            raise
        return holidays.country_holidays(country, subdiv=subdivision)


def check(country: str, subdivision: str | None) -> None:
    """Raise ValueError with a clear message if the country or subdivision is unknown."""
    try:
        _calendar(country, subdivision, None)
    except NotImplementedError as error:
        # The holidays package names what it does not know (country or subdivision).
        raise ValueError(f"public holidays: {error}") from error


def holiday(day: date, country: str, subdivision: str | None, language: str | None = None) -> str | None:
    """The holiday's name if ``day`` is a public holiday, else None."""
    name = _calendar(country, subdivision, language).get(day)
    return str(name) if name else None


@dataclass(frozen=True)
class Calendar:
    """Whose public holidays count: a deployment's, or an organisation's own."""

    country: str
    subdivision: str | None = None

    def holiday(self, day: date, language: str | None = None) -> str | None:
        return holiday(day, self.country, self.subdivision, language)
