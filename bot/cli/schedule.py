"""``digicoach schedule preview``: the admin's dry run of a day; who would get what, and why not."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from bot.cli.database import open_store
from bot.cli.errors import CliError
from bot.settings import Settings


def preview(args: argparse.Namespace, settings: Settings) -> int:
    from lessons import planning
    from lessons.loader import load_library

    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise CliError(f"'{args.date}' is not a date; write it as YYYY-MM-DD") from None
    loaded = load_library(settings.lesson_paths, settings.languages_required)
    if loaded.library is None:
        raise CliError("the lessons have errors; run 'digicoach lessons check'")
    with open_store(settings) as store:
        plan = planning.preview(store, loaded.library, settings.rhythm, day, datetime.now(UTC))
    invited = sum(p.at is not None for p in plan)
    print(f"{day:%A %d %B %Y}: {invited} of {len(plan)} learner(s) get an invitation")
    width = max((len(p.learner) for p in plan), default=0)
    for planned in sorted(plan, key=lambda p: (p.at is None, p.at or "", p.learner)):
        when = f"{planned.at} {planned.timezone}" if planned.at else "-"
        print(f"  {planned.learner:<{width}}  {planned.platform:<8}  {when:<22}  {planned.what}")
    return 0
