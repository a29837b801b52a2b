"""The scheduler's tick: plan what has come due (invitations, reminders, digests) and send it.

Planning writes one outbox row per (learner, local date, kind) under a unique
key; sending marks it sent and stores its message in the reply outbox
(``lessons.outbox``) in the same transaction, so overlapping ticks, restarts
and catch-up after downtime never make a day's message twice, and a crash
after the commit still sends it: the reply outbox goes out at the next start,
as long as the message is still worth sending (the catch-up window).

Who is due for a lesson on a day is one rule (``Learners.due_for_lesson``,
plus the organisation's public holidays), read by the tick and by the admin's
``schedule preview`` alike, through ``invitations_due``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lessons import outbox
from lessons.chat import Address, Outgoing
from lessons.flows import digest, invitation
from lessons.i18n import use_locale
from lessons.reminders import ReminderFacts, decide
from lessons.rhythm import Rhythm
from lessons.schedule import due_at, lesson_time_window, spread_offset
from lessons.turn import Turn, finish_after_commit, organisation_calendar, spoken_language
from storage.records import Learner, Push
from storage.states import CHAT_PUSHES, VIEWER_ROLES, PushKind, PushStatus
from storage.unit_of_work import Store, Transaction

log = logging.getLogger(__name__)

# A manager back after a long weekend still wants last week's figures.
DIGEST_CATCH_UP = timedelta(days=3)

MakeTurn = Callable[[Transaction, Learner, datetime, Address], Turn]


def invitations_due(
    tx: Transaction, rhythm: Rhythm, timezone: str, day: date, not_before: time, until: time
) -> Iterator[tuple[int, datetime]]:
    """(learner id, when) of the lesson invitations due in ``timezone`` on ``day`` between two local times.

    The one rule of who gets a lesson invitation: the database's conditions
    (set up, active, a lesson day, not on a break, none planned yet) and the
    learner's organisation's public holidays.
    """
    working_days: dict[int | None, bool] = {}
    for learner_id, at, organisation in tx.learners.due_for_lesson(timezone, day, not_before, until):
        # Looked up only for organisations that have someone due, once each.
        if organisation not in working_days:
            working_days[organisation] = organisation_calendar(tx, organisation, rhythm).holiday(day) is None
        if working_days[organisation]:
            yield learner_id, due_at(day, at, timezone, spread_offset(learner_id, rhythm.spread))


class Tick:
    def __init__(self, store: Store, rhythm: Rhythm, make_turn: MakeTurn) -> None:
        self._store = store
        self.rhythm = rhythm
        self._make_turn = make_turn
        # Up to when lesson times have been planned. The first tick looks back
        # the whole catch-up window; later ones only since the previous tick,
        # so a tick costs what one minute of learners costs, not three hours'.
        self._planned_through: datetime | None = None

    def deliver_due(self, now: datetime) -> list[Outgoing]:
        """Plan what has come due; store what to send now in the reply outbox, and return it."""
        turns: list[Turn] = []
        kept: list[Outgoing] = []
        with self._store.transaction() as tx:
            planned_through = self._plan(tx, now)
            pushes = tx.pushes.due(now, self.rhythm.sends_per_tick, kinds=CHAT_PUSHES)
            pushes += tx.pushes.due(now, self.rhythm.digests_per_tick, kinds=(PushKind.DIGEST,))
            for push in pushes:
                learner = tx.learners.get(push.learner_id)
                if not self._still_wanted(push, learner, now):
                    tx.pushes.update(push.id, status=PushStatus.EXPIRED)
                    continue
                with use_locale(spoken_language(tx, learner)):
                    turn = self._make_turn(tx, learner, now, Address(learner.platform, learner.chat_id))
                    status = self._digest(turn) if push.kind is PushKind.DIGEST else self._message(turn, push)
                tx.pushes.update(push.id, status=status, sent_at=now if status is PushStatus.SENT else None)
                # Nobody asked for these just now: they ring the learner's phone.
                ringing = [dataclasses.replace(reply, notify=True) for reply in turn.replies]
                kept += outbox.keep(tx, learner.id, ringing, now, push.due_at + self._lifetime(push))
                turns.append(turn)
        finish_after_commit(turns)
        self._planned_through = planned_through
        return kept

    def plan_due(self, now: datetime) -> None:
        """Only the planning half of a tick: write the outbox rows that are due (benchmarks, tools)."""
        with self._store.transaction() as tx:
            planned_through = self._plan(tx, now)
        self._planned_through = planned_through

    @staticmethod
    def _message(turn: Turn, push: Push) -> PushStatus:
        """The push's message; CANCELLED when there is nothing to say (every lesson done, nothing due)."""
        return PushStatus.SENT if invitation.message(turn, push) else PushStatus.CANCELLED

    @staticmethod
    def _digest(turn: Turn) -> PushStatus:
        """Send one reader's digests. A failing digest never stops the tick."""
        try:
            return PushStatus.SENT if digest.scheduled(turn) else PushStatus.CANCELLED
        except Exception:
            log.exception("could not make the digest for learner %d", turn.learner.id)
            turn.replies.clear()
            turn.after_commit.clear()
            return PushStatus.FAILED

    def _lifetime(self, push: Push) -> timedelta:
        """How long after its time a scheduled message is still worth sending."""
        return DIGEST_CATCH_UP if push.kind is PushKind.DIGEST else self.rhythm.catch_up

    def _still_wanted(self, push: Push, learner: Learner, now: datetime) -> bool:
        if not learner.active or now - push.due_at > self._lifetime(push):
            return False
        return push.kind is PushKind.DIGEST or learner.set_up

    def _plan(self, tx: Transaction, now: datetime) -> datetime:
        """Write the outbox rows that have come due; return the instant planned through.

        The caller records that instant only after the transaction committed.
        """
        rhythm = self.rhythm
        since = now - rhythm.catch_up
        if self._planned_through is not None:
            since = max(since, self._planned_through)
        for timezone in tx.learners.timezones():
            today = now.astimezone(ZoneInfo(timezone)).date()
            not_before, until = lesson_time_window(since, now, timezone)
            tx.pushes.add_once(
                (learner_id, today, PushKind.LESSON, at)
                for learner_id, at in invitations_due(tx, rhythm, timezone, today, not_before, until)
            )
            self._plan_digests(tx, timezone, today, not_before, until)
        self._plan_reminders(tx, now)
        return now

    def _plan_digests(
        self, tx: Transaction, timezone: str, today: date, not_before: time, until: time
    ) -> None:
        """On the digest day, when its time passes in this time zone: one digest push per reader."""
        rhythm = self.rhythm
        if today.isoweekday() != rhythm.digest_weekday or not not_before <= rhythm.digest_time <= until:
            return
        readers = tx.roles.viewers_in(timezone, VIEWER_ROLES)
        at = due_at(today, rhythm.digest_time, timezone)
        tx.pushes.add_once((learner_id, today, PushKind.DIGEST, at) for learner_id in readers)

    def _plan_reminders(self, tx: Transaction, now: datetime) -> None:
        """Decide once per unfinished day whether it gets the one reminder (or the question)."""
        rhythm = self.rhythm
        sent_until = now - rhythm.nudge_after
        for push in tx.pushes.awaiting_reminder(sent_until - rhythm.catch_up, sent_until):
            learner = tx.learners.get(push.learner_id)
            choice = decide(self._reminder_facts(tx, learner, push.local_date, now))
            if choice is PushKind.ASK:
                # Asked once, then left alone until the learner answers.
                tx.learners.update(learner.id, reminders=False)
            # A day decided against a reminder keeps a cancelled one, so it is decided once.
            status = PushStatus.CANCELLED if choice is None else PushStatus.PENDING
            tx.pushes.add_once([(learner.id, push.local_date, choice or PushKind.NUDGE, now)], status=status)

    def _reminder_facts(self, tx: Transaction, learner: Learner, day: date, now: datetime) -> ReminderFacts:
        rhythm = self.rhythm
        finished = tx.deliveries.finished_dates(learner.id)
        since = day - timedelta(days=6)
        sent = tx.pushes.reminders_since(learner.id, day - timedelta(days=60))
        ignored = 0
        for reminder in sent:  # newest first
            if reminder.local_date in finished:
                break
            ignored += 1
        return ReminderFacts(
            reminders_on=learner.reminders and learner.active,
            on_leave=any(p.covers(day) for p in tx.pauses.all_for(learner.id)),
            finished_that_day=day in finished,
            local_time=now.astimezone(ZoneInfo(learner.timezone)).time(),
            working_hours=rhythm.working_hours,
            sent_this_week=sum(r.local_date >= since for r in sent),
            per_week=rhythm.nudges_per_week,
            ignored_in_a_row=ignored,
            ask_after=rhythm.ignored_nudges_before_asking,
        )
