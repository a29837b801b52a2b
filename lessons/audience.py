"""Who may see figures about whom: the only place that turns roles into permissions.

A manager sees the teams they manage, an organisation admin every team of
their organisation, a region admin every organisation of their region. A
learner sees only what is said about themselves (``/whatmymanagersees``).
Everything else is refused, and the authorisation-matrix test holds every
role against every command and export to that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lessons.i18n import current
from lessons.model import Text
from storage.records import Organisation, Role
from storage.states import VIEWER_ROLES, RoleName
from storage.unit_of_work import Transaction


@dataclass(frozen=True)
class Scope:
    """A group a digest reports on: one team, one organisation, or one region."""

    kind: Literal["team", "organisation", "region"]
    name: str
    team_ids: tuple[int, ...]
    # The organisation a team or organisation scope belongs to (None for a region).
    organisation: Organisation | None = None
    team_id: int | None = None
    region: str | None = None


def team_scope(tx: Transaction, team_id: int) -> Scope:
    team = tx.teams.get(team_id)
    organisation = tx.organisations.get(team.organisation_id)
    return Scope("team", team.name, (team.id,), organisation, team_id=team.id)


def organisation_scope(tx: Transaction, organisation: Organisation) -> Scope:
    teams = tuple(t.id for t in tx.teams.of(organisation.id) if not t.archived)
    return Scope("organisation", organisation.name, teams, organisation)


def region_scope(tx: Transaction, region: str) -> Scope:
    teams = tuple(
        t.id
        for o in tx.organisations.all()
        if o.region == region and not o.archived
        for t in tx.teams.of(o.id)
        if not t.archived
    )
    return Scope("region", region_name(tx, region), teams, region=region)


def region_name(tx: Transaction, region: str) -> str:
    """The region's name in the reader's language, from the organisation file; its id if the file has none."""
    found = tx.regions.by_slug(region)
    if found is None:
        return region
    if found.name:
        return found.name
    # Names per language fall back like a lesson's texts: Dutch, then English, then any.
    return Text.model_validate(found.names).get(current()) if found.names else region


def scopes_of(tx: Transaction, learner_id: int) -> list[Scope]:
    """Everything this person receives a digest about, teams first, then organisations, then regions."""
    scopes: list[Scope] = []
    viewing = [r for r in tx.roles.of(learner_id) if r.role.reads_digests]
    for role in sorted(viewing, key=lambda r: (VIEWER_ROLES.index(r.role), r.id)):
        if role.role is RoleName.MANAGER and role.team_id is not None:
            if not tx.teams.get(role.team_id).archived:
                scopes.append(team_scope(tx, role.team_id))
        elif role.role is RoleName.ORG_ADMIN and role.organisation_id is not None:
            organisation = tx.organisations.get(role.organisation_id)
            if not organisation.archived:
                scopes.append(organisation_scope(tx, organisation))
        elif role.role is RoleName.REGION_ADMIN and role.region is not None:
            scopes.append(region_scope(tx, role.region))
    return scopes


def may_see_team(roles: list[Role], tx: Transaction, team_id: int) -> bool:
    team = tx.teams.get(team_id)
    return any((r.role is RoleName.MANAGER and r.team_id == team_id) for r in roles) or may_see_organisation(
        roles, tx.organisations.get(team.organisation_id)
    )


def may_see_organisation(roles: list[Role], organisation: Organisation) -> bool:
    """Organisation-wide figures and the HR export: its admins and its region's admins."""
    return any(
        (r.role is RoleName.ORG_ADMIN and r.organisation_id == organisation.id)
        or (
            r.role is RoleName.REGION_ADMIN
            and organisation.region is not None
            and r.region == organisation.region
        )
        for r in roles
    )


def is_viewer(roles: list[Role]) -> bool:
    return any(r.role.reads_digests for r in roles)
