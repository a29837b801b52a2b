"""The rollout view: per team, what became of its invite codes and how far its members got.

Counts only, never a name: codes made, used (at least once), unused (still
valid), expired and revoked (both never used); then members, members who
finished onboarding and members who finished a first lesson. Only member
codes count: a manager's code says nothing about how the rollout goes.
An organisation's line counts a person in two of its teams once.

How far members got follows the digests' rule (``lessons.digest``): a group
under the smallest reported size is not shown on its own, only in the total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from lessons.digest import shown_groups
from storage.records import Invite, Organisation
from storage.states import InviteState, RoleName
from storage.team_progress import Adoption
from storage.unit_of_work import Transaction

NOBODY = Adoption(0, 0, 0)


@dataclass(frozen=True)
class RolloutLine:
    """One team's (or organisation's) codes by state, and its members by how far they got."""

    slug: str
    name: str
    made: int
    used: int
    unused: int
    expired: int
    revoked: int
    people: Adoption
    # Whether how far its members got may be shown on its own line (see ``shown_groups``).
    shown: bool = True

    @classmethod
    def of(
        cls, slug: str, name: str, invites: Iterable[Invite], people: Adoption, now: datetime
    ) -> RolloutLine:
        states = Counter(i.state(now) for i in invites)
        return cls(
            slug, name, states.total(), states[InviteState.USED], states[InviteState.UNUSED],
            states[InviteState.EXPIRED], states[InviteState.REVOKED], people,
        )  # fmt: skip


@dataclass(frozen=True)
class OrganisationRollout:
    total: RolloutLine
    teams: tuple[RolloutLine, ...]


def _shown(lines: Iterable[RolloutLine], smallest: int) -> tuple[RolloutLine, ...]:
    lines = tuple(lines)
    visible = shown_groups({line.slug: line.people.members for line in lines}, smallest)
    # A group nobody joined yet gives nobody away: its zeros are shown.
    return tuple(replace(line, shown=line.slug in visible or not line.people.members) for line in lines)


def of_organisations(
    tx: Transaction, organisations: Iterable[Organisation], now: datetime, smallest: int
) -> list[OrganisationRollout]:
    """Each organisation's line and its teams' lines; archived organisations and teams are left out."""
    found = []
    for organisation in organisations:
        if organisation.archived:
            continue
        teams = [t for t in tx.teams.of(organisation.id) if not t.archived]
        team_ids = [t.id for t in teams]
        invites = tx.invites.of_teams(team_ids, RoleName.MEMBER)
        people = tx.progress.adoption("team", team_ids)
        lines = _shown(
            (
                RolloutLine.of(
                    f"{organisation.slug}/{team.slug}",
                    team.name,
                    (i for i in invites if i.team_id == team.id),
                    people.get(team.id, NOBODY),
                    now,
                )
                for team in teams
            ),
            smallest,
        )
        together = tx.progress.adoption("organisation", team_ids).get(organisation.id, NOBODY)
        total = RolloutLine.of(organisation.slug, organisation.name, invites, together, now)
        shown = together.members >= smallest or not together.members
        found.append(OrganisationRollout(replace(total, shown=shown), lines))
    return found


def of_region(tx: Transaction, region: str, now: datetime, smallest: int) -> list[RolloutLine]:
    """A region admin's view: one line per organisation of the region."""
    organisations = [o for o in tx.organisations.all() if o.region == region]
    return list(_shown((o.total for o in of_organisations(tx, organisations, now, smallest)), smallest))
