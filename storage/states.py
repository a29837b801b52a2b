"""The named states a stored row can be in, and the one predicate on each that several places ask.

Each enum keeps the strings the database has always stored (a ``StrEnum``
compares equal to its value), so no migration is needed and a row written by
an older version reads back as the same member. Nothing outside this module
spells one of these strings.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Where a learner is in onboarding; READY and SETTING_TIME are set up."""

    NEW = "new"
    LANGUAGE = "language"
    PRIVACY = "privacy"
    TIME = "time"
    READY = "ready"
    # A learner who is already set up and changes their lesson time in /settings.
    SETTING_TIME = "setting-time"

    @property
    def set_up(self) -> bool:
        """Onboarded: lessons come, and every command works."""
        return self in SET_UP


# The "this learner is set up" rule: the SQL that selects who is due and every
# flow read this one set.
SET_UP: frozenset[Stage] = frozenset({Stage.READY, Stage.SETTING_TIME})


class SessionKind(StrEnum):
    """What a delivery is: a lesson's cards and quiz, review questions, or the placement check."""

    LESSON = "lesson"
    REVIEW = "review"
    PLACEMENT = "placement"


# Sessions that are a day's learning (the placement check is not).
LEARNING_SESSIONS: frozenset[SessionKind] = frozenset({SessionKind.LESSON, SessionKind.REVIEW})


class Step(StrEnum):
    """Where a session is: reading cards, answering, finished, or closed because its lesson is gone."""

    CARDS = "cards"
    QUIZ = "quiz"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def closed(self) -> bool:
        return self in CLOSED


CLOSED: frozenset[Step] = frozenset({Step.DONE, Step.DROPPED})


class PushKind(StrEnum):
    """A message the coach sends on its own."""

    LESSON = "lesson"  # the day's invitation
    NUDGE = "nudge"  # the one reminder when the day's lesson was left unfinished
    ASK = "ask"  # the one question, after ignored reminders, whether to slow down
    DIGEST = "digest"  # a manager's weekly digests


# Pushes sent to a learner's chat as one short message each; digests are paced on their own.
CHAT_PUSHES: tuple[PushKind, ...] = (PushKind.LESSON, PushKind.NUDGE, PushKind.ASK)
REMINDERS: tuple[PushKind, ...] = (PushKind.NUDGE, PushKind.ASK)


class PushStatus(StrEnum):
    PENDING = "pending"  # not sent yet
    SENT = "sent"
    SNOOZED = "snoozed"  # due again later ("in an hour")
    SKIPPED = "skipped"  # "skip today"
    EXPIRED = "expired"  # too late after downtime, or no longer wanted
    CANCELLED = "cancelled"  # nothing to say: a reminder found unneeded, nobody left to digest for
    FAILED = "failed"  # see the log


# Pushes still waiting to go out.
WAITING: tuple[PushStatus, ...] = (PushStatus.PENDING, PushStatus.SNOOZED)


class ReplyStatus(StrEnum):
    """A stored reply that is not out yet; one the platform took is deleted at once."""

    PENDING = "pending"  # to send, in order per chat
    FAILED = "failed"  # the platform refused it for good (see the log)
    EXPIRED = "expired"  # its lifetime ended before the platform could take it


class RoleName(StrEnum):
    """What a learner is where."""

    MEMBER = "member"  # of a team
    MANAGER = "manager"  # of a team
    ORG_ADMIN = "org-admin"  # of an organisation
    REGION_ADMIN = "region-admin"  # of a region

    @property
    def in_a_team(self) -> bool:
        return self in TEAM_ROLES

    @property
    def reads_digests(self) -> bool:
        return self in VIEWER_ROLES


TEAM_ROLES: tuple[RoleName, ...] = (RoleName.MEMBER, RoleName.MANAGER)
# Roles that receive digests, in the order their digests come.
VIEWER_ROLES: tuple[RoleName, ...] = (RoleName.MANAGER, RoleName.ORG_ADMIN, RoleName.REGION_ADMIN)


class InviteKind(StrEnum):
    """What an invite code was made for: ``invite create``, a team's poster, or one person of a staff list."""

    CODE = "code"
    # Multi-use and long-lived, one open code per team: printing the poster again shows the same code.
    POSTER = "poster"
    # Single-use, one per person; the coach keeps only the code and the team, never who it was for.
    STAFF_LIST = "staff-list"


class InviteState(StrEnum):
    """Where an invite code is in the rollout view: used at least once, or why never."""

    USED = "used"
    UNUSED = "unused"  # still valid, waiting for its first use
    EXPIRED = "expired"  # its time ran out unused
    REVOKED = "revoked"  # an admin withdrew it unused


class NotDue(StrEnum):
    """Why a learner gets no lesson invitation on a date: the conditions of ``Learners.due_for_lesson``."""

    SETTING_UP = "setting up"
    INACTIVE = "inactive"
    NOT_A_LESSON_DAY = "not a lesson day"
    ON_A_BREAK = "on a break"
    DONE_TODAY = "done today"
    ALREADY_PLANNED = "already planned"
