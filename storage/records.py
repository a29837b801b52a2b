"""Plain records the repositories return: no ORM object leaves ``storage``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import NamedTuple, TypedDict

from storage.states import (
    InviteKind,
    InviteState,
    PushKind,
    PushStatus,
    ReplyStatus,
    RoleName,
    SessionKind,
    Stage,
    Step,
)


@dataclass(frozen=True)
class Learner:
    id: int
    platform: str
    platform_user_id: str
    chat_id: str
    display_name: str | None
    locale: str | None
    timezone: str
    delivery_time: time
    weekdays: str
    stage: Stage
    active: bool
    reminders: bool
    share_name: bool
    always_simpler: bool
    organisation_id: int | None
    created_at: datetime
    erase_asked_at: datetime | None
    wrong_codes: int
    wrong_codes_since: datetime | None

    @property
    def set_up(self) -> bool:
        """Onboarded: see ``storage.states.SET_UP``."""
        return self.stage.set_up

    @property
    def weekday_numbers(self) -> frozenset[int]:
        """ISO weekday numbers (Monday = 1) the learner gets lessons on."""
        return frozenset(int(d) for d in self.weekdays)


@dataclass(frozen=True)
class Delivery:
    id: int
    learner_id: int
    local_date: date
    slot: int
    kind: SessionKind
    lesson_id: str
    lesson_version: int
    topic: str
    items: str
    step: Step
    position: int
    selection: str
    started_at: datetime
    completed_at: datetime | None

    @property
    def done(self) -> bool:
        return self.step is Step.DONE

    @property
    def review_items(self) -> list[tuple[str, str]]:
        """A review's (lesson id, question id) pairs, in the order they are asked."""
        return [tuple(item.split("/", 1)) for item in self.items.split(";") if "/" in item]  # type: ignore[misc]


@dataclass(frozen=True)
class Answer:
    id: int
    delivery_id: int
    learner_id: int
    lesson_id: str
    question_id: str
    topic: str
    correct: bool
    response: str
    answered_at: datetime
    choice: str


@dataclass(frozen=True)
class TopicScore:
    topic: str
    right: int
    total: int


class LessonWindow(NamedTuple):
    """The lesson times from ``not_before`` to ``until`` on ``local_date`` in one time zone."""

    timezone: str
    local_date: date
    not_before: time
    until: time


@dataclass(frozen=True)
class Push:
    id: int
    learner_id: int
    local_date: date
    kind: PushKind
    due_at: datetime
    status: PushStatus
    sent_at: datetime | None


class NewReply(NamedTuple):
    """A reply to store in the outbox (``Replies.add``)."""

    learner_id: int | None  # whose it is; None: owed to nobody on record (a goodbye, an apology)
    platform: str
    chat_id: str
    content: str  # ``lessons.chat.encode``
    origin: str | None  # the message whose button was pressed, for the reply to edit
    expires_at: datetime


@dataclass(frozen=True)
class StoredReply:
    """A reply in the outbox: to whom, what (``lessons.chat.encode``), and until when it is worth sending."""

    id: int
    learner_id: int | None
    platform: str
    chat_id: str
    content: str
    origin: str | None
    created_at: datetime
    expires_at: datetime
    status: ReplyStatus


@dataclass(frozen=True)
class Pause:
    id: int
    learner_id: int
    start_date: date
    end_date: date | None

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class ReviewCard:
    id: int
    learner_id: int
    lesson_id: str
    question_id: str
    topic: str
    due: datetime
    state: str


@dataclass(frozen=True)
class PlacementResult:
    id: int
    learner_id: int
    topic: str
    right: int
    total: int
    level: str
    taken_at: datetime


@dataclass(frozen=True)
class Organisation:
    id: int
    slug: str
    name: str
    region: str | None
    country: str
    subdivision: str | None
    timezone: str
    language: str
    archived: bool


@dataclass(frozen=True)
class Region:
    id: int
    slug: str
    name: str | None
    names: dict[str, str]


@dataclass(frozen=True)
class Team:
    id: int
    organisation_id: int
    slug: str
    name: str
    archived: bool


@dataclass(frozen=True)
class Role:
    id: int
    learner_id: int
    role: RoleName
    team_id: int | None
    organisation_id: int | None
    region: str | None
    granted_at: datetime


@dataclass(frozen=True)
class Invite:
    id: int
    code: str
    role: RoleName
    team_id: int | None
    organisation_id: int | None
    region: str | None
    max_uses: int
    uses: int
    expires_at: datetime
    created_at: datetime
    kind: InviteKind
    revoked_at: datetime | None

    def state(self, now: datetime) -> InviteState:
        """Its column in the rollout view: a code used once counts as used, whatever became of it."""
        if self.uses:
            return InviteState.USED
        if self.revoked_at is not None:
            return InviteState.REVOKED
        return InviteState.EXPIRED if self.expires_at <= now else InviteState.UNUSED

    def open(self, now: datetime) -> bool:
        """Whether it can still be used: not revoked, not expired, not used up."""
        return self.revoked_at is None and now < self.expires_at and self.uses < self.max_uses


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    details: str


# What a repository's ``update`` may change, field by field: a misspelt name is
# a type error for mypy and a TypeError at run time, never a silent no-op.


class LearnerChanges(TypedDict, total=False):
    chat_id: str
    display_name: str | None
    locale: str | None
    timezone: str
    delivery_time: time
    weekdays: str
    stage: Stage
    active: bool
    reminders: bool
    share_name: bool
    always_simpler: bool
    organisation_id: int | None
    erase_asked_at: datetime | None
    wrong_codes: int
    wrong_codes_since: datetime | None


class DeliveryChanges(TypedDict, total=False):
    local_date: date
    slot: int
    step: Step
    position: int
    selection: str
    completed_at: datetime | None


class PushChanges(TypedDict, total=False):
    status: PushStatus
    due_at: datetime
    sent_at: datetime | None


class OrganisationChanges(TypedDict, total=False):
    name: str
    region: str | None
    country: str
    subdivision: str | None
    timezone: str
    language: str
    archived: bool


class RegionChanges(TypedDict, total=False):
    name: str | None
    names: dict[str, str]


class TeamChanges(TypedDict, total=False):
    name: str
    archived: bool
