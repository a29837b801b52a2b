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

A tick asks the database the same few questions however many learners are
due: what it needs to know of them is read for all of them at once, and the
outbox rows and the replies are written in bulk.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lessons import outbox
from lessons.chat import Address, Outgoing
from lessons.flows import digest, invitation
from lessons.i18n import use_locale
from lessons.lesson_library import Library
from lessons.reminders import ReminderFacts, decide
from lessons.rhythm import Rhythm
from lessons.schedule import due_at, lesson_time_window, spread_offset
from lessons.turn import Turn, calendars_of, finish_after_commit, spoken_languages
from storage.records import Learner, LessonWindow, Pause, Push
from storage.states import CHAT_PUSHES, VIEWER_ROLES, PushKind, PushStatus
from storage.unit_of_work import Store, Transaction

log = logging.getLogger(__name__)

# A manager back after a long weekend still wants last week's figures.
DIGEST_CATCH_UP = timedelta(days=3)
# How far back reminders sent count when deciding the next one (ignored in a row, this week's).
REMINDER_MEMORY = timedelta(days=60)
# Lesson invitations one tick plans at most; the next tick plans on. Planning outpaces
# sending many times over (``Rhythm.sends_per_tick``), and a tick holds SQLite's write
# lock and the app's turn while it runs: 25,000 take at most 0.74 s of CPU here
# (benchmarks/fanout.py), where 100,000 due at once took over two seconds.
PLAN_PER_TICK = 25_000
# Digests one turn at the database makes at most (``Tick.deliver_digests``); a tick makes up to
# ``Rhythm.digests_per_tick`` in turns of this many. A digest's turn takes about 57 ms of CPU
# with its chart (median, 6-90 ms), and a learner's press waits for the turn in hand: 5 keep
# that wait near 0.3 s, where a Monday tick's 60 digests in one turn held every press ~3.4 s.
DIGESTS_PER_TURN = 5

MakeTurn = Callable[[Transaction, Learner, datetime, Address], Turn]


def invitations_due(
    tx: Transaction, rhythm: Rhythm, windows: Collection[LessonWindow], limit: int | None = None
) -> Iterator[tuple[int, date, datetime]]:
    """(learner id, local date, when) of the lesson invitations due in each time zone's window.

    The one rule of who gets a lesson invitation: the database's conditions
    (set up, active, a lesson day, not on a break, none planned yet) and the
    learner's organisation's public holidays, which the query leaves out too,
    so a ``limit`` never fills up with learners who have the day off.
    """
    days = {window.timezone: window.local_date for window in windows}
    closed = closed_on(tx, rhythm, set(days.values()))
    lesson_times: dict[tuple[str, time], datetime] = {}
    for learner_id, timezone, at in tx.learners.due_for_lesson(windows, closed, limit):
        day = days[timezone]
        # Many learners share a lesson time: its instant is worked out once.
        if (timezone, at) not in lesson_times:
            lesson_times[timezone, at] = due_at(day, at, timezone)
        yield learner_id, day, lesson_times[timezone, at] + spread_offset(learner_id, rhythm.spread)


def closed_on(tx: Transaction, rhythm: Rhythm, days: Collection[date]) -> dict[date, set[int | None]]:
    """Per date, the organisations on a public holiday (None: the deployment's own calendar,
    for learners of no organisation). Organisations are few; their calendars fewer."""
    calendars = calendars_of(tx.organisations.all(), rhythm)
    closed: dict[date, set[int | None]] = {}
    for day in days:
        off = {calendar for calendar in set(calendars.values()) if calendar.holiday(day) is not None}
        closed[day] = {i for i, calendar in calendars.items() if calendar in off}
    return closed


