"""How long a day's lesson invitations take to send at the platforms' limits, and who gets theirs too late.

A queue simulation over the day. Each invitation waits for two things, first
come, first served in the order they fall due, as the coach sends them:

1. the tick, which hands at most ``Rhythm.sends_per_tick`` scheduled messages
   a tick to all platforms together (``shared_limit``, messages a second,
   taken as a steady pace);
2. its platform, which takes so many messages a second (``limits``).

An invitation still waiting from an earlier lesson time delays the next
ones. A platform's limit delays only its own invitations; the tick's pace is
shared by all. It is the best case: the replies to learners who start their
lesson meanwhile share the same limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

# Learners expect the lesson at the time they chose; the spread window
# (DIGICOACH_SPREAD_MINUTES, 10 by default) already moves it a little. An
# invitation later than this after the lesson time is worth a note.
PATIENCE = timedelta(minutes=15)


@dataclass(frozen=True)
class Invitation:
    platform: str
    lesson_time: datetime  # the learner's lesson time that day: invitations are grouped by it
    due: datetime  # from when the tick sends it: the lesson time plus the learner's spread offset


@dataclass(frozen=True)
class Batch:
    """The invitations of one lesson time on one platform, and when the last of them goes out."""

    platform: str
    lesson_time: datetime
    invitations: int
    last_out: datetime
    # Sent more than the catch-up window after their due time: the coach drops these instead.
    dropped: int

    @property
    def last_waits(self) -> timedelta:
        """How long after the lesson time the last learner of the batch gets the invitation."""
        return self.last_out - self.lesson_time

    @property
    def slow(self) -> bool:
        """The last invitation comes noticeably later than the lesson time (``PATIENCE``)."""
        return self.last_waits > PATIENCE


def forecast(
    invitations: Iterable[Invitation],
    limits: Mapping[str, float],
    catch_up: timedelta,
    shared_limit: float | None = None,
) -> list[Batch]:
    """Batches by lesson time, then platform, each with when its last invitation goes out.

    ``limits``: messages a second per platform; a platform that is not in it
    has no limit of its own. ``shared_limit``: messages a second to all
    platforms together (the tick's pace), or None. An invitation counted as
    dropped still takes its turn, so ``dropped`` is at most what the coach drops.
    """
    queue = sorted(invitations, key=lambda i: i.due)  # stable: equal times keep their order
    if not queue:
        return []
    # Seconds since the first due time: small numbers, so adding up many small gaps stays exact.
    start = queue[0].due
    shared_free = 0.0
    platform_free: dict[str, float] = {}
    tallies: dict[tuple[datetime, str], _Tally] = {}
    for invitation in queue:
        due = (invitation.due - start).total_seconds()
        handed_over = max(due, shared_free)
        shared_free = handed_over + _gap(shared_limit)
        out = max(handed_over, platform_free.get(invitation.platform, 0.0))
        platform_free[invitation.platform] = out + _gap(limits.get(invitation.platform))
        tally = tallies.setdefault((invitation.lesson_time, invitation.platform), _Tally())
        tally.invitations += 1
        tally.last_out = out  # each platform sends in queue order: the latest seen is the last out
        if out - due > catch_up.total_seconds():
            tally.dropped += 1
    return [
        Batch(platform, lesson_time, t.invitations, start + timedelta(seconds=t.last_out), t.dropped)
        for (lesson_time, platform), t in sorted(tallies.items())
    ]


@dataclass
class _Tally:
    invitations: int = 0
    last_out: float = 0.0
    dropped: int = 0


def _gap(per_second: float | None) -> float:
    """Seconds between two messages at a limit; none without one."""
    return 1 / per_second if per_second else 0.0
