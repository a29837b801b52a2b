"""The admin's organisation file: organisations, their teams, their settings.

``digicoach org apply org.yaml`` makes the database match it (idempotent;
``--dry-run`` only shows the plan). Problems are reported as path:line:col,
like lesson files. Nothing is deleted: an organisation or team left out of the
file is archived, so its history stays; naming it again brings it back.

``region_name`` (optional) is what region admins' digests call the region:
one name, or one per language like the texts of a lesson (``nl: Westhoek``).
Without it they show the region's id.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lessons.loader import data_path, describe
from lessons.model import LANGUAGES, Language, Slug
from lessons.problems import MAX_PER_FILE, Problem, at_most
from lessons.public_holidays import check as check_holidays
from lessons.yaml_source import SyntaxProblem, read
from storage.records import OrganisationChanges, RegionChanges
from storage.unit_of_work import Transaction

Name = Annotated[str, Field(min_length=1, max_length=200)]


def _one_or_per_language(value: Any) -> str | None:
    if isinstance(value, str):
        return "one"
    # An empty mapping names nothing: it gets the same hint as a list or a number.
    return "per-language" if isinstance(value, dict) and value else None


# One name for every language, or names per language: {nl: ..., fr: ...}.
RegionName = Annotated[
    Annotated[Name, Tag("one")] | Annotated[dict[Language, Name], Tag("per-language")],
    Discriminator(
        _one_or_per_language,
        custom_error_type="region_name",
        custom_error_message="give one name, or one name per language such as 'nl: Westhoek'",
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TeamSpec(_Strict):
    id: Slug
    name: Name


class OrganisationSpec(_Strict):
    id: Slug
    name: Name
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "BE"
    subdivision: Annotated[str, Field(max_length=8)] | None = None
    timezone: Annotated[str, Field(max_length=64)] = "Europe/Brussels"
    language: Language = "nl"
    teams: list[TeamSpec] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            close = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
            raise ValueError(
                f"unknown time zone '{value}'" + (f"; did you mean '{close[0]}'?" if close else "")
            )
        ZoneInfo(value)
        return value

    @model_validator(mode="after")
    def _holidays_and_unique_teams(self) -> OrganisationSpec:
        check_holidays(self.country, self.subdivision)
        seen: set[str] = set()
        for team in self.teams:
            if team.id in seen:
                raise ValueError(f"team id '{team.id}' appears twice in '{self.id}'")
            seen.add(team.id)
        return self


class RegionSpec(_Strict):
    region: Slug | None = None
    region_name: RegionName | None = None
    organisations: Annotated[list[OrganisationSpec], Field(min_length=1)]

    @field_validator("region_name")
    @classmethod
    def _names_a_region(cls, value: str | dict[str, str] | None, info: ValidationInfo) -> object:
        # A region id that is itself wrong is reported on its own line; this is for a missing one.
        if value is not None and "region" in info.data and info.data["region"] is None:
            raise ValueError("a region name needs a region id too: add 'region: <id>' above it")
        return value

    @property
    def region_changes(self) -> RegionChanges:
        """The region's row as this file wants it."""
        if isinstance(self.region_name, str):
            return {"name": self.region_name, "names": {}}
        return {
            "name": None,
            "names": {str(language): name for language, name in (self.region_name or {}).items()},
        }

    @model_validator(mode="after")
    def _unique_organisations(self) -> RegionSpec:
        seen: set[str] = set()
        for organisation in self.organisations:
            if organisation.id in seen:
                raise ValueError(f"organisation id '{organisation.id}' appears twice")
            seen.add(organisation.id)
        return self


