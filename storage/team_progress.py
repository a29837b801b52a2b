"""Figures about groups of learners (teams, organisations, regions) for managers' digests.

Every query takes team ids and aggregates in SQL, so a region with a hundred
thousand learners is still a handful of grouped queries, not one per person.
A learner in two teams of the same organisation counts once in its totals:
members are selected with ``IN (subquery)``, never with a join that would
repeat them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from storage.models import AnonymousTotalRow, AnswerRow, DeliveryRow, LearnerRow, PauseRow, RoleRow, TeamRow
from storage.records import Learner, Pause
from storage.repositories import to_record
from storage.states import LEARNING_SESSIONS, RoleName, SessionKind, Step


@dataclass(frozen=True)
class GroupCounts:
    """One team's (or organisation's) headline figures for a week."""

    members: int
    active: int
    lessons: int


@dataclass(frozen=True)
class GroupScore:
    """Right and total quiz answers of a group, and how many people gave them."""

    topic: str
    right: int
    total: int
    people: int


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


def _members(team_ids: Collection[int]) -> Select[Any]:
    return select(RoleRow.learner_id).where(RoleRow.role == RoleName.MEMBER, RoleRow.team_id.in_(team_ids))


def _members_of(learner_id: int) -> Select[Any]:
    return select(RoleRow.team_id).where(RoleRow.role == RoleName.MEMBER, RoleRow.learner_id == learner_id)


def monday(day: date) -> date:
    """The Monday of ``day``'s week: weeks are ISO weeks everywhere in the digests."""
    return day - timedelta(days=day.weekday())


def _done_between(first: date, last: date) -> list[Any]:
    return [DeliveryRow.step == Step.DONE, DeliveryRow.local_date >= first, DeliveryRow.local_date <= last]


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
        rows = self._s.execute(
            select(DeliveryRow.local_date, func.count())
            .where(DeliveryRow.learner_id.in_(_members(team_ids)), DeliveryRow.kind == SessionKind.LESSON)
            .where(*_done_between(first, last))
            .group_by(DeliveryRow.local_date)
        )
        return {day: int(n) for day, n in rows}

    def active_count(self, team_ids: Collection[int], first: date, last: date) -> int:
        query = select(func.count(func.distinct(DeliveryRow.learner_id))).where(
            DeliveryRow.learner_id.in_(_members(team_ids)),
            DeliveryRow.kind.in_(LEARNING_SESSIONS),
            *_done_between(first, last),
        )
        return int(self._s.scalar(query) or 0)

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
                DeliveryRow.kind.in_(LEARNING_SESSIONS),
                DeliveryRow.step == Step.DONE,
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
            .order_by(AnswerRow.topic)
        )
        return [GroupScore(topic, int(r or 0), int(n), int(p)) for topic, r, n, p in rows]

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
        return GroupScore("", int(right or 0), int(total), int(people))

    def answers_by_team(self, team_ids: Collection[int], first: date, last: date) -> dict[int, GroupScore]:
        """All topics together per team (topic ""): right, total, and how many people answered."""
        right = func.sum(case((AnswerRow.correct, 1), else_=0))
        people = func.count(func.distinct(AnswerRow.learner_id))
        rows = self._s.execute(
            select(RoleRow.team_id, right, func.count(), people)
            .join(AnswerRow, AnswerRow.learner_id == RoleRow.learner_id)
            .join(DeliveryRow, DeliveryRow.id == AnswerRow.delivery_id)
            .where(
                RoleRow.role == RoleName.MEMBER,
                RoleRow.team_id.in_(team_ids),
                DeliveryRow.kind.in_(LEARNING_SESSIONS),
            )
            .where(DeliveryRow.local_date >= first, DeliveryRow.local_date <= last)
            .group_by(RoleRow.team_id)
        )
        return {team_id: GroupScore("", int(r or 0), int(n), int(p)) for team_id, r, n, p in rows}

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

    def counts_by_team(self, team_ids: Collection[int], first: date, last: date) -> dict[int, GroupCounts]:
        """Members, active members and lessons finished per team, for a breakdown table."""
        return self._counts(RoleRow.team_id, team_ids, first, last)

    def counts_by_organisation(
        self, team_ids: Collection[int], first: date, last: date
    ) -> dict[int, GroupCounts]:
        return self._counts(TeamRow.organisation_id, team_ids, first, last)

    def _counts(
        self, group: Any, team_ids: Collection[int], first: date, last: date
    ) -> dict[int, GroupCounts]:
        membership = (
            select(group.label("grp"), RoleRow.learner_id)
            .join(TeamRow, TeamRow.id == RoleRow.team_id)
            .where(RoleRow.role == RoleName.MEMBER, RoleRow.team_id.in_(team_ids))
            .distinct()
            .subquery()
        )
        members: dict[int, int] = dict(
            self._s.execute(
                select(membership.c.grp, func.count(func.distinct(membership.c.learner_id))).group_by(
                    membership.c.grp
                )
            ).all()
        )
        done = _done_between(first, last)
        active: dict[int, int] = dict(
            self._s.execute(
                select(membership.c.grp, func.count(func.distinct(DeliveryRow.learner_id)))
                .join(DeliveryRow, DeliveryRow.learner_id == membership.c.learner_id)
                .where(DeliveryRow.kind.in_(LEARNING_SESSIONS), *done)
                .group_by(membership.c.grp)
            ).all()
        )
        lessons: dict[int, int] = dict(
            self._s.execute(
                select(membership.c.grp, func.count())
                .join(DeliveryRow, DeliveryRow.learner_id == membership.c.learner_id)
                .where(DeliveryRow.kind == SessionKind.LESSON, *done)
                .group_by(membership.c.grp)
            ).all()
        )
        return {
            grp: GroupCounts(int(n), int(active.get(grp, 0)), int(lessons.get(grp, 0)))
            for grp, n in members.items()
        }

    def anonymous_totals(self, team_ids: Collection[int], first: date, last: date) -> list[AnonymousTotal]:
        rows = self._s.scalars(
            select(AnonymousTotalRow).where(
                AnonymousTotalRow.team_id.in_(team_ids),
                AnonymousTotalRow.week >= first,
                AnonymousTotalRow.week <= last,
            )
        )
        return [to_record(AnonymousTotal, r) for r in rows]

    def contribution(self, learner_id: int) -> list[AnonymousTotal]:
        """What one learner adds to each of their teams' figures, per week and topic, without them."""
        teams = list(self._s.scalars(_members_of(learner_id)))
        sessions = self._s.execute(
            select(DeliveryRow.local_date, DeliveryRow.kind, DeliveryRow.topic).where(
                DeliveryRow.learner_id == learner_id,
                DeliveryRow.kind.in_(LEARNING_SESSIONS),
                DeliveryRow.step == Step.DONE,
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
