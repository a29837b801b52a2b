"""How the coach paces itself: what an organisation may tune about the daily rhythm."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from types import MappingProxyType

from lessons.public_holidays import Calendar


@dataclass(frozen=True)
class Rhythm:
    # Public holidays of this country (ISO code) and subdivision, from the `holidays` package.
    holiday_country: str = "BE"
    holiday_subdivision: str | None = None
    # After downtime, a day's invitation is still sent this long after its time; later, it is dropped.
    catch_up: timedelta = timedelta(hours=3)
    # Invitations for the same minute are spread over this window, per learner always the same offset.
    spread: timedelta = timedelta(minutes=10)
    snooze: timedelta = timedelta(hours=1)
    # A reply to something the learner did is still worth sending this long; later it is dropped.
    reply_lifetime: timedelta = timedelta(hours=1)
    # How often the coach checks who is due; the limits per tick below are sized for one minute.
    tick: timedelta = timedelta(minutes=1)
    # At ~30 messages/s (Telegram's limit per bot) one minute's tick sends at most this many.
    sends_per_tick: int = 1800
    # Review questions after the day's new lesson.
    review_questions: int = 3
    # FSRS desired retention per topic; others use default_retention.
    retention: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({"security": 0.95}))
    default_retention: float = 0.9
    # One friendly reminder when the day's lesson is left unfinished this long after the invitation.
    nudge_after: timedelta = timedelta(hours=3)
    nudges_per_week: int = 2
    working_hours: tuple[time, time] = (time(8, 0), time(18, 0))
    # After this many reminders in a row without reaction, ask once whether to slow down.
    ignored_nudges_before_asking: int = 3

    @property
    def calendar(self) -> Calendar:
        """The deployment's holidays, for learners who belong to no organisation."""
        return Calendar(self.holiday_country, self.holiday_subdivision)

    # Managers' weekly digest: ISO weekday (Monday = 1) and local time, in each manager's time zone.
    digest_weekday: int = 1
    digest_time: time = time(8, 0)
    # A digest renders a chart (~40 ms of CPU): at most this many per tick, made a few to a database
    # turn (``lessons.tick.DIGESTS_PER_TURN``), after the tick's lesson invitations.
    digests_per_tick: int = 60
    # A team (or organisation) with fewer members is never reported on its own.
    smallest_group: int = 5

    @property
    def sends_per_second(self) -> float | None:
        """The tick's own pace: ``sends_per_tick`` scheduled messages a tick, to every platform together.

        None when the tick has no length to share out (a setting of 0 seconds).
        """
        seconds = self.tick.total_seconds()
        return self.sends_per_tick / seconds if seconds > 0 else None

    def retention_for(self, topic: str) -> float:
        return self.retention.get(topic, self.default_retention)
