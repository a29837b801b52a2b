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
from datetime import UTC, datetime, timedelta
from pathlib import Path

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
from lessons.rhythm import Rhythm
from lessons.tick import Tick
from lessons.turn import DEFAULT_CHARTS, Turn, finish_after_commit, spoken_language
from storage.records import Learner
from storage.states import Stage
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
        self._tick = Tick(store, self.rhythm, self._turn)

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
                language = spoken_language(tx, learner, hint)
                with use_locale(language):
                    turn = self._turn(tx, learner, now, sender.address)
                    self._dispatch(turn, event)
            finish_after_commit([turn])
            return turn.replies
        except Exception:
            log.exception("could not handle %r", event)
            with use_locale(language):
                apology = _(
                    "Sorry, something went wrong on my side. Nothing you did is lost. "
                    "Please try again in a moment."
                )
            return [Reply(sender.address, apology)]

    def _turn(self, tx: Transaction, learner: Learner, now: datetime, address: Address) -> Turn:
        return Turn(tx, learner, self.library, now, address, self.rhythm, self._charts)

    def unreachable(self, event: ChatUnreachable) -> None:
        """A platform refuses a chat: stop sending there until the person writes again."""
        with self._store.transaction() as tx:
            count = tx.learners.deactivate_chat(event.address.platform, event.address.chat_id)
        log.info("%s chat %s unreachable: %d learner(s) inactive", *astuple(event.address), count)

    def deliver_due(self, now: datetime | None = None) -> list[Reply]:
        """The scheduler's tick (see ``lessons.tick``): plan what has come due, return what to send."""
        return self._tick.deliver_due((now or self._clock()).astimezone(UTC))

    def plan_due(self, now: datetime) -> None:
        """Only the planning half of a tick: write the outbox rows that are due (benchmarks, tools)."""
        self._tick.plan_due(now.astimezone(UTC))

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
