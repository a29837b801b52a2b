"""The coach: takes one neutral event, returns the replies.

Each event is handled in one database transaction, together with the record
that its platform event id was handled, so a redelivered event is dropped and
a crash half-way loses nothing that was confirmed. The engine never imports a
chat platform library.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import astuple
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from lessons.chat import (
    Address,
    ChatUnreachable,
    ChoiceSelected,
    Command,
    Event,
    Reply,
    Sender,
    TextMessage,
)
from lessons.flows import (
    digest,
    help,
    invitation,
    leave,
    lesson,
    onboarding,
    placement,
    privacy,
    progress,
    settings,
)
from lessons.i18n import _, supported, use_locale
from lessons.lesson_library import Library
from lessons.model import DEFAULT_LANGUAGE
from lessons.reminders import ReminderFacts, decide
from lessons.rhythm import Rhythm
from lessons.schedule import due_at, lesson_time_window, spread_offset
from lessons.turn import DEFAULT_CHARTS, Turn, organisation_calendar
from storage.records import Learner, Push
from storage.states import CHAT_PUSHES, VIEWER_ROLES, PushKind, PushStatus, Stage
from storage.unit_of_work import Store, Transaction

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


COMMANDS: dict[str, Callable[[Turn, str], None]] = {
    "start": onboarding.start,
    "lesson": lambda turn, _args: lesson.todays_lesson(turn),
    "progress": lambda turn, _args: progress.show(turn),
    "settings": lambda turn, _args: settings.show(turn),
    "help": lambda turn, _args: help.show(turn),
    "mydata": lambda turn, _args: privacy.my_data(turn),
    "forget": lambda turn, _args: privacy.ask_to_forget(turn),
    "pause": leave.ask,
    "check": lambda turn, _args: placement.start(turn) if turn.learner.set_up else onboarding.resume(turn),
    "resume": lambda turn, _args: leave.resume(turn),
    "digest": lambda turn, _args: digest.on_demand(turn),
    "share": digest.share,
    "whatmymanagersees": lambda turn, _args: digest.what_my_manager_sees(turn),
}

DIGEST_CATCH_UP = timedelta(days=3)


class BadChoiceError(Exception):
    """A choice id that is not one the coach made: forged, truncated or garbage."""


def _int(text: str) -> int:
    if not text.isdigit() or len(text) > 12:
        raise BadChoiceError(text)
    return int(text)


def _arg(args: list[str], index: int) -> str:
    if index >= len(args):
        raise BadChoiceError(":".join(args))
    return args[index]


def _go(turn: Turn, where: str) -> None:
    targets = {"lesson": lesson.todays_lesson, "later": onboarding.later, "progress": progress.show}
    if where not in targets:
        raise BadChoiceError(where)
    targets[where](turn)


def _on_time(turn: Turn, value: str) -> None:
    parsed = (
        onboarding.parse_time(f"{value[:2]}:{value[2:]}") if len(value) == 4 and value.isdigit() else None
    )
    if parsed is None or turn.learner.stage not in (Stage.TIME, Stage.SETTING_TIME):
        if turn.learner.set_up:
            settings.show(turn)
        else:
            onboarding.resume(turn)
        return
    onboarding.choose_time(turn, parsed)


# Choice ids are "<kind>:<arguments>"; reading the arguments raises BadChoiceError on a malformed id.
CHOICES: dict[str, Callable[[Turn, list[str]], None]] = {
    "lang": lambda turn, a: onboarding.choose_language(turn, _arg(a, 0)),
    "ok": lambda turn, a: onboarding.accept_privacy(turn),
    "time": lambda turn, a: _on_time(turn, _arg(a, 0)),
    "go": lambda turn, a: _go(turn, _arg(a, 0)),
    "more": lambda turn, a: lesson.another_lesson(turn),
    "review": lambda turn, a: lesson.start_review(turn),
    "next": lambda turn, a: lesson.next_card(turn, _int(_arg(a, 0)), _int(_arg(a, 1))),
    "ans": lambda turn, a: lesson.answer(turn, _int(_arg(a, 0)), _int(_arg(a, 1)), _arg(a, 2)),
    "tick": lambda turn, a: lesson.tick(turn, _int(_arg(a, 0)), _int(_arg(a, 1)), _int(_arg(a, 2))),
    "done": lambda turn, a: lesson.submit_ticks(turn, _int(_arg(a, 0)), _int(_arg(a, 1))),
    "set": lambda turn, a: settings.change(turn, _arg(a, 0)),
    "day": lambda turn, a: settings.toggle_day(turn, _int(_arg(a, 0))),
    "forget": lambda turn, a: privacy.forget(turn, _arg(a, 0) == "yes"),
    "snooze": lambda turn, a: invitation.snooze(turn, _int(_arg(a, 0))),
    "skip": lambda turn, a: invitation.skip(turn, _int(_arg(a, 0))),
    "pause": lambda turn, a: leave.pause(turn, _int(_arg(a, 0))),
    "pace": lambda turn, a: invitation.pace(turn, _arg(a, 0)),
    "check": lambda turn, a: placement.start(turn) if turn.learner.set_up else onboarding.resume(turn),
    "share": lambda turn, a: digest.set_sharing(turn, _arg(a, 0) == "on"),
}


class Coach:
    """Handles events for every learner on every platform."""

    def __init__(
        self,
        store: Store,
        library: Library | Callable[[], Library],
        clock: Clock = system_clock,
        rhythm: Rhythm | None = None,
        charts: Path | None = None,
    ) -> None:
        self._store = store
        self._charts = charts or DEFAULT_CHARTS
        # A callable lets the app swap in a reloaded library between events.
        self._library = library if callable(library) else (lambda: library)
        self._clock = clock
        self.rhythm = rhythm or Rhythm()
        # Up to when lesson times have been planned. The first tick looks back
        # the whole catch-up window; later ones only since the previous tick,
        # so a tick costs what one minute of learners costs, not three hours'.
        self._planned_through: datetime | None = None

    @property
    def library(self) -> Library:
        return self._library()

    def handle(self, event: Event) -> list[Reply]:
        """Handle one event in one transaction; never raises for a learner's input."""
        sender = event.sender
        now = self._clock().astimezone(UTC)
        hint = supported(sender.language_hint)
        language = hint or DEFAULT_LANGUAGE
        try:
            with self._store.transaction() as tx:
                if event.event_id is not None and not tx.events.claim(sender.platform, event.event_id, now):
                    log.info("dropping duplicate event %s/%s", sender.platform, event.event_id)
                    return []
                learner = self._learner(tx, sender, now)
                language = learner.locale or hint or self._organisation_language(tx, learner)
                with use_locale(language):
                    turn = self._turn(tx, learner, now, sender.address)
                    self._dispatch(turn, event)
            self._after_commit(turn)
            return turn.replies
        except Exception:
            log.exception("could not handle %r", event)
            with use_locale(language):
                apology = _(
                    "Sorry, something went wrong on my side. Nothing you did is lost. "
                    "Please try again in a moment."
                )
            return [Reply(sender.address, apology)]

    @staticmethod
    def _organisation_language(tx: Transaction, learner: Learner) -> str:
        """For someone who has not chosen a language: their organisation's, else the default."""
        if learner.organisation_id is None:
            return DEFAULT_LANGUAGE
        return tx.organisations.get(learner.organisation_id).language

    def _turn(self, tx: Transaction, learner: Learner, now: datetime, address: Address) -> Turn:
        return Turn(tx, learner, self.library, now, address, self.rhythm, self._charts)

    @staticmethod
    def _after_commit(*turns: Turn) -> None:
        for turn in turns:
            for work in turn.after_commit:
                try:
                    work()
                except Exception:
                    # The reply still goes out; adapters describe a missing picture in words.
                    log.exception("could not finish %r after the transaction", work)

    def unreachable(self, event: ChatUnreachable) -> None:
        """A platform refuses a chat: stop sending there until the person writes again."""
        with self._store.transaction() as tx:
            count = tx.learners.deactivate_chat(event.address.platform, event.address.chat_id)
        log.info("%s chat %s unreachable: %d learner(s) inactive", *astuple(event.address), count)

    def deliver_due(self, now: datetime | None = None) -> list[Reply]:
        """The scheduler's tick: plan today's invitations that are due, and return what to send.

        Planning writes one outbox row per (learner, local date) under a unique
        key and sending marks it sent in the same transaction, so overlapping
        ticks, restarts and catch-up after downtime never send a day twice.
        Marking before the network send means a crash right after loses that
        one invitation rather than repeating it: the learner can still type
        /lesson, and nobody is messaged twice.
        """
        now = (now or self._clock()).astimezone(UTC)
        turns: list[Turn] = []
        with self._store.transaction() as tx:
            planned_through = self._plan(tx, now)
            pushes = tx.pushes.due(now, self.rhythm.sends_per_tick, kinds=CHAT_PUSHES)
            pushes += tx.pushes.due(now, self.rhythm.digests_per_tick, kinds=(PushKind.DIGEST,))
            for push in pushes:
                learner = tx.learners.get(push.learner_id)
                if not self._still_wanted(push, learner, now):
                    tx.pushes.update(push.id, status=PushStatus.EXPIRED)
                    continue
                tx.pushes.update(push.id, status=PushStatus.SENT, sent_at=now)
                with use_locale(learner.locale or self._organisation_language(tx, learner)):
                    turn = self._turn(tx, learner, now, Address(learner.platform, learner.chat_id))
                    if push.kind is PushKind.DIGEST:
                        tx.pushes.update(push.id, status=self._digest(turn))
                    else:
                        invitation.message(turn, push)
                    turns.append(turn)
        self._after_commit(*turns)
        replies = [reply for turn in turns for reply in turn.replies]
        self._planned_through = planned_through
        return replies

    @staticmethod
    def _digest(turn: Turn) -> PushStatus:
        """Send one reader's digests; the push's new status. A failing digest never stops the tick."""
        try:
            return PushStatus.SENT if digest.scheduled(turn) else PushStatus.CANCELLED
        except Exception:
            log.exception("could not make the digest for learner %d", turn.learner.id)
            turn.replies.clear()
            turn.after_commit.clear()
            return PushStatus.FAILED

    def _still_wanted(self, push: Push, learner: Learner, now: datetime) -> bool:
        if not learner.active:
            return False
        if push.kind is PushKind.DIGEST:
            # A manager back after a long weekend still wants last week's figures.
            return now - push.due_at <= DIGEST_CATCH_UP
        return learner.set_up and now - push.due_at <= self.rhythm.catch_up

    def plan_due(self, now: datetime) -> None:
        """Only the planning half of a tick: write the outbox rows that are due (benchmarks, tools)."""
        with self._store.transaction() as tx:
            planned_through = self._plan(tx, now.astimezone(UTC))
        self._planned_through = planned_through

    def _plan(self, tx: Transaction, now: datetime) -> datetime:
        """Write the outbox rows that have come due; return the instant planned through.

        The caller records that instant only after the transaction committed.
        """
        rhythm = self.rhythm
        since = now - rhythm.catch_up
        if self._planned_through is not None:
            since = max(since, self._planned_through)
        # Each organisation's own public holidays; the deployment's for everyone else.
        # Looked up only for organisations that have someone due, once per date.
        working_days: dict[tuple[int | None, date], bool] = {}

        def working(organisation_id: int | None, day: date) -> bool:
            if (organisation_id, day) not in working_days:
                calendar = organisation_calendar(tx, organisation_id, rhythm)
                working_days[(organisation_id, day)] = calendar.holiday(day) is None
            return working_days[(organisation_id, day)]

        for timezone in tx.learners.timezones():
            today = now.astimezone(ZoneInfo(timezone)).date()
            not_before, until = lesson_time_window(since, now, timezone)
            due = tx.learners.due_for_lesson(timezone, today, not_before, until)
            tx.pushes.add_once(
                (
                    learner_id,
                    today,
                    PushKind.LESSON,
                    due_at(today, at, timezone, spread_offset(learner_id, rhythm.spread)),
                )
                for learner_id, at, organisation in due
                if working(organisation, today)
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

    @staticmethod
    def _learner(tx: Transaction, sender: Sender, now: datetime) -> Learner:
        learner = tx.learners.find(sender.platform, sender.user_id)
        if learner is None:
            return tx.learners.add(
                platform=sender.platform,
                platform_user_id=sender.user_id,
                chat_id=sender.chat_id,
                display_name=sender.display_name,
                locale=None,
                now=now,
            )
        if learner.chat_id != sender.chat_id or not learner.active:
            # Writing to the coach again shows the chat works (again): unblocked, or a new chat.
            learner = tx.learners.update(learner.id, chat_id=sender.chat_id, active=True)
        return learner

    def _dispatch(self, turn: Turn, event: Event) -> None:
        if isinstance(event, Command):
            handler = COMMANDS.get(event.name.lower())
            if handler is None:
                help.not_understood(turn)
            else:
                handler(turn, event.args)
        elif isinstance(event, ChoiceSelected):
            kind, _sep, rest = event.choice_id.partition(":")
            choice = CHOICES.get(kind)
            try:
                if choice is None:
                    raise BadChoiceError(event.choice_id)
                choice(turn, rest.split(":"))
            except BadChoiceError:
                # Arguments are read before a flow changes anything: nothing is half-done.
                help.button_not_valid(turn)
        elif isinstance(event, TextMessage):
            self._text(turn, event.text)

    @staticmethod
    def _text(turn: Turn, text: str) -> None:
        stage = turn.learner.stage
        if stage in (Stage.TIME, Stage.SETTING_TIME):
            parsed = onboarding.parse_time(text)
            if parsed is None:
                turn.say(_("Please type a time like 09:30, or pick one of the buttons."))
                onboarding.ask_time(turn)
            else:
                onboarding.choose_time(turn, parsed)
        elif stage is Stage.READY and lesson.typed_answer(turn, text):
            return
        elif not stage.set_up:
            onboarding.resume(turn)
        else:
            help.not_understood(turn)
