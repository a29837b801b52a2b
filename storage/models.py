"""The tables: one class per thing the coach remembers."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, StateColumn, UTCDateTime
from storage.states import InviteKind, PushKind, PushStatus, ReplyStatus, RoleName, SessionKind, Stage, Step

# A platform's ids of a person, a chat or an event: Matrix allows 255 bytes, Telegram's are numbers.
MAX_PLATFORM_ID = 255


class LearnerRow(Base):
    """A person, known by their platform and that platform's user id."""

    __tablename__ = "learners"
    __table_args__ = (
        UniqueConstraint("platform", "platform_user_id"),
        # The scheduler's question: in this time zone, whose lesson time has come?
        Index("ix_learners_due", "timezone", "delivery_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    platform_user_id: Mapped[str] = mapped_column(String(MAX_PLATFORM_ID))
    chat_id: Mapped[str] = mapped_column(String(MAX_PLATFORM_ID))
    display_name: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    delivery_time: Mapped[time] = mapped_column(Time, default=time(9, 30))
    # ISO weekday digits, Monday = 1: "12345" is Monday to Friday.
    weekdays: Mapped[str] = mapped_column(String(7), default="12345")
    stage: Mapped[Stage] = mapped_column(StateColumn(Stage, 32), default=Stage.NEW)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # False after the learner asked for no reminders (or ignored several and was asked once).
    reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Opted in with /share on: their manager's digest may name them. Nobody is named by default.
    share_name: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Chose "always simpler" in /settings: a card's simpler version, where it has one, comes first.
    always_simpler: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The organisation they joined (by invite): its holidays count, not the deployment's.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When /forget last asked "erase everything?", while that question is open: its
    # buttons name this time, so only they can answer it, and only once.
    erase_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Wrong invite codes typed in a row, and when the first of them (or the pause) began.
    wrong_codes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    wrong_codes_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DeliveryRow(Base):
    """One lesson given to one learner on one local date.

    ``slot`` 0 is the day's own lesson; extra lessons a learner asks for get
    1, 2, ... The unique key makes "give today's lesson" idempotent.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("learner_id", "local_date", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    local_date: Mapped[date] = mapped_column(Date)
    slot: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[SessionKind] = mapped_column(
        StateColumn(SessionKind, 16), default=SessionKind.LESSON, server_default=SessionKind.LESSON.value
    )
    lesson_id: Mapped[str] = mapped_column(String(64))
    lesson_version: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(32))
    # A review's questions, chosen when it starts: "lesson-id/question-id;...".
    items: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    step: Mapped[Step] = mapped_column(StateColumn(Step, 16), default=Step.CARDS)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Options ticked so far in a select-all-that-apply question ("0,2").
    selection: Mapped[str] = mapped_column(String(32), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The longest typed answer kept; a longer one is cut (accepted answers are at most 100 characters).
MAX_RESPONSE = 500


class AnswerRow(Base):
    """A learner's answer to one question of one delivery, counted once."""

    __tablename__ = "answers"
    # A review asks questions of several lessons, whose question ids may repeat.
    __table_args__ = (UniqueConstraint("delivery_id", "lesson_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    # Copied from the lesson when answered, so editing a lesson never rewrites history.
    topic: Mapped[str] = mapped_column(String(32))
    correct: Mapped[bool] = mapped_column(Boolean)
    response: Mapped[str] = mapped_column(String(MAX_RESPONSE))
    # What was chosen, by identity: the options' indexes in the lesson file ("2",
    # "0,3"), "true"/"false", or "" for a typed answer. Options are shown
    # shuffled, so the screen position would say nothing.
    choice: Mapped[str] = mapped_column(String(64), default="", server_default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HandledEventRow(Base):
    """Platform events already handled, so a redelivered event is ignored.

    ``event_id`` is a digest of the adapter's key (which names the bot account
    and the platform's own id), so the table names nobody; rows older than the
    platform's redelivery window are pruned.
    """

    __tablename__ = "handled_events"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(MAX_PLATFORM_ID))
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ReplyRow(Base):
    """The reply outbox: a message the coach decided to send and the platform has not taken yet.

    Written in the same transaction as whatever caused it (an answer, a
    scheduled invitation), so a crash right after the commit loses no reply:
    the next start sends it. Deleted once the platform took it.
    """

    __tablename__ = "replies"
    # Ids are never used again (SQLite would reuse the highest after a delete): an id
    # names its message to the platform, and Matrix keeps one event per transaction id.
    __table_args__ = (Index("ix_replies_waiting", "platform", "status", "id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null for the goodbye after /forget: the person is gone, the message is still owed.
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(255))
    # The neutral reply as JSON (``lessons.chat.encode``).
    content: Mapped[str] = mapped_column(Text)
    # What the platform needs to answer in place (e.g. the pressed Telegram message); opaque here.
    origin: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Past this, a reply not yet out is dropped (an invitation hours late helps nobody).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ReplyStatus] = mapped_column(StateColumn(ReplyStatus, 16), default=ReplyStatus.PENDING)
    # The coach process sending it (``Store.holder``), until when unless it renews: several
    # processes share one outbox, and a reply is sent by one of them only.
    held_by: Mapped[str | None] = mapped_column(String(255))
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SendBudgetRow(Base):
    """A bot's next free send slot, shared by every coach process that sends for it (PostgreSQL)."""

    __tablename__ = "send_budgets"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_slot: Mapped[datetime] = mapped_column(UTCDateTime)


class PushRow(Base):
    """The outbox: one message the coach sends on its own, at most once per learner, day and kind.

    The unique key is what makes a scheduler tick idempotent: two ticks, a
    restart or a catch-up after downtime all try to insert the same row, and
    only one can.
    """

    __tablename__ = "pushes"
    __table_args__ = (UniqueConstraint("learner_id", "local_date", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    local_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[PushKind] = mapped_column(StateColumn(PushKind, 16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[PushStatus] = mapped_column(StateColumn(PushStatus, 16), default=PushStatus.PENDING)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PauseRow(Base):
    """A learner's leave: no lessons, no reminders, no broken streak from start to end (inclusive)."""

    __tablename__ = "pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    # None: until the learner says /resume.
    end_date: Mapped[date | None] = mapped_column(Date)


class ReviewCardRow(Base):
    """Spaced repetition state (FSRS) of one quiz question for one learner."""

    __tablename__ = "review_cards"
    __table_args__ = (UniqueConstraint("learner_id", "lesson_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(32))
    due: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # fsrs.Card.to_json(): the scheduler's own state, kept whole so a newer
    # fsrs can read it back without a schema change here.
    state: Mapped[str] = mapped_column(String(1000))


class PlacementResultRow(Base):
    """Where the placement check found a learner in one topic; every take is kept, to show growth."""

    __tablename__ = "placement_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(32))
    right: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    # The level the learner starts at in this topic: "foundation" or "intermediate".
    level: Mapped[str] = mapped_column(String(16))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrganisationRow(Base):
    """A municipality (or other public body) the deployment serves."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(48))
    country: Mapped[str] = mapped_column(String(2))
    subdivision: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    # Left out of the admin's file: kept (with its history), but no longer offered.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class RegionRow(Base):
    """A region's name as people read it; organisations name their region by its slug."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(48), unique=True)
    # The organisation file gives one name for every language, or names per language.
    name: Mapped[str | None] = mapped_column(String(200))
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class TeamRow(Base):
    """A department of an organisation."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(48))
    name: Mapped[str] = mapped_column(String(200))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class RoleRow(Base):
    """What a learner is where: member or manager of a team, admin of an organisation or region."""

    # No unique key: three of its columns are NULL for any one role, and NULLs never
    # collide in SQL; Roles.grant checks for the same role before adding it.
    __tablename__ = "roles"
    # Digests ask "who is in these teams?" for every team, every week.
    __table_args__ = (Index("ix_roles_team_role", "team_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), index=True)
    # A team role names team_id, org-admin organisation_id, region-admin region.
    role: Mapped[RoleName] = mapped_column(StateColumn(RoleName, 16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    region: Mapped[str | None] = mapped_column(String(48))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InviteRow(Base):
    """An unguessable code that lets people join a team (or take a role) a limited number of times."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[RoleName] = mapped_column(StateColumn(RoleName, 16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    region: Mapped[str | None] = mapped_column(String(48))
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[InviteKind] = mapped_column(
        StateColumn(InviteKind, 16), default=InviteKind.CODE, server_default=InviteKind.CODE.value
    )
    # Withdrawn by an admin: refused from then on; whoever joined with it stays.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """Admin actions, for whoever must answer 'who changed this, and when?'."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[str] = mapped_column(String(2000))


class AnonymousTotalRow(Base):
    """What a learner who used /forget contributed to their team's figures, with nothing that names them.

    One row per team, local week (its Monday) and topic; ``learners_active``
    counts, on the row with topic "", how many of them were active that week,
    and on a topic's row how many of them answered questions in it. Digests add these to the
    live figures, so erasing a person does not rewrite the team's history.
    """

    __tablename__ = "anonymous_totals"
    __table_args__ = (UniqueConstraint("team_id", "week", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    week: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(32))
    learners_active: Mapped[int] = mapped_column(Integer, default=0)
    lessons_completed: Mapped[int] = mapped_column(Integer, default=0)
    answers_right: Mapped[int] = mapped_column(Integer, default=0)
    answers_total: Mapped[int] = mapped_column(Integer, default=0)
