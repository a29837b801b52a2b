"""Figures about groups of learners (teams, organisations, regions) for managers' digests.

Every query takes team ids and aggregates in SQL, so a region with a hundred
thousand learners is still a handful of grouped queries, not one per person.
A learner in two teams of the same organisation counts once in its totals:
members are selected with ``IN (subquery)``, never with a join that would
repeat them.

What counts, the same in every digest, the export and ``/whatmymanagersees``:
a member is a learner with a member role in the group now (``_members``);
active means a member who finished a lesson or review that week
(``_learning_done``), so a person who used /forget is neither. Lessons and
quiz answers also keep what such former members did (the anonymous totals),
and every figure says how much of it that is (``FormerPart``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from storage.models import AnonymousTotalRow, AnswerRow, DeliveryRow, LearnerRow, PauseRow, RoleRow, TeamRow
from storage.records import Learner, Pause
from storage.repositories import to_record
from storage.states import LEARNING_SESSIONS, SET_UP, RoleName, SessionKind, Step


@dataclass(frozen=True)
class FormerPart:
    """How much of a figure former members (learners who used /forget) gave, and how many of them."""

    amount: int = 0
    # Former members active that week (for lessons) or who answered (for answers): never a name.
    people: int = 0


NOBODY_FORMER = FormerPart()


@dataclass(frozen=True)
class GroupCounts:
    """A group's headline figures for a week: members and active members now, lessons ever taken."""

    members: int
    active: int
    # Former members' lessons included: their part is ``by_former``.
    lessons: int
    by_former: FormerPart = NOBODY_FORMER


@dataclass(frozen=True)
class GroupScore:
    """Right and total quiz answers of a group, and how many people gave them, former members included."""

    topic: str
    right: int
    total: int
    people: int
    by_former: FormerPart = NOBODY_FORMER


@dataclass(frozen=True)
class Adoption:
    """How far a group's members got in the rollout: joined, finished onboarding, finished a lesson."""

    members: int
    onboarded: int
    first_lesson: int


# What a figure is counted per: a team, an organisation, or the whole group asked about.
Grouping = Literal["team", "organisation", "all"]


@dataclass(frozen=True)
class AnonymousTotal:
    team_id: int
    week: date
    topic: str
    # On the "" row: forgotten learners active that week; on a topic's row: who answered in it.
    learners_active: int
    lessons_completed: int
    answers_right: int
    answers_total: int


def _is_member(team_ids: Collection[int]) -> list[ColumnElement[bool]]:
    """The one meaning of 'member': a member role in one of these teams, today."""
    return [RoleRow.role == RoleName.MEMBER, RoleRow.team_id.in_(team_ids)]


def _members(team_ids: Collection[int]) -> Select[Any]:
    return select(RoleRow.learner_id).where(*_is_member(team_ids))


def _members_of(learner_id: int) -> Select[Any]:
    return select(RoleRow.team_id).where(RoleRow.role == RoleName.MEMBER, RoleRow.learner_id == learner_id)


def monday(day: date) -> date:
    """The Monday of ``day``'s week: weeks are ISO weeks everywhere in the digests."""
    return day - timedelta(days=day.weekday())


def _on_days(first: date, last: date) -> list[ColumnElement[bool]]:
    return [DeliveryRow.local_date >= first, DeliveryRow.local_date <= last]


def _done_between(first: date, last: date) -> list[ColumnElement[bool]]:
    return [DeliveryRow.step == Step.DONE, *_on_days(first, last)]


def _learning_done() -> list[ColumnElement[bool]]:
    """The one meaning of 'active': a finished lesson or review (on the days asked about)."""
    return [DeliveryRow.kind.in_(LEARNING_SESSIONS), DeliveryRow.step == Step.DONE]


def _group(by: Grouping, team_id: Any) -> tuple[Any, list[Any]]:
    """What a query that joins ``TeamRow`` on ``team_id`` selects as its group, and groups by.

    For everything together the group is the constant 0, selected but not grouped by:
    SQLite and PostgreSQL both read a number in GROUP BY as a column's position.
    """
    if by == "team":
        return team_id, [team_id]
    if by == "organisation":
        return TeamRow.organisation_id, [TeamRow.organisation_id]
    return literal_column("0"), []


