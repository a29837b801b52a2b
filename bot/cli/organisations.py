"""``digicoach org``: make the database match an organisation file, and show what it holds."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.database import admin, open_store
from bot.settings import Settings

if TYPE_CHECKING:
    from lessons.rollout import OrganisationRollout, RolloutLine


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


def show(args: argparse.Namespace, settings: Settings) -> int:
    from storage.states import RoleName

    with open_store(settings) as store, store.transaction() as tx:
        organisations = tx.organisations.all()
        if not organisations:
            print("no organisations yet: write an org.yaml and run 'digicoach org apply org.yaml'")
        if args.rollout:
            from datetime import UTC, datetime

            from lessons import rollout

            smallest = settings.smallest_group
            print(
                rollout_table(rollout.of_organisations(tx, organisations, datetime.now(UTC), smallest)),
                end="",
            )
            if organisations:
                print(ROLLOUT_KEY.format(smallest=smallest), file=sys.stderr)
            return 0
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


ROLLOUT_KEY = (
    "codes: member invite codes made; used: at least once; unused: still valid; expired, revoked: never "
    "used. members: joined; onboarded: finished onboarding; 1st lesson: finished a lesson. A person in "
    "two teams counts once in 'all teams'. '-': as in the digests, a group under {smallest} members "
    "(DIGICOACH_SMALLEST_GROUP) is not shown on its own, only in 'all teams'."
)
# The rollout view's columns: heading, and the figure of a line under it.
_COLUMNS: tuple[tuple[str, Callable[[RolloutLine], object]], ...] = (
    ("codes", lambda line: line.made),
    ("used", lambda line: line.used),
    ("unused", lambda line: line.unused),
    ("expired", lambda line: line.expired),
    ("revoked", lambda line: line.revoked),
    ("members", lambda line: line.people.members),
    ("onboarded", lambda line: line.people.onboarded if line.shown else "-"),
    ("1st lesson", lambda line: line.people.first_lesson if line.shown else "-"),
)


def rollout_table(found: list[OrganisationRollout]) -> str:
    """Per organisation a table: a line per team, then the organisation as a whole."""
    width = max([len(t.slug) for o in found for t in o.teams] + [len("all teams")])
    tables = []
    for organisation in found:
        lines = [
            f"{organisation.total.slug}: {organisation.total.name}",
            f"  {'team':<{width}}"
            + "".join(f"  {heading:>{max(len(heading), 5)}}" for heading, _f in _COLUMNS),
        ]
        for line in (*organisation.teams, replace(organisation.total, slug="all teams")):
            lines.append(
                f"  {line.slug:<{width}}"
                + "".join(f"  {figure(line):>{max(len(heading), 5)}}" for heading, figure in _COLUMNS)
            )
        tables.append("\n".join(lines) + "\n")
    return "\n".join(tables)
