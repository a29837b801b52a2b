"""``digicoach org``: make the database match an organisation file, and show what it holds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.database import admin, open_store
from bot.settings import Settings


class _DryRun(Exception):  # noqa: N818 - not an error: it undoes what a dry run planned
    """Raised inside the transaction so that a dry run rolls back what it planned."""


def apply(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from lessons import organisation_file

    spec = organisation_file.load(Path(args.file))
    if isinstance(spec, list):
        for problem in spec:
            print(problem)
        return 1
    changes = []
    with open_store(settings) as store:
        try:
            with store.transaction() as tx:
                changes = organisation_file.apply(tx, spec, admin(), datetime.now(UTC))
                if args.dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    for change in changes:
        print(change)
    verb = "would change" if args.dry_run else "changed"
    print(f"{len(changes)} {verb}" if changes else "nothing to change", file=sys.stderr)
    return 0


def show(_args: argparse.Namespace, settings: Settings) -> int:
    from storage.states import RoleName

    with open_store(settings) as store, store.transaction() as tx:
        organisations = tx.organisations.all()
        if not organisations:
            print("no organisations yet: write an org.yaml and run 'digicoach org apply org.yaml'")
        for organisation in organisations:
            state = " (archived)" if organisation.archived else ""
            region = f", region {organisation.region}" if organisation.region else ""
            print(
                f"{organisation.slug}{state}: {organisation.name} - {organisation.country}"
                f"{'-' + organisation.subdivision if organisation.subdivision else ''}, "
                f"{organisation.timezone}, {organisation.language}{region}"
            )
            for team in tx.teams.of(organisation.id):
                members = tx.roles.members(team.id)
                managers = sum(r.role is RoleName.MANAGER for r in members)
                print(
                    f"  {organisation.slug}/{team.slug}{' (archived)' if team.archived else ''}: "
                    f"{team.name} - {len(members) - managers} member(s), {managers} manager(s)"
                )
    return 0
