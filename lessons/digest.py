"""A week's figures for one team, organisation or region: what a digest reports, nothing more.

Who counts as a member and as active, and what former members (people who
used /forget) still add, is decided once, in ``storage.team_progress``: the
digest, the CSV export and ``/whatmymanagersees`` all read it from there.

Privacy rules live here, so every way out (the digest, the chat commands,
the CSV export) applies them the same way:

- a group with fewer members than ``Rhythm.smallest_group`` is never shown
  on its own; it only counts toward its organisation's (or region's) totals;
- a person appears by name only after ``/share on``, and then only with their
  lessons and streak: an individual's quiz answers are never reported;
- a topic's share of right answers is shown only when at least as many people
  as that threshold answered in it: with one or two, the share would be theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from lessons.audience import Scope
from lessons.lesson_library import Library
from lessons.public_holidays import Calendar
from lessons.rhythm import Rhythm
from lessons.schedule import lesson_day_rule
from lessons.streaks import streak
from lessons.turn import organisation_calendar
from storage.records import Learner
from storage.team_progress import NOBODY_FORMER, FormerPart, GroupCounts, GroupScore, TeamProgress, monday
from storage.unit_of_work import Transaction

K = TypeVar("K")

WEEKS_IN_CHART = 8
# A streak of this many lesson days counts as "on a streak" in the figures.
STREAK_DAYS = 3
# Streaks are counted over this window: enough for every streak a weekly figure needs.
STREAK_WINDOW = timedelta(days=92)
# A topic needs this many answers in the week before it can be called the weakest.
WEAKEST_MIN_ANSWERS = 5
# Streaks are counted for the members of this many teams at a time: a region's tens of
# thousands of members and their lesson days, all at once, took more memory than the
# rest of the coach (a region of 50,000: 190 MB at the peak, see benchmarks/digests.py).
STREAK_TEAMS_AT_ONCE = 100


@dataclass(frozen=True)
class Week:
    first: date  # a Monday
    last: date  # the Sunday after it

    @classmethod
    def reported_on(cls, today: date) -> Week:
        """The week a digest sent ``today`` is about: the one that holds yesterday.

        On Monday morning that is the week just ended; later in the week it is
        the week so far.
        """
        first = monday(today - timedelta(days=1))
        return cls(first, first + timedelta(days=6))

    def before(self, weeks: int = 1) -> Week:
        return Week(self.first - timedelta(weeks=weeks), self.last - timedelta(weeks=weeks))


@dataclass(frozen=True)
class Named:
    """One person who chose ``/share on``: never their quiz answers."""

    learner_id: int
    name: str
    lessons: int
    streak: int


@dataclass(frozen=True)
class GroupRow:
    """A line of an organisation's (or region's) breakdown: one team (or organisation) big enough to show."""

    name: str
    counts: GroupCounts


@dataclass(frozen=True)
class Digest:
    scope: Scope
    week: Week
    # Today's members: former members are not among them.
    members: int
    # False when the group is smaller than the threshold: then nothing else is filled in.
    reported: bool
    # Members who finished a lesson or review this week: never more than ``members``.
    active: int = 0
    # Lessons include former members'; ``*_by_former`` says how many of them are theirs.
    lessons: int = 0
    lessons_by_former: FormerPart = NOBODY_FORMER
    lessons_week_before: int = 0
    lessons_week_before_by_former: FormerPart = NOBODY_FORMER
    lessons_per_week: tuple[tuple[date, int], ...] = ()
    # Topics enough people answered in; the others are only counted in hidden_topics.
    accuracy: tuple[GroupScore, ...] = ()
    hidden_topics: int = 0
    weakest: GroupScore | None = None
    # The lesson of the weakest topic the group got wrong most often (or its first one).
    suggested_lesson: str | None = None
    on_streak: int = 0
    named: tuple[Named, ...] = ()
    breakdown: tuple[GroupRow, ...] = ()
    # Teams (or organisations) too small to show on their own; their figures are in the totals.
    hidden_groups: int = 0


def compute(tx: Transaction, scope: Scope, today: date, library: Library, rhythm: Rhythm) -> Digest:
    """The digest of ``scope`` for the week reported on ``today``."""
    week = Week.reported_on(today)
    progress = tx.progress
    teams = scope.team_ids
    figures = progress.counts(teams, week.first, week.last) if teams else GroupCounts(0, 0, 0)
    if figures.members < rhythm.smallest_group:
        return Digest(scope, week, figures.members, reported=False)
    first_week = week.before(WEEKS_IN_CHART - 1)
    per_week, former = _lessons_per_week(progress, teams, first_week, week)
    answered = tuple(progress.answers_by_topic(teams, week.first, week.last))
    accuracy = tuple(s for s in answered if s.people >= rhythm.smallest_group)
    weakest = _weakest(accuracy)
    on_streak, sharing = _streaks(tx, scope, today, rhythm)
    breakdown, hidden = _breakdown(tx, scope, week, rhythm)
    week_before = week.before().first
    return Digest(
        scope,
        week,
        figures.members,
        reported=True,
        active=figures.active,
        lessons=figures.lessons,
        lessons_by_former=figures.by_former,
        lessons_week_before=per_week[week_before],
        lessons_week_before_by_former=former.get(week_before, NOBODY_FORMER),
        lessons_per_week=tuple(sorted(per_week.items())),
        accuracy=accuracy,
        hidden_topics=len(answered) - len(accuracy),
        weakest=weakest,
        suggested_lesson=_suggestion(tx, scope, weakest, week, library),
        on_streak=on_streak,
        named=_named(tx, sharing, week),
        breakdown=breakdown,
        hidden_groups=hidden,
    )


def _lessons_per_week(
    progress: TeamProgress, teams: tuple[int, ...], first_week: Week, week: Week
) -> tuple[dict[date, int], dict[date, FormerPart]]:
    """Lessons per week for the chart, former members' included, and how many of them are theirs."""
    per_week = {first_week.first + timedelta(weeks=n): 0 for n in range(WEEKS_IN_CHART)}
    for day, n in progress.lessons_by_date(teams, first_week.first, week.last).items():
        per_week[monday(day)] += n
    former = progress.former_lessons_by_week(teams, first_week.first, week.last)
    for week_start, part in former.items():
        per_week[week_start] += part.amount
    return per_week, former


