"""Telegram update -> neutral event: pure, no network, no database.

Only private chats are served: the coach talks to one learner at a time. Each
event carries an id that names the bot, the update and what it holds (the
button press's own id, or the message's chat, number and date), so an update
Telegram sends again (after a crash before it was confirmed) is recognised by
the engine and dropped, while a Bot API server whose update ids start over
(a new bot token, a reset self-hosted server) is not mistaken for repeating.
"""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Message, MessageEntity, Update, User

from lessons.chat import ChoiceSelected, Command, Event, Sender, TextMessage

PLATFORM = "telegram"


def event_id(bot: str, update_id: int, what: str) -> str:
    return f"tg:{bot}:{update_id}:{what}"


def _message_key(message: Message) -> str:
    return f"{message.chat.id}/{message.message_id}/{int(message.date.timestamp())}"


def sender(user: User, chat_id: int) -> Sender:
    return Sender(
        platform=PLATFORM,
        user_id=str(user.id),
        chat_id=str(chat_id),
        display_name=user.full_name or None,
        language_hint=user.language_code,
    )


def convert(update: Update, bot: str) -> Event | None:
    """The neutral event an update to ``bot`` (its id) stands for, or None when the coach ignores it."""
    if update.callback_query is not None:
        return _button_press(bot, update.update_id, update.callback_query)
    message = update.message
    if message is None or message.from_user is None or message.chat.type != Chat.PRIVATE:
        return None
    text = message.text
    if text is None:
        return None
    who = sender(message.from_user, message.chat.id)
    key = event_id(bot, update.update_id, _message_key(message))
    command = _command(message, text)
    if command is not None:
        name, args = command
        return Command(who, name, args, key)
    return TextMessage(who, text, key)


def _command(message: Message, text: str) -> tuple[str, str] | None:
    """``/name@bot args`` -> (name, args) when the message starts with a bot command.

    A deep link ``t.me/<bot>?start=CODE`` arrives as ``/start CODE``.
    """
    first = next(iter(message.entities), None)
    starts_with_command = (
        first is not None and first.type == MessageEntity.BOT_COMMAND and first.offset == 0
    ) or text.startswith("/")
    if not starts_with_command:
        return None
    head, _sep, args = text.partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    if not name:
        return None
    return name, args.strip()


def _button_press(bot: str, update_id: int, query: CallbackQuery) -> Event | None:
    if query.data is None:
        return None
    # In a private chat the chat id is the learner's user id; a press that
    # claims a message of another chat is not a press in this one.
    message = query.message
    if message is not None and message.chat.id != query.from_user.id:
        return None
    return ChoiceSelected(
        sender(query.from_user, query.from_user.id), query.data, event_id(bot, update_id, f"press/{query.id}")
    )
