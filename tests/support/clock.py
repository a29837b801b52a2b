"""A clock the tests move by hand: no test ever sleeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass
class FakeClock:
    now: datetime = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Brussels

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
