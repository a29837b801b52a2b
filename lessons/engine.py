"""The coach: takes one neutral event, returns the replies.

Each event is handled in one database transaction, together with the record
that its platform event id was handled and the replies it causes (the reply
outbox, ``lessons.outbox``): a redelivered event is dropped, a crash half-way
loses nothing that was confirmed, and a crash after the commit loses no
reply. The engine never imports a chat platform library.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import astuple
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lessons import buttons, commands, flows, inbound, outbox
from lessons.chat import (
    Address,
    ChatUnreachable,
    ChoiceSelected,
    Command,
    Event,
    Outgoing,
    Reply,
    Sender,
    TextMessage,
)
from lessons.flows import help, onboarding, privacy, session
from lessons.flows.navigation import GoTo
from lessons.i18n import _, supported, use_locale
from lessons.lesson_library import Library
from lessons.model import DEFAULT_LANGUAGE
from lessons.rhythm import Rhythm
from lessons.tick import Tick
from lessons.turn import DEFAULT_CHARTS, Turn, finish_after_commit, spoken_language
from storage.records import Learner
from storage.states import ReplyStatus, Stage
from storage.unit_of_work import Store, Transaction

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def handled_key(event_id: str) -> str:
    """What the handled-events table keeps of an event id: a digest, so the table names nobody."""
    return hashlib.sha256(event_id.encode()).hexdigest()[:40]


def system_clock() -> datetime:
    return datetime.now(UTC)


class Coach:
    """Handles events for every learner on every platform."""

    def __init__(
        self,
        store: Store,
        library: Library | Callable[[], Library],
        clock: Clock = system_clock,
        rhythm: Rhythm | None = None,
        charts: Path | None = None,
        read_aloud: frozenset[str] = frozenset(),
    ) -> None:
        self._store = store
        self._charts = charts or DEFAULT_CHARTS
        # The languages the bot can read a card aloud in (``bot.speech``); none, no button.
        self._read_aloud = read_aloud
        # A callable lets the app swap in a reloaded library between events.
        self._library = library if callable(library) else (lambda: library)
        self._clock = clock
        self.rhythm = rhythm or Rhythm()
        self._tick = Tick(store, self.rhythm, self._turn, self._library)
        # Every flow declares its commands and buttons when imported.
        flows.load_all()

    @property
    def library(self) -> Library:
        return self._library()

    def handle(self, event: Event) -> list[Outgoing]:
        """Handle one event in one transaction; its replies, stored for sending. Never raises for input."""
        cleaned = inbound.clean(event)
        if cleaned is None:
            return []
        event = cleaned
        sender = event.sender
        now = self._clock().astimezone(UTC)
        hint = supported(sender.language_hint)
        language = hint or DEFAULT_LANGUAGE
        expires_at = now + self.rhythm.reply_lifetime
        try:
            with self._store.transaction() as tx:
                if event.event_id is not None and not tx.events.claim(
                    sender.platform, handled_key(event.event_id), now
                ):
                    log.info("dropping duplicate event %s/%s", sender.platform, event.event_id)
                    return []
                learner = self._learner(tx, sender, now)
                language = spoken_language(tx, learner, hint)
                with use_locale(language):
                    turn = self._turn(tx, learner, now, sender.address)
                    self._dispatch(turn, event)
                owner = None if turn.forgotten else learner.id
                origin = event.origin if isinstance(event, ChoiceSelected) else None
                kept = outbox.keep(tx, owner, turn.replies, now, expires_at, origin)
            finish_after_commit([turn])
            return kept
        except Exception:
            # Ids only: the event's text is the learner's and stays out of the logs.
            log.exception(
                "could not handle %s %s from %s", type(event).__name__, event.event_id, sender.platform
            )
            with use_locale(language):
                apology = _(
                    "Sorry, something went wrong on my side. Nothing you did is lost. "
                    "Please try again in a moment."
                )
            with self._store.transaction() as tx:
                return outbox.keep(tx, None, [Reply(sender.address, apology)], now, expires_at)

    def waiting(self, platform: str, after: int = 0, limit: int = 500) -> list[Outgoing]:
        """Stored replies to ``platform`` this process may send, oldest first (after a restart, or missed)."""
        now = self._clock().astimezone(UTC)
        with self._store.transaction() as tx:
            return [outbox.outgoing(stored) for stored in tx.replies.waiting(platform, limit, now, after)]

    def keep_sending(self, platforms: Collection[str]) -> None:
        """Renew this process's hold on its replies to ``platforms``; free those to other platforms."""
        now = self._clock().astimezone(UTC)
        with self._store.transaction() as tx:
            tx.replies.keep_holding(platforms, now)

    def sent(self, ids: Collection[int]) -> None:
        """The platform took these replies."""
        with self._store.transaction() as tx:
            tx.replies.delivered(ids)

    def not_sent(self, ids: Collection[int], why: ReplyStatus) -> None:
        """These replies will never go out: refused for good, or too late."""
        with self._store.transaction() as tx:
            tx.replies.settle(ids, why)

    def tidy(self, redelivery: Mapping[str, timedelta]) -> None:
        """Forget handled events a platform can no longer send again, and long-settled unsent replies."""
        now = self._clock().astimezone(UTC)
        with self._store.transaction() as tx:
            for platform, window in redelivery.items():
                tx.events.prune(platform, window)
            tx.replies.prune(now - outbox.KEEP_UNSENT)

    def _turn(self, tx: Transaction, learner: Learner, now: datetime, address: Address) -> Turn:
        return Turn(tx, learner, self.library, now, address, self.rhythm, self._charts, self._read_aloud)

    def unreachable(self, event: ChatUnreachable) -> None:
        """A platform refuses a chat: stop sending there until the person writes again."""
        with self._store.transaction() as tx:
            count = tx.learners.deactivate_chat(event.address.platform, event.address.chat_id)
        log.info("%s chat %s unreachable: %d learner(s) inactive", *astuple(event.address), count)

    def deliver_due(self, now: datetime | None = None, digests: int | None = None) -> list[Outgoing]:
        """The scheduler's tick (see ``lessons.tick``): plan what has come due; the replies it stored.

        ``digests``: at most this many managers' digests (``Rhythm.digests_per_tick`` unless given).
        """
        return self._tick.deliver_due((now or self._clock()).astimezone(UTC), digests)

    def deliver_digests(self, limit: int, now: datetime | None = None) -> tuple[list[Outgoing], int]:
        """At most ``limit`` of the managers' digests due, in one transaction: the replies stored,
        and how many due digests were taken (fewer than ``limit``: none is left)."""
        return self._tick.deliver_digests((now or self._clock()).astimezone(UTC), limit)

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
            command = commands.find(event.name)
            if command is None:
                help.not_understood(turn, f"/{event.name}")
            else:
                command.run(turn, event.args)
        elif isinstance(event, ChoiceSelected):
            # A button is read whole before any flow runs: a bad one changes nothing.
            button = buttons.read(event.choice_id)
            if button is None:
                help.button_not_valid(turn)
            else:
                buttons.press(turn, button)
        elif isinstance(event, TextMessage):
            self._text(turn, event.text)

    @staticmethod
    def _text(turn: Turn, text: str) -> None:
        stage = turn.learner.stage
        if stage in (Stage.TIME, Stage.SETTING_TIME) and (parsed := onboarding.parse_time(text)) is not None:
            onboarding.choose_time(turn, parsed)
        elif not stage.set_up or stage is Stage.SETTING_TIME:
            onboarding.not_understood(turn, text)
        elif privacy.typed_erase_answer(turn, text) or session.typed_answer(turn, text):
            return
        else:
            Coach._not_understood(turn, text)

    @staticmethod
    def _not_understood(turn: Turn, text: str) -> None:
        """Say so, and show the choices the learner has now: the open card's or question's, or the day's."""
        delivery = turn.tx.deliveries.latest_open(turn.learner.id)
        shown = session.shown_now(turn, delivery) if delivery is not None else None
        if shown is None:
            help.not_understood(
                turn,
                text,
                [GoTo("lesson").choice(_("Today's lesson")), GoTo("progress").choice(_("My progress"))],
            )
            return
        turn.say(
            _("Sorry, I did not understand “{text}”.", text=help.quoted(text))
            + " "
            + _("Choose one of these:"),
            shown.choices,
            quiz=shown.quiz,
        )
