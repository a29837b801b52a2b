"""``digicoach schedule preview``: the admin's dry run of a day; who would get what, and why not.

Under the list, how long sending the day's invitations takes at the platforms'
limits, per lesson time, and what to do when that is too long.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.cli.database import open_store
from bot.cli.errors import CliError
from bot.settings import Settings
from lessons.rhythm import Rhythm
from lessons.sending_forecast import Batch


class Limit(NamedTuple):
    per_second: float
    why: str  # where the figure comes from, for the admin

    def __str__(self) -> str:
        figure = "none of its own" if math.isinf(self.per_second) else f"{self.per_second:g} a second"
        return f"{figure} ({self.why})"


def preview(args: argparse.Namespace, settings: Settings) -> int:
    from lessons import planning
    from lessons.loader import load_library
    from lessons.sending_forecast import forecast

    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise CliError(f"'{args.date}' is not a date; write it as YYYY-MM-DD") from None
    limits = _sending_limits()
    loaded = load_library(settings.lesson_paths, settings.languages_required)
    if loaded.library is None:
        raise CliError("the lessons have errors; run 'digicoach lessons check'")
    with open_store(settings) as store:
        plan = planning.preview(store, loaded.library, settings.rhythm, day, datetime.now(UTC))
    invitations = [i for p in plan if (i := p.invitation) is not None]
    print(f"{day:%A %d %B %Y}: {len(invitations):,} of {len(plan):,} learner(s) get an invitation")
    if not args.summary:
        width = max((len(p.learner) for p in plan), default=0)
        for planned in sorted(plan, key=lambda p: (p.at is None, p.at or "", p.learner)):
            when = f"{planned.at} {planned.timezone}" if planned.at else "-"
            print(f"  {planned.learner:<{width}}  {planned.platform:<8}  {when:<22}  {planned.what}")
    if invitations:
        rhythm = settings.rhythm
        per_second = {platform: limit.per_second for platform, limit in limits.items()}
        batches = forecast(invitations, per_second, rhythm.catch_up, rhythm.sends_per_second)
        # Most deployments live in one time zone: the forecast speaks in the commonest one.
        zone = Counter(p.timezone for p in plan if p.invitation is not None).most_common(1)[0][0]
        _print_forecast(batches, limits, rhythm, ZoneInfo(zone))
    return 0


def _sending_limits() -> dict[str, Limit]:
    """Messages a second each platform takes from the coach."""
    from pydantic import ValidationError

    from bot.adapters import matrix
    from bot.adapters.telegram.config import TelegramSettings

    try:
        telegram = TelegramSettings().max_per_second
    except ValidationError as error:
        problem = error.errors()[0]
        raise CliError(f"bad setting TELEGRAM_{str(problem['loc'][0]).upper()}: {problem['msg']}") from None
    return {
        "telegram": Limit(telegram, "TELEGRAM_MAX_PER_SECOND"),
        "matrix": Limit(
            matrix.MAX_PER_SECOND,
            "the homeserver lifts it for the bot: README, 'Matrix', step 2; "
            "Synapse's default would be 0.2 a second",
        ),
    }


def _print_forecast(
    batches: Sequence[Batch], limits: dict[str, Limit], rhythm: Rhythm, zone: ZoneInfo
) -> None:
    print()
    print(f"Sending at the limits below, if nothing else is sent meanwhile (times in {zone.key}):")
    width = max(len(f"{b.invitations:,}") for b in batches)
    for batch in batches:
        print(
            f"  {_clock(batch.lesson_time, zone, '%H:%M')}  {batch.platform:<8}  "
            f"{batch.invitations:>{width},} invitation(s)  last out {_last_out(batch, zone)}"
        )
    platforms = {batch.platform for batch in batches}
    print(f"Limits: {_limits_in_words({p: limits[p] for p in limits if p in platforms}, rhythm)}.")
    trouble = False
    for batch in batches:
        when = f"{_clock(batch.lesson_time, zone, '%H:%M')} {batch.platform}"
        if batch.dropped:
            trouble = True
            print(
                f"warning: {when}: {batch.dropped:,} of {batch.invitations:,} invitations would go out "
                f"more than {_duration(rhythm.catch_up)} after their time (DIGICOACH_CATCH_UP_HOURS): "
                "the coach drops those, and their learners get no lesson that day"
            )
        elif batch.slow:
            trouble = True
            print(
                f"note: {when}: the last invitations go out {_duration(batch.last_waits)} after the "
                "lesson time; learners expect the lesson at their time"
            )
    if trouble:
        print(
            "To send them sooner: spread the lesson times (fewer learners at the same time). Raise a "
            "limit only where the platform allows it: Telegram lets a bot send about 30 messages a "
            "second in all (TELEGRAM_MAX_PER_SECOND); on Matrix the homeserver's admin lifts the "
            "bot's limit (README, 'Matrix', step 2); and no platform sends faster than the tick "
            "hands over."
        )


def _limits_in_words(limits: dict[str, Limit], rhythm: Rhythm) -> str:
    words = [f"{platform} {limit}" for platform, limit in limits.items()]
    if rhythm.sends_per_second is not None:
        words.append(
            f"the tick {rhythm.sends_per_second:g} a second for all platforms together "
            f"({rhythm.sends_per_tick:,} a tick, DIGICOACH_TICK_SECONDS {rhythm.tick.total_seconds():g})"
        )
    return "; ".join(words)


def _last_out(batch: Batch, zone: ZoneInfo) -> str:
    out = _clock(batch.last_out, zone, "%H:%M:%S")
    days = (batch.last_out.astimezone(zone).date() - batch.lesson_time.astimezone(zone).date()).days
    return f"{out} (+{days} day{'s' if days > 1 else ''})" if days else out


def _clock(instant: datetime, zone: ZoneInfo, pattern: str) -> str:
    return instant.astimezone(zone).strftime(pattern)


def _duration(span: timedelta) -> str:
    """``3 h``, ``1 h 5 min``, ``55 min``, ``40 s``: rounded down to what a person reads."""
    seconds = int(span.total_seconds())
    hours, minutes = divmod(seconds // 60, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{seconds} s"
