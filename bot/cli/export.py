"""``digicoach export progress``: an organisation's weekly figures for HR, under the digests' rules."""

from __future__ import annotations

import argparse
import sys

from bot.cli.database import admin, open_store
from bot.cli.errors import CliError
from bot.settings import Settings


def progress(args: argparse.Namespace, settings: Settings) -> int:
    import csv
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from tqdm import tqdm

    from lessons.progress_export import COLUMNS, members_today, rows

    if args.weeks < 1:
        raise CliError("--weeks must be 1 or more")
    with open_store(settings) as store:
        output = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
        try:
            with store.transaction() as tx:
                organisation = tx.organisations.by_slug(args.org)
                if organisation is None:
                    raise CliError(f"no organisation '{args.org}'; check 'digicoach org show'")
                today = (
                    args.until + timedelta(days=1)
                    if args.until
                    else datetime.now(UTC).astimezone(ZoneInfo(organisation.timezone)).date()
                )
                writer = csv.DictWriter(output, fieldnames=COLUMNS)
                writer.writeheader()
                # The bar shows on a terminal only (tqdm turns itself off when stderr is not one).
                with tqdm(total=args.weeks, unit="week", desc=f"exporting {args.org}", disable=None) as bar:
                    count = 0
                    for row in rows(tx, organisation, args.weeks, today, settings.rhythm, bar.update):
                        writer.writerow(row)
                        count += 1
                tx.audit.add(admin(), "export progress", datetime.now(UTC), organisation=args.org,
                             weeks=args.weeks, rows=count)  # fmt: skip
                members = members_today(tx, organisation, today)
        finally:
            if output is not sys.stdout:
                output.close()
    where = f" to {args.output}" if args.output else ""
    print(f"{count} row(s) for {args.weeks} week(s){where}", file=sys.stderr)
    smallest = settings.smallest_group
    if members < smallest:
        # Only a header otherwise, and an HR officer would not know why.
        print(
            f"{args.org} has {members} member(s) today, fewer than {smallest} (DIGICOACH_SMALLEST_GROUP): "
            "a group that small is never reported, so that nobody in it can be recognised",
            file=sys.stderr,
        )
    return 0