class Tick:
    def __init__(
        self, store: Store, rhythm: Rhythm, make_turn: MakeTurn, library: Callable[[], Library]
    ) -> None:
        self._store = store
        self.rhythm = rhythm
        self._make_turn = make_turn
        self._library = library
        # Up to when lesson times have been planned. The first tick looks back
        # the whole catch-up window; later ones only since the previous tick,
        # so a tick costs what one minute of learners costs, not three hours'.
        self._planned_through: datetime | None = None

    def deliver_due(self, now: datetime, digests: int | None = None) -> list[Outgoing]:
        """Plan what has come due; store what to send now in the reply outbox, and return it.

        ``digests``: how many managers' digests this transaction makes at most
        (``Rhythm.digests_per_tick`` unless given; the app gives 0 and makes
        them with ``deliver_digests``, a few to a turn).
        """
        limit = self.rhythm.digests_per_tick if digests is None else digests
        kept, _taken = self._deliver(now, self.rhythm.sends_per_tick, limit, plan=True)
        return kept

    def deliver_digests(self, now: datetime, limit: int) -> tuple[list[Outgoing], int]:
        """Make at most ``limit`` of the digests due, in one transaction: what it stored, and how
        many due digests it took (made, or given up as no longer wanted); fewer than ``limit``
        means none is left."""
        return self._deliver(now, 0, limit, plan=False)

    def _deliver(self, now: datetime, chats: int, digests: int, plan: bool) -> tuple[list[Outgoing], int]:
        turns: list[Turn] = []
        to_keep: list[outbox.ToKeep] = []
        with self._store.transaction() as tx:
            planned_through = self._plan(tx, now) if plan else None
            pushes = tx.pushes.due(now, chats, kinds=CHAT_PUSHES) if chats else []
            taken = tx.pushes.due(now, digests, kinds=(PushKind.DIGEST,)) if digests else []
            pushes += taken
            learners = tx.learners.get_many({push.learner_id for push in pushes})
            wanted = [push for push in pushes if self._still_wanted(push, learners[push.learner_id], now)]
            tx.pushes.update_all({p.id for p in pushes} - {p.id for p in wanted}, status=PushStatus.EXPIRED)
            languages = spoken_languages(tx, [learners[push.learner_id] for push in wanted])
            facts = invitation.facts(tx, wanted, self._library(), now)
            settled: defaultdict[PushStatus, list[int]] = defaultdict(list)
            for push in wanted:
                learner = learners[push.learner_id]
                with use_locale(languages[learner.id]):
                    turn = self._make_turn(tx, learner, now, Address(learner.platform, learner.chat_id))
                    status = self._send(turn, push, facts)
                settled[status].append(push.id)
                # Nobody asked for these just now: they ring the learner's phone.
                ringing = [dataclasses.replace(reply, notify=True) for reply in turn.replies]
                to_keep.append(outbox.ToKeep(learner.id, ringing, push.due_at + self._lifetime(push)))
                turns.append(turn)
            kept = outbox.keep_all(tx, to_keep, now)
            for status, ids in settled.items():
                tx.pushes.update_all(ids, status=status, sent_at=now if status is PushStatus.SENT else None)
        finish_after_commit(turns)
        if planned_through is not None:
            self._planned_through = planned_through
        return kept, len(taken)

    def plan_due(self, now: datetime) -> None:
        """Only the planning half of a tick: write the outbox rows that are due (benchmarks, tools)."""
        with self._store.transaction() as tx:
            planned_through = self._plan(tx, now)
        self._planned_through = planned_through

    def _send(self, turn: Turn, push: Push, facts: invitation.Facts) -> PushStatus:
        """The push's message; CANCELLED when there is nothing to say (every lesson done, nothing due)."""
        if push.kind is PushKind.DIGEST:
            return self._digest(turn)
        return PushStatus.SENT if invitation.message(turn, push, facts) else PushStatus.CANCELLED

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
        windows = [lesson_time_window(since, now, timezone) for timezone in tx.learners.timezones()]
        due = list(invitations_due(tx, rhythm, windows, PLAN_PER_TICK))
        tx.pushes.add_once((learner_id, day, PushKind.LESSON, at) for learner_id, day, at in due)
        for window in windows:
            self._plan_digests(tx, window)
        self._plan_reminders(tx, now)
        # More were due than one tick plans: the next tick looks at the same stretch again
        # (those planned now are left out by the rule, as already planned).
        return now if len(due) < PLAN_PER_TICK else since

    def _plan_digests(self, tx: Transaction, window: LessonWindow) -> None:
        """On the digest day, when its time passes in this time zone: one digest push per reader."""
        rhythm = self.rhythm
        timezone, today, not_before, until = window
        if today.isoweekday() != rhythm.digest_weekday or not not_before <= rhythm.digest_time <= until:
            return
        readers = tx.roles.viewers_in(timezone, VIEWER_ROLES)
        at = due_at(today, rhythm.digest_time, timezone)
        tx.pushes.add_once((learner_id, today, PushKind.DIGEST, at) for learner_id in readers)

    def _plan_reminders(self, tx: Transaction, now: datetime) -> None:
        """Decide once per unfinished day whether it gets the one reminder (or the question)."""
        rhythm = self.rhythm
        sent_until = now - rhythm.nudge_after
        awaiting = tx.pushes.awaiting_reminder(sent_until - rhythm.catch_up, sent_until, rhythm.catch_up)
        if not awaiting:
            return
        ids = {push.learner_id for push in awaiting}
        learners = tx.learners.get_many(ids)
        finished = tx.deliveries.finished_dates_of(ids)
        sent = tx.pushes.reminders_since_of(ids, min(push.local_date for push in awaiting) - REMINDER_MEMORY)
        pauses = tx.pauses.all_of(ids)
        asked: set[int] = set()
        decided: defaultdict[PushStatus, list[tuple[int, date, PushKind, datetime]]] = defaultdict(list)
        for push in awaiting:
            learner = learners[push.learner_id]
            facts = self._reminder_facts(
                learner, push.local_date, now, finished[learner.id], sent[learner.id], pauses[learner.id]
            )
            choice = decide(facts)
            if choice is PushKind.ASK:
                # Asked once, then left alone until the learner answers (another of their days here too).
                learners[learner.id] = dataclasses.replace(learner, reminders=False)
                asked.add(learner.id)
            # A day decided against a reminder keeps a cancelled one, so it is decided once.
            status = PushStatus.CANCELLED if choice is None else PushStatus.PENDING
            decided[status].append((learner.id, push.local_date, choice or PushKind.NUDGE, now))
        tx.learners.update_all(asked, reminders=False)
        for status, rows in decided.items():
            tx.pushes.add_once(rows, status=status)

    def _reminder_facts(
        self,
        learner: Learner,
        day: date,
        now: datetime,
        finished: set[date],
        sent: list[Push],
        pauses: list[Pause],
    ) -> ReminderFacts:
        """What decides the day's reminder, from the learner's finished days, reminders sent and pauses."""
        rhythm = self.rhythm
        since = day - timedelta(days=6)
        # Read from the tick's earliest day on: this day remembers less far back.
        sent = [reminder for reminder in sent if reminder.local_date >= day - REMINDER_MEMORY]
        ignored = 0
        for reminder in sent:  # newest first
            if reminder.local_date in finished:
                break
            ignored += 1
        return ReminderFacts(
            reminders_on=learner.reminders and learner.active,
            on_leave=any(p.covers(day) for p in pauses),
            finished_that_day=day in finished,
            local_time=now.astimezone(ZoneInfo(learner.timezone)).time(),
            working_hours=rhythm.working_hours,
            sent_this_week=sum(r.local_date >= since for r in sent),
            per_week=rhythm.nudges_per_week,
            ignored_in_a_row=ignored,
            ask_after=rhythm.ignored_nudges_before_asking,
        )
