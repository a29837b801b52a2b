"""``digicoach export progress``: an organisation's weekly figures as CSV rows, for HR.

The digest's privacy rules hold here too: teams with fewer members than the
threshold get no rows of their own (their figures are in the organisation's
rows), nor do teams whose rows would reveal them by subtraction; people are
named only after ``/share on`` and then only with their lessons; and nobody's
quiz answers appear on a row of their own. Membership is today's: the export
counts the people in a team now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from lessons.audience import may_see_organisation, organisation_scope
from lessons.digest import Week, display_name, shown_groups
from lessons.rhythm import Rhythm
from storage.records import Organisation, Role
from storage.team_progress import AnonymousTotal
from storage.unit_of_work import Transaction

COLUMNS = (
    "organisation",
    "team",
    "person",
    "week_start",
    "members",
    "active_learners",
    "lessons_completed",
    "quiz_answers",
    "quiz_right_percent",
)
ALL_TEAMS = "(all teams)"


@dataclass(frozen=True)
class Figures:
    members: int
    active: int
    lessons: int
    right: int
    answers: int


def allowed(roles: list[Role], organisation: Organisation) -> bool:
    """The organisation's admins and its region's admins; nobody else."""
    return may_see_organisation(roles, organisation)


def rows(
    tx: Transaction,
    organisation: Organisation,
    weeks: int,
    today: date,
    rhythm: Rhythm,
    progress: Callable[[], object] = lambda: None,
) -> Iterator[dict[str, str]]:
    """The rows for the last ``weeks`` weeks, oldest first; ``progress`` is called after each week."""
    scope = organisation_scope(tx, organisation)
    teams = {t.id: t for t in tx.teams.of(organisation.id) if not t.archived}
    counts_now = tx.progress.counts_by_team(scope.team_ids, today, today)
    visible = shown_groups({team_id: c.members for team_id, c in counts_now.items()}, rhythm.smallest_group)
    shown = sorted(visible, key=lambda team_id: teams[team_id].slug)
    members = tx.progress.members(scope.team_ids)
    organisation_big_enough = len(members) >= rhythm.smallest_group
    latest = Week.reported_on(today)
    for n in range(weeks - 1, -1, -1):
        week = latest.before(n)
        kept = tx.progress.anonymous_totals(scope.team_ids, week.first, week.first)
        if organisation_big_enough:
            yield _row(
                organisation, ALL_TEAMS, "", week, _organisation_figures(tx, scope.team_ids, week, kept)
            )
        by_team = tx.progress.counts_by_team(shown, week.first, week.last)
        answers = tx.progress.answers_by_team(shown, week.first, week.last)
        for team_id in shown:
            counts = by_team.get(team_id)
            kept_here = [k for k in kept if k.team_id == team_id]
            figures = Figures(
                counts.members if counts else counts_now[team_id].members,
                (counts.active if counts else 0) + sum(k.learners_active for k in kept_here),
                (counts.lessons if counts else 0) + sum(k.lessons_completed for k in kept_here),
                answers.get(team_id, (0, 0))[0] + sum(k.answers_right for k in kept_here),
                answers.get(team_id, (0, 0))[1] + sum(k.answers_total for k in kept_here),
            )
            yield _row(organisation, teams[team_id].name, "", week, figures)
            yield from _people(tx, organisation, teams[team_id].name, team_id, week)
        progress()


def _organisation_figures(
    tx: Transaction, team_ids: tuple[int, ...], week: Week, kept: list[AnonymousTotal]
) -> Figures:
    scores = tx.progress.answers_by_topic(team_ids, week.first, week.last)
    return Figures(
        len(tx.progress.member_ids(team_ids)),
        tx.progress.active_count(team_ids, week.first, week.last) + sum(k.learners_active for k in kept),
        sum(tx.progress.lessons_by_date(team_ids, week.first, week.last).values())
        + sum(k.lessons_completed for k in kept),
        sum(s.right for s in scores) + sum(k.answers_right for k in kept),
        sum(s.total for s in scores) + sum(k.answers_total for k in kept),
    )


def _people(
    tx: Transaction, organisation: Organisation, team: str, team_id: int, week: Week
) -> Iterator[dict[str, str]]:
    sharing = [m for m in tx.progress.members((team_id,)) if m.share_name]
    lessons = tx.progress.lessons_per_learner([m.id for m in sharing], week.first, week.last)
    for person in sorted(sharing, key=lambda m: display_name(m).casefold()):
        yield {
            **dict.fromkeys(COLUMNS, ""),
            "organisation": organisation.name,
            "team": team,
            "person": display_name(person),
            "week_start": week.first.isoformat(),
            "lessons_completed": str(lessons.get(person.id, 0)),
        }


def _row(organisation: Organisation, team: str, person: str, week: Week, f: Figures) -> dict[str, str]:
    return {
        "organisation": organisation.name,
        "team": team,
        "person": person,
        "week_start": week.first.isoformat(),
        "members": str(f.members),
        "active_learners": str(f.active),
        "lessons_completed": str(f.lessons),
        "quiz_answers": str(f.answers),
        "quiz_right_percent": f"{100 * f.right / f.answers:.1f}" if f.answers else "",
    }
