"""``digicoach export progress``: an organisation's weekly figures as CSV rows, for HR.

The digest's privacy rules hold here too: teams with fewer members than the
threshold get no rows of their own (their figures are in the organisation's
rows), nor do teams whose rows would reveal them by subtraction; people are
named only after ``/share on`` and then only with their lessons; and nobody's
quiz answers appear on a row of their own. Membership is today's: the export
counts the people in a team now. The figures are the digest's own
(``storage.team_progress``): active learners are today's members only, and
lessons and quiz answers keep what former members (people who used /forget)
did, in columns of their own as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from lessons.audience import may_see_organisation, organisation_scope
from lessons.digest import Week, display_name, shown_groups
from lessons.rhythm import Rhythm
from storage.records import Organisation, Role
from storage.team_progress import GroupCounts, GroupScore
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
    # Last, so that a sheet built on the earlier columns keeps working.
    "lessons_by_former_members",
    "quiz_answers_by_former_members",
)
ALL_TEAMS = "(all teams)"


def allowed(roles: list[Role], organisation: Organisation) -> bool:
    """The organisation's admins and its region's admins; nobody else."""
    return may_see_organisation(roles, organisation)


def members_today(tx: Transaction, organisation: Organisation, today: date) -> int:
    """The organisation's members today: with fewer than the smallest group, it has no rows at all."""
    return tx.progress.counts(organisation_scope(tx, organisation).team_ids, today, today).members


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
    # Membership is today's: the same for every week.
    membership = tx.progress.counts_by_team(scope.team_ids, today, today)
    visible = shown_groups({team_id: c.members for team_id, c in membership.items()}, rhythm.smallest_group)
    shown = sorted(visible, key=lambda team_id: teams[team_id].slug)
    organisation_big_enough = (
        tx.progress.counts(scope.team_ids, today, today).members >= rhythm.smallest_group
    )
    latest = Week.reported_on(today)
    for n in range(weeks - 1, -1, -1):
        week = latest.before(n)
        if organisation_big_enough:
            totals = tx.progress.counts(scope.team_ids, week.first, week.last)
            answers = tx.progress.answers_overall(scope.team_ids, week.first, week.last)
            yield _row(organisation, ALL_TEAMS, week, totals, answers, rhythm.smallest_group)
        by_team = tx.progress.counts_by_team(shown, week.first, week.last)
        answers_by_team = tx.progress.answers_by_team(shown, week.first, week.last)
        for team_id in shown:
            yield _row(
                organisation,
                teams[team_id].name,
                week,
                by_team[team_id],
                answers_by_team.get(team_id, GroupScore("", 0, 0, 0)),
                rhythm.smallest_group,
            )
            yield from _people(tx, organisation, teams[team_id].name, team_id, week)
        progress()


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
    organisation: Organisation, team: str, week: Week, counts: GroupCounts, answers: GroupScore, smallest: int
) -> dict[str, str]:
    # A share of right answers given by fewer people than a digest shows is left out: it would be theirs.
    share = (
        f"{100 * answers.right / answers.total:.1f}" if answers.total and answers.people >= smallest else ""
    )
    return {
        "organisation": organisation.name,
        "team": team,
        "person": "",
        "week_start": week.first.isoformat(),
        "members": str(counts.members),
        "active_learners": str(counts.active),
        "lessons_completed": str(counts.lessons),
        "quiz_answers": str(answers.total),
        "quiz_right_percent": share,
        "lessons_by_former_members": str(counts.by_former.amount),
        "quiz_answers_by_former_members": str(answers.by_former.amount),
    }
