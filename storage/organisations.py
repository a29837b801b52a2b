"""Repositories for regions, organisations, teams, roles, invites and the audit log."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import AuditRow, InviteRow, LearnerRow, OrganisationRow, RegionRow, RoleRow, TeamRow
from storage.records import (
    AuditEntry,
    Invite,
    Organisation,
    OrganisationChanges,
    Region,
    RegionChanges,
    Role,
    Team,
    TeamChanges,
)
from storage.repositories import change, to_record
from storage.states import InviteKind, RoleName


class Regions:
    def __init__(self, session: Session) -> None:
        self._s = session

    def by_slug(self, slug: str) -> Region | None:
        row = self._s.scalar(select(RegionRow).where(RegionRow.slug == slug))
        return to_record(Region, row) if row else None

    def add(self, slug: str, **values: Unpack[RegionChanges]) -> Region:
        row = RegionRow(slug=slug, **values)
        self._s.add(row)
        self._s.flush()
        return to_record(Region, row)

    def update(self, region_id: int, **changes: Unpack[RegionChanges]) -> None:
        change(self._s, RegionRow, region_id, changes, RegionChanges.__optional_keys__)


class Organisations:
    def __init__(self, session: Session) -> None:
        self._s = session

    def all(self) -> list[Organisation]:
        rows = self._s.scalars(select(OrganisationRow).order_by(OrganisationRow.slug))
        return [to_record(Organisation, r) for r in rows]

    def get(self, organisation_id: int) -> Organisation:
        return to_record(Organisation, self._s.get_one(OrganisationRow, organisation_id))

    def get_many(self, organisation_ids: Collection[int]) -> dict[int, Organisation]:
        """The organisations with these ids, in one query (none when there are no ids)."""
        if not organisation_ids:
            return {}
        rows = self._s.scalars(select(OrganisationRow).where(OrganisationRow.id.in_(organisation_ids)))
        return {row.id: to_record(Organisation, row) for row in rows}

    def by_slug(self, slug: str) -> Organisation | None:
        row = self._s.scalar(select(OrganisationRow).where(OrganisationRow.slug == slug))
        return to_record(Organisation, row) if row else None

    def add(self, slug: str, **values: Unpack[OrganisationChanges]) -> Organisation:
        row = OrganisationRow(slug=slug, **values)
        self._s.add(row)
        self._s.flush()
        return to_record(Organisation, row)

    def update(self, organisation_id: int, **changes: Unpack[OrganisationChanges]) -> None:
        change(self._s, OrganisationRow, organisation_id, changes, OrganisationChanges.__optional_keys__)


class Teams:
    def __init__(self, session: Session) -> None:
        self._s = session

    def of(self, organisation_id: int) -> list[Team]:
        rows = self._s.scalars(
            select(TeamRow).where(TeamRow.organisation_id == organisation_id).order_by(TeamRow.slug)
        )
        return [to_record(Team, r) for r in rows]

    def get(self, team_id: int) -> Team:
        return to_record(Team, self._s.get_one(TeamRow, team_id))

    def add(self, organisation_id: int, slug: str, name: str) -> Team:
        row = TeamRow(organisation_id=organisation_id, slug=slug, name=name)
        self._s.add(row)
        self._s.flush()
        return to_record(Team, row)

    def update(self, team_id: int, **changes: Unpack[TeamChanges]) -> None:
        change(self._s, TeamRow, team_id, changes, TeamChanges.__optional_keys__)


class Roles:
    def __init__(self, session: Session) -> None:
        self._s = session

    def grant(
        self,
        learner_id: int,
        role: RoleName,
        now: datetime,
        *,
        team_id: int | None = None,
        organisation_id: int | None = None,
        region: str | None = None,
    ) -> bool:
        """Give a role once; False if the learner had it already."""
        existing = self._s.scalar(
            select(RoleRow).where(
                RoleRow.learner_id == learner_id,
                RoleRow.role == role,
                RoleRow.team_id.is_(None) if team_id is None else RoleRow.team_id == team_id,
                RoleRow.organisation_id.is_(None)
                if organisation_id is None
                else RoleRow.organisation_id == organisation_id,
                RoleRow.region.is_(None) if region is None else RoleRow.region == region,
            )
        )
        if existing is not None:
            return False
        self._s.add(
            RoleRow(
                learner_id=learner_id,
                role=role,
                team_id=team_id,
                organisation_id=organisation_id,
                region=region,
                granted_at=now,
            )
        )
        self._s.flush()
        return True

    def of(self, learner_id: int) -> list[Role]:
        rows = self._s.scalars(select(RoleRow).where(RoleRow.learner_id == learner_id).order_by(RoleRow.id))
        return [to_record(Role, r) for r in rows]

    def viewers_in(self, timezone: str, roles: tuple[RoleName, ...]) -> list[int]:
        """Active learners in ``timezone`` who hold one of ``roles`` (the digest's readers)."""
        query = (
            select(RoleRow.learner_id)
            .join(LearnerRow, LearnerRow.id == RoleRow.learner_id)
            .where(LearnerRow.timezone == timezone, LearnerRow.active, RoleRow.role.in_(roles))
            .distinct()
            .order_by(RoleRow.learner_id)
        )
        return list(self._s.scalars(query))

    def members(self, team_id: int) -> list[Role]:
        rows = self._s.scalars(select(RoleRow).where(RoleRow.team_id == team_id).order_by(RoleRow.id))
        return [to_record(Role, r) for r in rows]


class Invites:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(
        self,
        *,
        code: str,
        role: RoleName,
        max_uses: int,
        expires_at: datetime,
        created_at: datetime,
        team_id: int | None = None,
        organisation_id: int | None = None,
        region: str | None = None,
        kind: InviteKind = InviteKind.CODE,
    ) -> Invite:
        row = InviteRow(
            code=code,
            role=role,
            max_uses=max_uses,
            expires_at=expires_at,
            created_at=created_at,
            team_id=team_id,
            organisation_id=organisation_id,
            region=region,
            kind=kind,
        )
        self._s.add(row)
        try:
            with self._s.begin_nested():
                self._s.flush()
        except IntegrityError as error:
            raise ValueError("an invite with this code exists already") from error
        return to_record(Invite, row)

    def by_code(self, code: str) -> Invite | None:
        row = self._s.scalar(select(InviteRow).where(InviteRow.code == code))
        return to_record(Invite, row) if row else None

    def use(self, invite_id: int) -> None:
        row = self._s.get_one(InviteRow, invite_id)
        row.uses += 1
        self._s.flush()

    def revoke(self, invite_id: int, now: datetime) -> None:
        self._s.get_one(InviteRow, invite_id).revoked_at = now
        self._s.flush()

    def of_teams(self, team_ids: Collection[int], role: RoleName) -> list[Invite]:
        """Every code ever made for these teams' ``role``, oldest first."""
        rows = self._s.scalars(
            select(InviteRow)
            .where(InviteRow.team_id.in_(team_ids), InviteRow.role == role)
            .order_by(InviteRow.id)
        )
        return [to_record(Invite, r) for r in rows]


class AuditLog:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, actor: str, action: str, now: datetime, **details: Any) -> None:
        self._s.add(AuditRow(at=now, actor=actor, action=action, details=json.dumps(details, sort_keys=True)))
        self._s.flush()

    def anonymise(self, actor: str, replacement: str) -> None:
        """Keep what was done, but no longer by whom (after that person's /forget)."""
        self._s.execute(update(AuditRow).where(AuditRow.actor == actor).values(actor=replacement))

    def entries(self) -> list[AuditEntry]:
        return [to_record(AuditEntry, r) for r in self._s.scalars(select(AuditRow).order_by(AuditRow.id))]
