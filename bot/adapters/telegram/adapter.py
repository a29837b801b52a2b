"""The connection to Telegram: receive updates, hand them to the coach, send the stored replies.

PTB is started by hand (initialize/start, never ``run_polling``) so it shares
the loop with the scheduler and the other adapters. PTB's own Updater
confirms an update to Telegram before the handlers run, so a crash would lose
it; this adapter runs its own getUpdates loop and asks for the next offset
only after every update of a batch was handled, which stores its replies in
the same transaction. An update Telegram sends again after a crash has the
same event id, and the engine drops it; its replies are already stored, and
the courier sends them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from telegram import Bot, Message, Update
from telegram.constants import UpdateType
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot import metrics
from bot.adapters import Handler, Outcome, Report
from bot.adapters.pieces import TooLargeError
from bot.adapters.stopping import unless_stopped
from bot.adapters.telegram import menu, render
from bot.adapters.telegram.config import TelegramSettings
from bot.adapters.telegram.convert import PLATFORM, convert
from bot.adapters.telegram.sending import Limits, Pacer, retry_after_seconds
from bot.adapters.telegram.webhook import WebhookServer
from bot.sharing import HeldAlone, Role, Sharing
from lessons.chat import ChoiceSelected, Outgoing
from lessons.model import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger(__name__)

T = TypeVar("T")

ALLOWED_UPDATES = [UpdateType.MESSAGE, UpdateType.CALLBACK_QUERY]
# Before the first connection, and while another program takes this bot's updates.
LONGEST_PAUSE = 30.0


class TelegramTokenError(SystemExit):
    """Telegram refused the token: nothing will work until it is fixed."""


def build_application(config: TelegramSettings) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(config.bot_token)
        .base_url(f"{config.base_url}/bot")
        .base_file_url(f"{config.base_url}/file/bot")
        # Our own getUpdates loop replaces PTB's Updater (see the module docstring).
        .updater(None)
        .build()
    )


class TelegramAdapter:
    platform = PLATFORM
    # Telegram keeps an update for 24 hours until it is confirmed.
    redelivery = timedelta(hours=24)

    def __init__(
        self,
        config: TelegramSettings,
        application: Application | None = None,  # type: ignore[type-arg]
    ) -> None:
        self.config = config
        self.application = application or build_application(config)
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.pacer = Pacer(
            self._perform,
            self._probe,
            Limits(per_second=config.max_per_second, per_chat_per_second=config.max_per_chat_per_second),
        )
        # The bot's own id (the token's first part): event ids name the bot they came to.
        self.bot_id = config.bot_token.split(":", 1)[0]
        # The coach's handler; `run` sets it (tests may too).
        self.handle: Handler | None = None
        self._started = asyncio.Lock()
        self._stopped = asyncio.Event()
        # Telegram gives a bot's updates to one long poll at a time: with several coach
        # processes, the one holding this role polls (``share``).
        self._poller: Role = HeldAlone(f"telegram-poller:{self.bot_id}")

    # --- receiving -----------------------------------------------------------------------------

    async def run(self, handle: Handler) -> None:
        """Serve until stopped: long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set."""
        self.handle = handle
        await self.start()
        if self.config.webhook_url:
            await self._serve_webhook()
        else:
            await self._poll()

    @property
    def connected(self) -> bool:
        """Started (the token was accepted) and the Bot API answers."""
        return bool(self.application.running) and self.pacer.is_reachable

    def stop(self) -> None:
        """Take no new updates; the batch in hand is handled (and confirmed at the next start)."""
        self._stopped.set()

    def share(self, sharing: Sharing) -> None:
        """Among several coach processes: one long-polls (webhooks reach all), all share one send budget."""
        if not self.config.webhook_url:
            self._poller = sharing.role(f"telegram-poller:{self.bot_id}")
        self.pacer.rate.budget = sharing.budget(f"telegram:{self.bot_id}", self.config.max_per_second)

    @property
    def sending(self) -> bool:
        """Every process sends Telegram replies."""
        return True

    async def close(self) -> None:
        await self.pacer.close()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def start(self) -> None:
        """Connect (once): check the token, start PTB, publish the command menu."""
        async with self._started:
            if self.application.running:
                return
            pause = 1.0
            while True:
                try:
                    await self.application.initialize()
                    break
                except InvalidToken as error:
                    raise TelegramTokenError(
                        f"digicoach: Telegram refused TELEGRAM_BOT_TOKEN ({error.message}); "
                        "copy the token again from @BotFather"
                    ) from None
                except NetworkError as error:
                    log.warning(
                        "cannot reach the Telegram Bot API at %s (%s); trying again in %.0f s",
                        self.config.base_url,
                        error.message,
                        pause,
                    )
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, LONGEST_PAUSE)
            await self.application.start()
            await self._publish_menu()

    async def _publish_menu(self) -> None:
        bot = self.application.bot
        try:
            await bot.set_my_commands(menu.commands_menu(DEFAULT_LANGUAGE))
            for language in LANGUAGES:
                await bot.set_my_commands(menu.commands_menu(language), language_code=language)
        except TelegramError as error:
            log.warning("could not set the Telegram command menu: %s", error.message)

    async def _until_stopped(self, call: Awaitable[T], *also: Awaitable[object]) -> T | None:
        return await unless_stopped(self._stopped, call, *also)

    async def _poll(self) -> None:
        bot = self.application.bot
        try:
            # Back from webhook mode: Telegram refuses getUpdates while a webhook is set.
            await bot.delete_webhook()
        except TelegramError as error:
            log.warning("could not remove a webhook (%s); polling anyway", error.message)
        while not self._stopped.is_set():
            await self._until_stopped(self._poller.taken())
            if self._stopped.is_set():
                break
            log.info("polling Telegram for updates (role %s)", self._poller.job)
            await self._poll_while_held(bot)
            log.info("stopped polling Telegram for updates")

    async def _poll_while_held(self, bot: Bot) -> None:
        # A new poller starts without an offset: Telegram hands out again whatever the last one
        # did not confirm, and the coach drops what it handled already (the event ids).
        offset: int | None = None
        pause = 1.0
        while not self._stopped.is_set() and self._poller.held:
            try:
                poll = bot.get_updates(
                    offset=offset, timeout=self.config.poll_timeout, allowed_updates=ALLOWED_UPDATES
                )
                updates = await self._until_stopped(poll, self._poller.lost())
                pause = 1.0
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                metrics.rate_limited("telegram", seconds)
                await asyncio.sleep(seconds)
                continue
            except Conflict as error:
                log.error("another program receives this bot's updates (%s); trying again", error.message)
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            except NetworkError as error:
                # Polling waits with the senders: it resumes as soon as a probe gets an answer.
                self.pacer.unreachable(f"getUpdates: {error.message}")
                await self._until_stopped(self.pacer.reachable())
                continue
            if updates is None:
                break
            if updates:
                await self.process(updates)
                # Only now Telegram may forget them: the next call confirms them.
                offset = updates[-1].update_id + 1
        if offset is not None and self._poller.held:
            try:
                # Confirm the last batch on the way out, so the next start does not see it again.
                await bot.get_updates(offset=offset, timeout=0, allowed_updates=ALLOWED_UPDATES)
            except TelegramError as error:
                log.info("could not confirm the last updates (%s); the next start drops them", error.message)

    async def process(self, updates: Sequence[Update]) -> None:
        """Handle a batch: chats side by side, each chat's updates in order."""
        by_chat: dict[int, list[Update]] = defaultdict(list)
        for update in updates:
            by_chat[_chat_key(update)].append(update)
        await asyncio.gather(*(self._in_order(batch) for batch in by_chat.values()))

    async def _in_order(self, updates: list[Update]) -> None:
        for update in updates:
            await self.application.process_update(update)

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        event = convert(update, self.bot_id)
        query = update.callback_query
        if query is not None:
            # Always answer, or the learner's button keeps spinning.
            try:
                async with self.pacer.in_flight:
                    await query.answer()
            except TelegramError as error:
                log.info("could not answer a button press: %s", error.message)
        if event is None or self.handle is None:
            return
        if isinstance(event, ChoiceSelected) and query is not None and isinstance(query.message, Message):
            # The pressed message is shown with the choice (and its feedback), also after a restart.
            event = dataclasses.replace(event, origin=render.press_origin(query.message, event.choice_id))
        await self.handle(event)

    async def _serve_webhook(self) -> None:
        secret = self.config.webhook_secret_or_derived
        server = WebhookServer(self.config.webhook_listen, self.config.webhook_port, secret, self._on_webhook)
        await server.start()
        try:
            await self.application.bot.set_webhook(
                self.config.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
            )
            await self._until_stopped(server.serve_forever())
        finally:
            await server.close()

    async def _on_webhook(self, data: object) -> None:
        update = Update.de_json(data, self.application.bot)  # type: ignore[arg-type]
        await self.process([update])

    # --- sending -------------------------------------------------------------------------------

    async def deliver(self, replies: Sequence[Outgoing], report: Report) -> None:
        """Send one chat's stored replies in order; each reported once Telegram answered for it.

        A reply made only of edits (quiz feedback shown in the pressed
        question) is reported together with the reply after it: sent again
        after a crash, an edit finds the message already so ("not modified")
        and changes nothing the learner sees. So an answer's feedback and next
        question cost one record, not two, and nothing can arrive twice that
        could not before.
        """
        await self.start()
        edited: list[Outgoing] = []  # sent, not reported yet: edits, reported with the next reply
        for n, outgoing in enumerate(replies):
            left = (outgoing.expires_at - datetime.now(UTC)).total_seconds()
            deadline = time.monotonic() + left
            outcome = Outcome.SENT
            try:
                calls = self._calls(outgoing)
            except TooLargeError as error:
                log.error(
                    "cannot send reply %s to chat %s: %s", outgoing.id, outgoing.reply.to.chat_id, error
                )
                calls, outcome = [], Outcome.REFUSED
            for call in calls:
                # What nobody asked for just now rings the phone; the rest answers a learner.
                outcome = await self.pacer.send(call, deadline, answer=not outgoing.reply.notify)
                if outcome is not Outcome.SENT:
                    break
            if outcome is Outcome.BLOCKED:
                log.warning(
                    "Telegram chat %s blocked the bot or is gone: %d reply(ies) dropped",
                    outgoing.reply.to.chat_id,
                    len(replies) - n,
                )
                await report(edited, Outcome.SENT)
                await report(replies[n:], Outcome.BLOCKED)
                return
            if (
                outcome is Outcome.SENT
                and calls
                and all(map(render.idempotent, calls))
                and n + 1 < len(replies)
            ):
                edited.append(outgoing)
                continue
            if outcome is Outcome.SENT:
                await report([*edited, outgoing], outcome)
            else:
                await report(edited, Outcome.SENT)
                await report([outgoing], outcome)
            edited = []
        await report(edited, Outcome.SENT)

    @staticmethod
    def _calls(outgoing: Outgoing) -> list[render.Call]:
        reply = outgoing.reply
        if outgoing.origin is None:
            return render.render(reply)
        if render.foldable(reply):
            # Quiz feedback edits the question message: one call, and a tidy chat.
            folded = render.pressed(outgoing.origin, reply)
            if folded is not None:
                return [folded]
        tidy = render.pressed(outgoing.origin)
        return ([tidy] if tidy is not None else []) + render.render(reply)

    async def _perform(self, call: render.Call) -> None:
        method = getattr(self.application.bot, call.method)
        await method(chat_id=call.chat_id, **call.params)

    async def _probe(self) -> None:
        await self.application.bot.get_me()


def _chat_key(update: Update) -> int:
    chat = update.effective_chat or update.effective_user
    return chat.id if chat is not None else update.update_id
