"""The connection to Telegram: receive updates, hand them to the coach, send the replies.

PTB is started by hand (initialize/start, never ``run_polling``) so it shares
the loop with the scheduler and the other adapters. PTB's own Updater
confirms an update to Telegram before the handlers run, so a crash would lose
it; this adapter runs its own getUpdates loop and asks for the next offset
only after every update of a batch was handled (and so committed by the
engine). An update Telegram sends again after a crash has the same
``tg:<update_id>`` event id, and the engine drops it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence

from telegram import Message, Update
from telegram.constants import UpdateType
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.adapters import Handler, Unreachable
from bot.adapters.telegram import menu, render
from bot.adapters.telegram.config import TelegramSettings
from bot.adapters.telegram.convert import PLATFORM, convert
from bot.adapters.telegram.sending import Limits, Outbox, retry_after_seconds
from bot.adapters.telegram.webhook import WebhookServer
from lessons.chat import Address, ChatUnreachable, ChoiceSelected, Reply
from lessons.model import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [UpdateType.MESSAGE, UpdateType.CALLBACK_QUERY]
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

    def __init__(
        self,
        config: TelegramSettings,
        application: Application | None = None,  # type: ignore[type-arg]
    ) -> None:
        self.config = config
        self.application = application or build_application(config)
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.outbox = Outbox(
            self._perform,
            Limits(per_second=config.max_per_second, per_chat_per_second=config.max_per_chat_per_second),
            on_blocked=self._chat_blocked,
        )
        # The coach's handler; `run` sets it (tests may too).
        self.handle: Handler | None = None
        # Where to report a chat that blocked the bot; the app sets it.
        self.unreachable: Unreachable | None = None
        self._started = asyncio.Lock()
        self._stopped = asyncio.Event()

    async def _chat_blocked(self, chat_id: int) -> None:
        if self.unreachable is not None:
            await self.unreachable(ChatUnreachable(Address(PLATFORM, str(chat_id))))

    # --- receiving -----------------------------------------------------------------------------

    async def run(self, handle: Handler) -> None:
        """Serve until stopped: long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set."""
        self.handle = handle
        await self.start()
        receiving = asyncio.create_task(self._serve_webhook() if self.config.webhook_url else self._poll())
        stopping = asyncio.create_task(self._stopped.wait())
        try:
            await asyncio.wait({receiving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if receiving.done():
                receiving.result()
        finally:
            for task in (receiving, stopping):
                task.cancel()
            await asyncio.gather(receiving, stopping, return_exceptions=True)
            await self.outbox.drain()
            await self.application.stop()
            await self.application.shutdown()

    def stop(self) -> None:
        self._stopped.set()

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

    async def _poll(self) -> None:
        bot = self.application.bot
        try:
            # Back from webhook mode: Telegram refuses getUpdates while a webhook is set.
            await bot.delete_webhook()
        except TelegramError as error:
            log.warning("could not remove a webhook (%s); polling anyway", error.message)
        offset: int | None = None
        pause = 1.0
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset, timeout=self.config.poll_timeout, allowed_updates=ALLOWED_UPDATES
                )
                pause = 1.0
            except RetryAfter as error:
                await asyncio.sleep(retry_after_seconds(error))
                continue
            except Conflict as error:
                log.error("another program receives this bot's updates (%s); trying again", error.message)
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            except NetworkError as error:
                log.warning("getUpdates failed (%s); trying again in %.0f s", error.message, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            if updates:
                await self.process(updates)
                # Only now Telegram may forget them: the next call confirms them.
                offset = updates[-1].update_id + 1

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
        event = convert(update)
        query = update.callback_query
        if query is not None:
            # Always answer, or the learner's button keeps spinning.
            try:
                async with self.outbox.in_flight:
                    await query.answer()
            except TelegramError as error:
                log.info("could not answer a button press: %s", error.message)
        if event is None or self.handle is None:
            return
        replies = await self.handle(event)
        calls: list[render.Call] = []
        if (
            isinstance(event, ChoiceSelected)
            and query is not None
            and isinstance(query.message, Message)
            and replies
        ):
            tidy = None
            if render.foldable(replies[0]):
                # Quiz feedback edits the question message: one call, and a tidy chat.
                tidy = render.pressed(query.message, event.choice_id, replies[0])
                if tidy is not None:
                    replies = replies[1:]
            tidy = tidy or render.pressed(query.message, event.choice_id)
            if tidy is not None:
                calls.append(tidy)
        for reply in replies:
            calls += render.render(reply)
        self.outbox.put(calls)

    async def _serve_webhook(self) -> None:
        secret = self.config.webhook_secret or secrets.token_urlsafe(32)
        server = WebhookServer(self.config.webhook_listen, self.config.webhook_port, secret, self._on_webhook)
        await server.start()
        try:
            await self.application.bot.set_webhook(
                self.config.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
            )
            await server.serve_forever()
        finally:
            await server.close()

    async def _on_webhook(self, data: object) -> None:
        update = Update.de_json(data, self.application.bot)  # type: ignore[arg-type]
        await self.process([update])

    # --- sending -------------------------------------------------------------------------------

    async def send(self, replies: list[Reply]) -> None:
        """Deliver replies made outside a conversation; works whether or not ``run`` runs."""
        await self.start()
        calls = [call for reply in replies for call in render.render(reply)]
        await self.outbox.deliver(calls)

    async def _perform(self, call: render.Call) -> None:
        method = getattr(self.application.bot, call.method)
        await method(chat_id=call.chat_id, **call.params)


def _chat_key(update: Update) -> int:
    chat = update.effective_chat or update.effective_user
    return chat.id if chat is not None else update.update_id
