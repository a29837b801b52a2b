"""Messages the coach sends on its own: the day's invitation, the one reminder, the one question."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from lessons.buttons import Button, RowId, on
from lessons.flows import help, lesson
from lessons.flows.navigation import GoTo
from lessons.i18n import _
from lessons.lesson_library import Library
from lessons.model import Lesson
from lessons.turn import Turn, next_lessons
from storage.records import Learner, Push
from storage.states import PushKind, PushStatus
from storage.unit_of_work import Transaction


@dataclass(frozen=True)
class Snooze(Button, kind="snooze"):
    push: RowId


@dataclass(frozen=True)
class Skip(Button, kind="skip"):
    push: RowId


@dataclass(frozen=True)
class Pace(Button, kind="pace"):
    """The answer to "shall I send lessons less often?", or "no more reminders"."""

    answer: Literal["less", "keep", "quiet"]


@dataclass(frozen=True)
class Invitation:
    """What the day's invitation offers: the next lesson, or (``lesson`` None) review questions only."""

    lesson: Lesson | None


def todays_invitation(tx: Transaction, learner: Learner, library: Library, at: datetime) -> Invitation | None:
    """What an invitation sent at ``at`` offers; None when there is nothing (every lesson done, none due)."""
    return todays_invitations(tx, [learner.id], library, at)[learner.id]


def todays_invitations(
    tx: Transaction, learner_ids: Collection[int], library: Library, at: datetime
) -> dict[int, Invitation | None]:
    """``todays_invitation`` of each of these learners, read in a few queries for all of them."""
    lessons = next_lessons(tx, library, learner_ids)
    reviewing = tx.reviews.any_due([i for i, lesson in lessons.items() if lesson is None], at)
    return {
        i: Invitation(lesson) if lesson is not None or i in reviewing else None
        for i, lesson in lessons.items()
    }


@dataclass(frozen=True)
class Facts:
    """What the messages of a tick's pushes depend on, read at once for all of them."""

    offers: Mapping[int, Invitation | None]  # per learner invited: what the invitation offers
    finished: Mapping[int, set[date]]  # per learner reminded: the days with a finished lesson or review


def facts(tx: Transaction, pushes: Collection[Push], library: Library, now: datetime) -> Facts:
    """The ``Facts`` for sending ``pushes`` at ``now``: a few queries, however many pushes."""
    invited = {p.learner_id for p in pushes if p.kind is PushKind.LESSON}
    reminded = {p.learner_id for p in pushes if p.kind is PushKind.NUDGE}
    return Facts(todays_invitations(tx, invited, library, now), tx.deliveries.finished_dates_of(reminded))


def message(turn: Turn, push: Push, facts: Facts) -> bool:
    """One short message (at ~30 messages/s a push must never be more than one); False if none was due."""
    if push.kind is PushKind.NUDGE:
        return _reminder(turn, push, facts.finished[push.learner_id])
    if push.kind is PushKind.ASK:
        _ask_pace(turn)
        return True
    return _invitation(turn, push, facts.offers[push.learner_id])


def _invitation(turn: Turn, push: Push, offer: Invitation | None) -> bool:
    if offer is None:
        return False
    if offer.lesson is not None:
        text = _(
            "Good day! Your lesson for today is ready: {title} (about {minutes} minutes).",
            title=offer.lesson.title.get(turn.language),
            minutes=offer.lesson.minutes,
        )
    else:
        text = _("Good day! Today you repeat a few questions from earlier lessons, to help you remember.")
    turn.say(
        text,
        [
            GoTo("lesson").choice(_("Start")),
            Snooze(push.id).choice(_("In an hour")),
            Skip(push.id).choice(_("Skip today")),
        ],
    )
    return True


def _own(turn: Turn, push_id: int) -> Push | None:
    return help.owned(turn, turn.tx.pushes.get(push_id))


@on(Snooze)
def snooze(turn: Turn, press: Snooze) -> None:
    push = _own(turn, press.push)
    if push is None:
        return
    if push.local_date != turn.today:
        lesson.todays_lesson(turn)
        return
    turn.tx.pushes.update(push.id, status=PushStatus.SNOOZED, due_at=turn.now + turn.rhythm.snooze)
    turn.say(_("Fine, I will remind you in an hour."))


@on(Skip)
def skip(turn: Turn, press: Skip) -> None:
    push = _own(turn, press.push)
    if push is None:
        return
    turn.tx.pushes.update(push.id, status=PushStatus.SKIPPED)
    turn.say(_("No problem. See you on your next lesson day. Type /lesson if you change your mind."))


def _reminder(turn: Turn, push: Push, finished: set[date]) -> bool:
    if push.local_date in finished:
        return False  # finished between the decision and the send
    turn.say(
        _("A gentle reminder: today's lesson is still waiting for you. It takes only a few minutes."),
        [GoTo("lesson").choice(_("Start")), Pace("quiet").choice(_("No more reminders"))],
    )
    return True


def _ask_pace(turn: Turn) -> None:
    turn.say(
        _(
            "The lessons did not fit into your days lately. That is fine! "
            "Shall I send them less often? I will not ask again."
        ),
        [
            Pace("less").choice(_("Monday, Wednesday and Friday")),
            Pace("keep").choice(_("Keep it as it is")),
            Pace("quiet").choice(_("No more reminders")),
        ],
    )


@on(Pace)
def pace(turn: Turn, press: Pace) -> None:
    """The learner's answer to the question about slowing down (or 'no more reminders')."""
    if press.answer == "less":
        turn.update_learner(weekdays="135", reminders=True)
        turn.say(_("Done: from now on your lessons come on Monday, Wednesday and Friday."))
    elif press.answer == "keep":
        turn.update_learner(reminders=True)
        turn.say(_("Fine, nothing changes."))
    else:
        turn.update_learner(reminders=False)
        turn.say(_("No more reminders. Your lessons still come on your lesson days; /settings changes them."))