def _kept_between(team_ids: Collection[int], first: date, last: date) -> list[ColumnElement[bool]]:
    """Anonymous totals of these teams for the weeks that start between ``first`` and ``last``."""
    return [
        AnonymousTotalRow.team_id.in_(team_ids),
        AnonymousTotalRow.week >= first,
        AnonymousTotalRow.week <= last,
    ]


def _score(topic: str, live: tuple[int, int, int] | None, former: tuple[int, int, int] | None) -> GroupScore:
    """Members' and former members' answers together: (right, total, people) of each."""
    right, total, people = live or (0, 0, 0)
    former_right, former_total, former_people = former or (0, 0, 0)
    return GroupScore(
        topic,
        right + former_right,
        total + former_total,
        people + former_people,
        FormerPart(former_total, former_people),
    )


class TeamProgress:
    def __init__(self, session: Session) -> None:
        self._s = session

    def member_ids(self, team_ids: Collection[int]) -> list[int]:
        return list(self._s.scalars(_members(team_ids).distinct().order_by(RoleRow.learner_id)))

    def members(self, team_ids: Collection[int]) -> list[Learner]:
        rows = self._s.scalars(
            select(LearnerRow).where(LearnerRow.id.in_(_members(team_ids))).order_by(LearnerRow.id)
        )
        return [to_record(Learner, r) for r in rows]

    def lessons_by_date(self, team_ids: Collection[int], first: date, last: date) -> dict[date, int]:
        """Lessons today's members finished, per day; former members' are in ``former_lessons_by_week``."""
        rows = self._s.execute(
            select(DeliveryRow.local_date, func.count())
            .where(DeliveryRow.learner_id.in_(_members(team_ids)), DeliveryRow.kind == SessionKind.LESSON)
            .where(*_done_between(first, last))
            .group_by(DeliveryRow.local_date)
        )
        return {day: int(n) for day, n in rows}

    def former_lessons_by_week(
        self, team_ids: Collection[int], first: date, last: date
    ) -> dict[date, FormerPart]:
        """Former members' lessons per week (its Monday) that starts between ``first`` and ``last``."""
        return {
            week: part for (_grp, week), part in self._former_lessons("all", team_ids, first, last).items()
        }

    def is_active(self, learner_id: int, team_ids: Collection[int], first: date, last: date) -> bool:
        """Whether the learner counts among the active members of these teams, by the digests' own rule."""
        query = select(DeliveryRow.id).where(
            DeliveryRow.learner_id == learner_id,
            DeliveryRow.learner_id.in_(_members(team_ids)),
            *_learning_done(),
            *_on_days(first, last),
        )
        return self._s.scalar(query.limit(1)) is not None

    def lessons_per_learner(self, learner_ids: Collection[int], first: date, last: date) -> dict[int, int]:
        rows = self._s.execute(
            select(DeliveryRow.learner_id, func.count())
            .where(DeliveryRow.learner_id.in_(learner_ids), DeliveryRow.kind == SessionKind.LESSON)
            .where(*_done_between(first, last))
            .group_by(DeliveryRow.learner_id)
        )
        return {learner_id: int(n) for learner_id, n in rows}

    def session_dates(self, team_ids: Collection[int], first: date) -> dict[int, set[date]]:
        """Per member, the days since ``first`` with a finished lesson or review (for streaks)."""
        rows = self._s.execute(
            select(DeliveryRow.learner_id, DeliveryRow.local_date)
            .where(
                DeliveryRow.learner_id.in_(_members(team_ids)),
                *_learning_done(),
                DeliveryRow.local_date >= first,
            )
            .distinct()
        )
        dates: dict[int, set[date]] = defaultdict(set)
        for learner_id, day in rows:
            dates[learner_id].add(day)
        return dates

    def pauses(self, team_ids: Collection[int]) -> dict[int, list[Pause]]:
        rows = self._s.scalars(select(PauseRow).where(PauseRow.learner_id.in_(_members(team_ids))))
        pauses: dict[int, list[Pause]] = defaultdict(list)
        for row in rows:
            pauses[row.learner_id].append(to_record(Pause, row))
        return pauses

    def answers_by_topic(self, team_ids: Collection[int], first: date, last: date) -> list[GroupScore]:
        """Right and total answers per topic, and by how many people, in lessons and reviews of those days."""
        right = func.sum(case((AnswerRow.correct, 1), else_=0))
        people = func.count(func.distinct(AnswerRow.learner_id))
        rows = self._s.execute(
            select(AnswerRow.topic, right, func.count(), people)
            .join(DeliveryRow, DeliveryRow.id == AnswerRow.delivery_id)
            .where(AnswerRow.learner_id.in_(_members(team_ids)), DeliveryRow.kind.in_(LEARNING_SESSIONS))
            .where(DeliveryRow.local_date >= first, DeliveryRow.local_date <= last)
            .group_by(AnswerRow.topic)
        )
        live = {topic: (int(r or 0), int(n), int(p)) for topic, r, n, p in rows}
        # Each former member adds one to a topic's row when they answered in it: their sum is exact.
        former = self._former_answers(AnonymousTotalRow.topic, func.sum, team_ids, first, last)
        return [
            _score(topic, live.get(topic), former.get(topic)) for topic in sorted(live.keys() | former.keys())
        ]

    def answers_overall(self, team_ids: Collection[int], first: date, last: date) -> GroupScore:
        """All topics together (topic ""): right, total, and how many people answered."""
        query = (
            select(func.sum(case((AnswerRow.correct, 1), else_=0)), func.count(),
                   func.count(func.distinct(AnswerRow.learner_id)))
            .join(DeliveryRow, DeliveryRow.id == AnswerRow.delivery_id)
            .where(AnswerRow.learner_id.in_(_members(team_ids)), DeliveryRow.kind.in_(LEARNING_SESSIONS))
            .where(DeliveryRow.local_date >= first, DeliveryRow.local_date <= last)
        )  # fmt: skip
        right, total, people = self._s.execute(query).one()
        former = self._former_answers(None, func.max, team_ids, first, last)
        return _score("", (int(right or 0), int(total), int(people)), former.get(None))

    def answers_by_team(self, team_ids: Collection[int], first: date, last: date) -> dict[int, GroupScore]:
        """All topics together per team (topic ""): right, total, and how many people answered."""
        right = func.sum(case((AnswerRow.correct, 1), else_=0))
        people = func.count(func.distinct(AnswerRow.learner_id))
        rows = self._s.execute(
            select(RoleRow.team_id, right, func.count(), people)
            .join(AnswerRow, AnswerRow.learner_id == RoleRow.learner_id)
            .join(DeliveryRow, DeliveryRow.id == AnswerRow.delivery_id)
            .where(*_is_member(team_ids), DeliveryRow.kind.in_(LEARNING_SESSIONS))
            .where(DeliveryRow.local_date >= first, DeliveryRow.local_date <= last)
            .group_by(RoleRow.team_id)
        )
        live = {team_id: (int(r or 0), int(n), int(p)) for team_id, r, n, p in rows}
        former = self._former_answers(AnonymousTotalRow.team_id, func.max, team_ids, first, last)
        return {team: _score("", live.get(team), former.get(team)) for team in live.keys() | former.keys()}

    def _former_answers(
        self, group: Any | None, people: Any, team_ids: Collection[int], first: date, last: date
    ) -> dict[Any, tuple[int, int, int]]:
        """Former members' right and total answers per ``group`` (None: all together), and how many answered.

        Over several topics who answered is counted low (``func.max``), never high: a former
        member counts once per team and week however many topics they answered in.
        """
        query = select(
            func.sum(AnonymousTotalRow.answers_right),
            func.sum(AnonymousTotalRow.answers_total),
            people(AnonymousTotalRow.learners_active),
        ).where(*_kept_between(team_ids, first, last), AnonymousTotalRow.topic != "")
        if group is None:
            right, total, answered = self._s.execute(query).one()
            return {None: (int(right or 0), int(total or 0), int(answered or 0))}
        rows = self._s.execute(query.add_columns(group).group_by(group))
        return {key: (int(r or 0), int(n or 0), int(p or 0)) for r, n, p, key in rows}

    def wrong_by_lesson(
        self, team_ids: Collection[int], topic: str, first: date, last: date
    ) -> dict[str, int]:
        rows = self._s.execute(
            select(AnswerRow.lesson_id, func.count())
            .join(DeliveryRow, DeliveryRow.id == AnswerRow.delivery_id)
            .where(AnswerRow.learner_id.in_(_members(team_ids)), AnswerRow.topic == topic)
            .where(~AnswerRow.correct, DeliveryRow.local_date >= first, DeliveryRow.local_date <= last)
            .group_by(AnswerRow.lesson_id)
        )
        return {lesson_id: int(n) for lesson_id, n in rows}

    def counts(self, team_ids: Collection[int], first: date, last: date) -> GroupCounts:
        """Members, active members and lessons of all these teams together."""
        return self._counts("all", team_ids, first, last).get(0, GroupCounts(0, 0, 0))

    def counts_by_team(self, team_ids: Collection[int], first: date, last: date) -> dict[int, GroupCounts]:
        """Members, active members and lessons finished per team, for a breakdown table."""
        return self._counts("team", team_ids, first, last)

    def counts_by_organisation(
        self, team_ids: Collection[int], first: date, last: date
    ) -> dict[int, GroupCounts]:
        return self._counts("organisation", team_ids, first, last)

    def adoption(self, by: Grouping, team_ids: Collection[int]) -> dict[int, Adoption]:
        """Members per group, and how many of them are set up and finished a lesson (ever): counts only."""
        group, _grouped_by = _group(by, RoleRow.team_id)
        membership = (
            select(group.label("grp"), RoleRow.learner_id)
            .join(TeamRow, TeamRow.id == RoleRow.team_id)
            .where(*_is_member(team_ids))
            .distinct()
            .subquery()
        )
        finished = select(DeliveryRow.learner_id).where(
            DeliveryRow.kind == SessionKind.LESSON, DeliveryRow.step == Step.DONE
        )
        rows = self._s.execute(
            select(
                membership.c.grp,
                func.count(),
                func.sum(case((LearnerRow.stage.in_(SET_UP), 1), else_=0)),
                func.sum(case((LearnerRow.id.in_(finished), 1), else_=0)),
            )
            .join(LearnerRow, LearnerRow.id == membership.c.learner_id)
            .group_by(membership.c.grp)
        )
        return {int(grp): Adoption(int(m), int(o or 0), int(f or 0)) for grp, m, o, f in rows}

    def _counts(
        self, by: Grouping, team_ids: Collection[int], first: date, last: date
    ) -> dict[int, GroupCounts]:
        """Every headline figure of every digest and export line, for all groups at once."""
        group, _grouped_by = _group(by, RoleRow.team_id)  # grouped below, by the subquery's column
        membership = (
            select(group.label("grp"), RoleRow.learner_id)
            .join(TeamRow, TeamRow.id == RoleRow.team_id)
            .where(*_is_member(team_ids))
            .distinct()
            .subquery()
        )
        # One pass over every member and their finished lessons and reviews of those days, if any:
        # a lesson is a learning session too, so the same rows give members, active and lessons.
        learned = self._s.execute(
            select(
                membership.c.grp,
                func.count(func.distinct(membership.c.learner_id)),
                func.count(func.distinct(DeliveryRow.learner_id)),
                func.sum(case((DeliveryRow.kind == SessionKind.LESSON, 1), else_=0)),
            )
            .outerjoin(
                DeliveryRow,
                and_(
                    DeliveryRow.learner_id == membership.c.learner_id,
                    *_learning_done(),
                    *_on_days(first, last),
                ),
            )
            .group_by(membership.c.grp)
        )
        live = {
            int(grp): (int(members), int(active), int(lessons or 0))
            for grp, members, active, lessons in learned
        }
        former: dict[int, FormerPart] = defaultdict(FormerPart)
        for (grp, _week), part in self._former_lessons(by, team_ids, first, last).items():
            former[grp] = FormerPart(former[grp].amount + part.amount, former[grp].people + part.people)
        figures = {
            grp: GroupCounts(m, a, n + former[grp].amount, former[grp]) for grp, (m, a, n) in live.items()
        }
        # A group whose members all used /forget still has its history: it is a group of no members.
        for grp, part in former.items():
            if part.amount and grp not in figures:
                figures[grp] = GroupCounts(0, 0, part.amount, part)
        return figures

    def _former_lessons(
        self, by: Grouping, team_ids: Collection[int], first: date, last: date
    ) -> dict[tuple[int, date], FormerPart]:
        """Former members' lessons per group and week, and how many of them were active that week."""
        group, grouped_by = _group(by, AnonymousTotalRow.team_id)
        rows = self._s.execute(
            select(
                group,
                AnonymousTotalRow.week,
                func.sum(AnonymousTotalRow.lessons_completed),
                # The "" row of a team and week counts its former members who were active.
                func.sum(case((AnonymousTotalRow.topic == "", AnonymousTotalRow.learners_active), else_=0)),
            )
            .join(TeamRow, TeamRow.id == AnonymousTotalRow.team_id)
            .where(*_kept_between(team_ids, first, last))
            .group_by(*grouped_by, AnonymousTotalRow.week)
        )
        return {(int(g), week): FormerPart(int(n or 0), int(p or 0)) for g, week, n, p in rows if n}

    def contribution(self, learner_id: int) -> list[AnonymousTotal]:
        """What one learner adds to each of their teams' figures, per week and topic, without them."""
        teams = list(self._s.scalars(_members_of(learner_id)))
        sessions = self._s.execute(
            select(DeliveryRow.local_date, DeliveryRow.kind, DeliveryRow.topic).where(
                DeliveryRow.learner_id == learner_id, *_learning_done()
            )
        ).all()
        answers = self._s.execute(
            select(DeliveryRow.local_date, AnswerRow.topic, AnswerRow.correct)
            .join(DeliveryRow, DeliveryRow.id == AnswerRow.delivery_id)
            .where(AnswerRow.learner_id == learner_id, DeliveryRow.kind.in_(LEARNING_SESSIONS))
        ).all()
        # (week, topic) -> [active, lessons, right, total]
        sums: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for day, kind, topic in sessions:
            sums[(monday(day), "")][0] = 1
            if kind == SessionKind.LESSON:
                sums[(monday(day), topic)][1] += 1
        for day, topic, correct in answers:
            sums[(monday(day), topic)][0] = 1  # answered in this topic that week
            sums[(monday(day), topic)][2] += int(correct)
            sums[(monday(day), topic)][3] += 1
        return [
            AnonymousTotal(team_id, week, topic, *figures)
            for team_id in teams
            for (week, topic), figures in sorted(sums.items())
        ]

    def keep_anonymously(self, totals: Iterable[AnonymousTotal]) -> None:
        """Add a forgotten learner's contribution to the anonymous totals of their teams."""
        for total in totals:
            row = self._s.scalar(
                select(AnonymousTotalRow).where(
                    AnonymousTotalRow.team_id == total.team_id,
                    AnonymousTotalRow.week == total.week,
                    AnonymousTotalRow.topic == total.topic,
                )
            )
            if row is None:
                row = AnonymousTotalRow(
                    team_id=total.team_id,
                    week=total.week,
                    topic=total.topic,
                    learners_active=0,
                    lessons_completed=0,
                    answers_right=0,
                    answers_total=0,
                )
                self._s.add(row)
            row.learners_active += total.learners_active
            row.lessons_completed += total.lessons_completed
            row.answers_right += total.answers_right
            row.answers_total += total.answers_total
        self._s.flush()