def _weakest(accuracy: tuple[GroupScore, ...]) -> GroupScore | None:
    """The topic with the smallest share of right answers, among at least two to compare."""
    enough = [s for s in accuracy if s.total >= WEAKEST_MIN_ANSWERS]
    candidates = enough if len(enough) >= 2 else list(accuracy)
    if len(candidates) < 2:
        return None
    return min(candidates, key=lambda s: (s.right / s.total, -s.total, s.topic))


def _suggestion(
    tx: Transaction, scope: Scope, weakest: GroupScore | None, week: Week, library: Library
) -> str | None:
    if weakest is None:
        return None
    wrong = tx.progress.wrong_by_lesson(scope.team_ids, weakest.topic, week.first, week.last)
    for lesson_id, _n in sorted(wrong.items(), key=lambda item: (-item[1], item[0])):
        if library.lesson(lesson_id) is not None:
            return lesson_id
    first = next((x for x in library.path() if x.topic == weakest.topic), None)
    return first.id if first else None


def _streaks(tx: Transaction, scope: Scope, today: date, rhythm: Rhythm) -> tuple[int, dict[Learner, int]]:
    """How many members are on a streak, and the streaks of the members a team digest may name.

    Each member's current streak, by the lesson days of their own calendar and leave.
    """
    calendars: dict[int | None, Calendar] = {}
    counted: set[int] = set()
    on_streak = 0
    sharing: dict[Learner, int] = {}
    for start in range(0, len(scope.team_ids), STREAK_TEAMS_AT_ONCE):
        teams = scope.team_ids[start : start + STREAK_TEAMS_AT_ONCE]
        sessions = tx.progress.session_dates(teams, today - STREAK_WINDOW)
        pauses = tx.progress.pauses(teams)
        for learner in tx.progress.members(teams):
            if learner.id in counted:  # also a member of a team counted before
                continue
            counted.add(learner.id)
            organisation = learner.organisation_id
            if organisation not in calendars:
                calendars[organisation] = organisation_calendar(tx, organisation, rhythm)
            rule = lesson_day_rule(
                learner.weekday_numbers, pauses.get(learner.id, []), calendars[organisation]
            )
            current = streak(sessions.get(learner.id, set()), today, rule).current
            on_streak += current >= STREAK_DAYS
            # Organisation and region digests compare teams; they name nobody.
            if scope.kind == "team" and learner.share_name:
                sharing[learner] = current
    return on_streak, sharing


def _named(tx: Transaction, sharing: dict[Learner, int], week: Week) -> tuple[Named, ...]:
    if not sharing:
        return ()
    lessons = tx.progress.lessons_per_learner([m.id for m in sharing], week.first, week.last)
    return tuple(
        Named(m.id, display_name(m), lessons.get(m.id, 0), current)
        for m, current in sorted(sharing.items(), key=lambda item: display_name(item[0]).casefold())
    )


def display_name(learner: Learner) -> str:
    return learner.display_name or learner.platform_user_id


def _breakdown(tx: Transaction, scope: Scope, week: Week, rhythm: Rhythm) -> tuple[tuple[GroupRow, ...], int]:
    """The teams (or organisations) big enough to show on their own, and how many are not."""
    if scope.kind == "team":
        return (), 0
    progress = tx.progress
    if scope.kind == "organisation":
        counts = progress.counts_by_team(scope.team_ids, week.first, week.last)
        names = {t.id: t.name for t in tx.teams.of(scope.organisation.id)} if scope.organisation else {}
    else:
        counts = progress.counts_by_organisation(scope.team_ids, week.first, week.last)
        names = {o.id: o.name for o in tx.organisations.all()}
    visible = shown_groups({key: c.members for key, c in counts.items()}, rhythm.smallest_group)
    shown = [GroupRow(names.get(key, str(key)), counts[key]) for key in visible]
    return tuple(sorted(shown, key=lambda row: row.name.casefold())), len(counts) - len(shown)


def shown_groups(members: Mapping[K, int], smallest: int) -> set[K]:
    """The groups a breakdown may show on its own line.

    Groups under ``smallest`` members are hidden. So that nobody can work a
    hidden group out by subtracting the shown lines from the total, the hidden
    ones together must also reach ``smallest``: if they do not, the smallest
    shown groups are hidden too (secondary suppression, as statistics offices do).
    """
    shown = sorted((k for k, n in members.items() if n >= smallest), key=lambda k: (members[k], str(k)))
    hidden = sum(n for n in members.values() if n < smallest)
    while 0 < hidden < smallest and shown:
        hidden += members[shown.pop(0)]
    return set(shown)


def about_member(digest: Digest, learner_id: int) -> Named | None:
    """The line of ``digest`` that names this learner, if any."""
    return next((n for n in digest.named if n.learner_id == learner_id), None)
