"""A staff list (CSV) made into one single-use invite code per person: all of them, or none.

The list has a ``team`` column and, if HR wants them in its own output,
``name`` and ``email``; any other column is refused, so no other personal
data reaches the coach. Every row is checked before anything is made, and
each wrong row is reported with its line. The coach keeps only the codes
and their teams: names and e-mail addresses go from the list to HR's
output file and nowhere else (not in the database, not in the audit log).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from lessons import invites
from lessons.problems import quoted
from storage.records import Invite, Team
from storage.states import InviteKind, RoleName
from storage.unit_of_work import Transaction

COLUMNS = ("team", "name", "email")
# HR's lists are a few hundred people; a file far larger is not a staff list.
MAX_BYTES = 5_000_000
MAX_PEOPLE = 20_000
MAX_NAME = 200
# A wrong column or --org makes every row wrong: the first ones say what to fix.
MAX_LISTED = 30
# Enough to catch a phone number or a typo in the e-mail column; HR's own mail tool has the last word.
_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+$")


@dataclass(frozen=True)
class RowProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class StaffMember:
    """One row of the list, as written, and the line it starts on."""

    line: int
    team: str
    name: str
    email: str


@dataclass(frozen=True)
class StaffList:
    path: Path
    people: list[StaffMember]
    # The input's delimiter, so that the output opens in the same spreadsheet the same way.
    delimiter: str
    encoding: str
    # Rows that cannot be read as a person (too many cells), reported with the others by ``check``.
    problems: list[RowProblem]


class StaffListError(ValueError):
    """The list cannot be used; ``problems`` say where, one a line."""

    def __init__(self, message: str, problems: list[RowProblem]) -> None:
        super().__init__(message)
        self.problems = problems


def _text(path: Path) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8, or what Excel's plain 'CSV' writes on Windows."""
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise StaffListError(f"{path} is larger than {MAX_BYTES // 1_000_000} MB: is it a staff list?", [])
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "windows-1252"


def read(path: Path) -> StaffList:
    """The rows of the list; a file that is not a staff list (its columns, its size) is raised."""
    text, encoding = _text(path)
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","  # one column: nothing to tell apart
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    where = str(path)
    header = [cell.strip().lower() for cell in next(reader, [])]
    problems = []
    unknown = [c for c in header if c not in COLUMNS]
    if unknown or "team" not in header or len(set(header)) < len(header):
        problems.append(
            RowProblem(
                where,
                1,
                f"the first line names the columns: 'team', and if you like 'name' and 'email'; "
                f"found {', '.join(map(quoted, header)) or 'nothing'}"
                + (". The coach takes no other personal data: remove the other columns" if unknown else ""),
            )
        )
        raise StaffListError("the staff list's columns are wrong (see above); nothing was made", problems)
    people = []
    starts = reader.line_num + 1
    for row in reader:
        line, starts = starts, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.append(
                RowProblem(where, line, f"{len(row)} cells, but the first line names {len(header)}")
            )
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        people.append(StaffMember(line, cells.get("team", ""), cells.get("name", ""), cells.get("email", "")))
        if len(people) > MAX_PEOPLE:
            raise StaffListError(f"more than {MAX_PEOPLE:,} people: split the list", [])
    if not people and not problems:
        raise StaffListError(f"{path} has nobody on it, only the line that names the columns", [])
    return StaffList(path, people, delimiter, encoding, problems)


def _nothing_made(problems: list[RowProblem]) -> str:
    return (
        f"{len(problems)} row(s) of the staff list are wrong (listed above); nothing was made: "
        "fix them and run it again"
    )


def _listed(problems: list[RowProblem]) -> list[RowProblem]:
    if len(problems) <= MAX_LISTED:
        return problems
    more = len(problems) - MAX_LISTED
    return [*problems[:MAX_LISTED], RowProblem(problems[MAX_LISTED].path, problems[MAX_LISTED].line,
                                               f"… and {more} more wrong row(s), not listed")]  # fmt: skip


def _team_finder(tx: Transaction, organisation: str | None) -> Callable[[str], Team]:
    """Reads a row's team: 'org/team', or with ``organisation`` also the team's id or name alone."""
    teams: dict[str, Team] = {}
    if organisation is not None:
        found = invites.organisation_of(tx, organisation)
        for team in tx.teams.of(found.id):
            if not team.archived:
                teams[team.slug] = teams[team.name.casefold()] = team

    def find(written: str) -> Team:
        if not written:
            raise invites.InviteError("no team: write it as organisation/team (see 'digicoach org show')")
        if "/" not in written:
            if organisation is None:
                raise invites.InviteError(
                    f"no team {quoted(written)}: write it as organisation/team, or name its organisation "
                    "with --org"
                )
            team = teams.get(written) or teams.get(written.casefold())
            if team is None:
                raise invites.InviteError(
                    f"no team {quoted(written)} in '{organisation}' (see 'digicoach org show')"
                )
            return team
        return invites.team_of(tx, written)[1]

    return find


def check(tx: Transaction, staff: StaffList, organisation: str | None) -> list[Team]:
    """Each person's team, in the list's order; every wrong row raised at once."""
    path = str(staff.path)
    find = _team_finder(tx, organisation)
    problems = list(staff.problems)
    teams = []
    first_seen: dict[str, int] = {}
    for person in staff.people:
        try:
            teams.append(find(person.team))
        except invites.InviteError as error:
            problems.append(RowProblem(path, person.line, str(error)))
        if len(person.name) > MAX_NAME:
            problems.append(RowProblem(path, person.line, f"a name of more than {MAX_NAME} characters"))
        if person.email:
            if not _EMAIL.match(person.email):
                problems.append(
                    RowProblem(path, person.line, f"{quoted(person.email)} is not an e-mail address")
                )
            elif (seen := first_seen.setdefault(person.email.casefold(), person.line)) != person.line:
                problems.append(
                    RowProblem(path, person.line, f"{quoted(person.email)} is on line {seen} already")
                )
    if problems:
        problems.sort(key=lambda p: p.line)
        raise StaffListError(_nothing_made(problems), _listed(problems))
    return teams


def invite_all(
    tx: Transaction,
    teams: list[Team],
    *,
    expires: timedelta,
    actor: str,
    now: datetime,
    made: Callable[[int], object] = lambda _n: None,
) -> list[Invite]:
    """One single-use member code per person, in the list's order; ``made(1)`` after each."""
    codes = []
    for team in teams:
        codes.append(
            tx.invites.add(
                code=invites.new_code(), role=RoleName.MEMBER, max_uses=1, expires_at=now + expires,
                created_at=now, team_id=team.id, organisation_id=team.organisation_id,
                kind=InviteKind.STAFF_LIST,
            )
        )  # fmt: skip
        made(1)
    # One entry for the whole list, with counts per team: names and e-mail addresses stay out.
    organisations = {o.id: o.slug for o in tx.organisations.all()}
    per_team = Counter(f"{organisations[t.organisation_id]}/{t.slug}" for t in teams)
    tx.audit.add(actor, "invite bulk", now, codes=len(codes), per_team=dict(sorted(per_team.items())),
                 expires_at=(now + expires).isoformat())  # fmt: skip
    return codes
