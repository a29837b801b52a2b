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
from storage.team_progress import AnonymousTotal, GroupScore
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
    answers: GroupScore


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
    # Membership is today's: counted once, the same for every week.
    members = len(tx.progress.member_ids(scope.team_ids))
    organisation_big_enough = members >= rhythm.smallest_group
    latest = Week.reported_on(today)
    for n in range(weeks - 1, -1, -1):
        week = latest.before(n)
        kept = tx.progress.anonymous_totals(scope.team_ids, week.first, week.first)
        if organisation_big_enough:
            totals = _organisation_figures(tx, scope.team_ids, members, week, kept)
            yield _row(organisation, ALL_TEAMS, "", week, totals, rhythm.smallest_group)
        by_team = tx.progress.counts_by_team(shown, week.first, week.last)
        answers = tx.progress.answers_by_team(shown, week.first, week.last)
        for team_id in shown:
            counts = by_team.get(team_id)
            kept_here = [k for k in kept if k.team_id == team_id]
            live = answers.get(team_id, GroupScore("", 0, 0, 0))
            figures = Figures(
                counts_now[team_id].members,
                (counts.active if counts else 0) + _active(kept_here),
                (counts.lessons if counts else 0) + sum(k.lessons_completed for k in kept_here),
                _answers(live, kept_here),
            )
            yield _row(organisation, teams[team_id].name, "", week, figures, rhythm.smallest_group)
            yield from _people(tx, organisation, teams[team_id].name, team_id, week)
        progress()


def _active(kept: list[AnonymousTotal]) -> int:
    return sum(k.learners_active for k in kept if k.topic == "")


def _answers(live: GroupScore, kept: list[AnonymousTotal]) -> GroupScore:
    """Live answers plus forgotten learners' ones. Who answered is counted low, never high:
    a forgotten learner counts once per team and week however many topics they answered in."""
    answered = max((k.learners_active for k in kept if k.topic), default=0)
    return GroupScore(
        "",
        live.right + sum(k.answers_right for k in kept),
        live.total + sum(k.answers_total for k in kept),
        live.people + answered,
    )


def _organisation_figures(
    tx: Transaction, team_ids: tuple[int, ...], members: int, week: Week, kept: list[AnonymousTotal]
) -> Figures:
    return Figures(
        members,
        tx.progress.active_count(team_ids, week.first, week.last) + _active(kept),
        sum(tx.progress.lessons_by_date(team_ids, week.first, week.last).values())
        + sum(k.lessons_completed for k in kept),
        _answers(tx.progress.answers_overall(team_ids, week.first, week.last), kept),
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


def _row(
    organisation: Organisation, team: str, person: str, week: Week, f: Figures, smallest: int
) -> dict[str, str]:
    # A share of right answers given by fewer people than a digest shows is left out: it would be theirs.
    answers = f.answers
    share = (
        f"{100 * answers.right / answers.total:.1f}" if answers.total and answers.people >= smallest else ""
    )
    return {
        "organisation": organisation.name,
        "team": team,
        "person": person,
        "week_start": week.first.isoformat(),
        "members": str(f.members),
        "active_learners": str(f.active),
        "lessons_completed": str(f.lessons),
        "quiz_answers": str(answers.total),
        "quiz_right_percent": share,
    }