def load(path: Path) -> RegionSpec | list[Problem]:
    doc = read(path)
    if isinstance(doc, SyntaxProblem):
        return [Problem(str(path), *doc.position, doc.message)]
    try:
        return RegionSpec.model_validate(doc.data)
    except ValidationError as error:
        problems = []
        found = error.errors(include_url=False)
        for e in found[: MAX_PER_FILE + 1]:
            where = data_path(doc.data, tuple(e["loc"]))
            key = e["type"] == "extra_forbidden"
            line, col = doc.position(where, key=key)
            message = e["msg"].removeprefix("Value error, ")
            if key:
                message = f"unknown key '{where[-1]}'; remove it or check the spelling"
            elif e["type"] == "literal_error" and e["loc"][-1] == "[key]":
                line, col = doc.position(where, key=True)
                message = f"unknown language '{e['input']}': use one of {', '.join(LANGUAGES)}"
            elif e["type"] == "missing":
                message = f"missing required field '{e['loc'][-1]}' in {describe(where)}"
            else:
                message = f"{describe(where)}: {message[:1].lower()}{message[1:]}"
            problems.append(Problem(str(path), line, col, message))
        return at_most(problems, max(0, len(found) - MAX_PER_FILE - 1))


@dataclass(frozen=True)
class Change:
    sign: str  # "+" new, "~" changed, "-" archived
    what: str

    def __str__(self) -> str:
        return f"{self.sign} {self.what}"


def _differences(current: Mapping[str, object], wanted: Mapping[str, object]) -> str:
    return ", ".join(f"{k}: {current[k]!r} -> {v!r}" for k, v in wanted.items() if current[k] != v)


def _apply_region(tx: Transaction, spec: RegionSpec) -> list[Change]:
    """The region's name; a file without one leaves no row behind, and a region without a row shows its id."""
    if spec.region is None:
        return []
    wanted = spec.region_changes
    region = tx.regions.by_slug(spec.region)
    if region is None:
        if not (wanted["name"] or wanted["names"]):
            return []
        tx.regions.add(spec.region, **wanted)
        named = wanted["name"] or ", ".join(f"{k}: {v}" for k, v in wanted["names"].items())
        return [Change("+", f"region {spec.region} ({named})")]
    if diff := _differences(vars(region), wanted):
        tx.regions.update(region.id, **wanted)
        return [Change("~", f"region {spec.region}: {diff}")]
    return []


def apply(tx: Transaction, spec: RegionSpec, actor: str, now: datetime) -> list[Change]:
    """Make the database match ``spec``; the caller rolls back for a dry run."""
    changes = _apply_region(tx, spec)
    named = {o.id for o in spec.organisations}
    for org_spec in spec.organisations:
        wanted: OrganisationChanges = {
            "name": org_spec.name, "region": spec.region, "country": org_spec.country,
            "subdivision": org_spec.subdivision, "timezone": org_spec.timezone,
            "language": org_spec.language, "archived": False,
        }  # fmt: skip
        organisation = tx.organisations.by_slug(org_spec.id)
        if organisation is None:
            organisation = tx.organisations.add(slug=org_spec.id, **wanted)
            changes.append(Change("+", f"organisation {org_spec.id} ({org_spec.name})"))
        elif diff := _differences(vars(organisation), wanted):
            tx.organisations.update(organisation.id, **wanted)
            changes.append(Change("~", f"organisation {org_spec.id}: {diff}"))
        teams = {t.slug: t for t in tx.teams.of(organisation.id)}
        for team_spec in org_spec.teams:
            team = teams.get(team_spec.id)
            label = f"team {org_spec.id}/{team_spec.id}"
            if team is None:
                tx.teams.add(organisation_id=organisation.id, slug=team_spec.id, name=team_spec.name)
                changes.append(Change("+", f"{label} ({team_spec.name})"))
            elif diff := _differences(vars(team), {"name": team_spec.name, "archived": False}):
                tx.teams.update(team.id, name=team_spec.name, archived=False)
                changes.append(Change("~", f"{label}: {diff}"))
        for slug, team in teams.items():
            if slug not in {t.id for t in org_spec.teams} and not team.archived:
                tx.teams.update(team.id, archived=True)
                changes.append(Change("-", f"team {org_spec.id}/{slug} archived (not in the file; kept)"))
    for organisation in tx.organisations.all():
        if organisation.slug not in named and not organisation.archived:
            tx.organisations.update(organisation.id, archived=True)
            changes.append(Change("-", f"organisation {organisation.slug} archived (not in the file; kept)"))
    if changes:
        tx.audit.add(actor, "org apply", now, changes=[str(c) for c in changes])
    return changes
