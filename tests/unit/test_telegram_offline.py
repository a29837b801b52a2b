"""What the emulator cannot show, offline: real PTB and the real adapter, a recording request.

``Update.de_json`` feeds updates into ``Application.process_update`` (through
the adapter); every Bot API call the adapter makes is recorded instead of sent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import ApplicationBuilder
from telegram.request import BaseRequest, RequestData

from bot.adapters import Outcome
from bot.adapters.telegram import configure
from bot.adapters.telegram.adapter import TelegramAdapter, TelegramTokenError
from bot.adapters.telegram.config import TelegramSettings
from bot.cli import main
from bot.settings import Settings
from lessons.chat import Address, Choice, Outgoing, Picture, Reply

BOT = {"id": 1, "is_bot": True, "first_name": "Coach", "username": "CoachBot"}
CHAT = {"id": 42, "type": "private", "first_name": "Nele"}
USER = {"id": 42, "is_bot": False, "first_name": "Nele", "language_code": "nl"}


class RecordingRequest(BaseRequest):
    """Answers every Bot API call like Telegram would, and remembers it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], RequestData | None]] = []

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None, **_: Any):
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append((name, params, request_data))
        result: Any = True
        if name == "getMe":
            result = BOT
        elif name.startswith("send"):
            result = {"message_id": len(self.calls), "date": 1_700_000_000, "chat": CHAT, "from": BOT}
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def made(self, name: str) -> list[dict[str, Any]]:
        return [params for called, params, _data in self.calls if called == name]


def adapter(tmp_path: Path) -> tuple[TelegramAdapter, RecordingRequest]:
    request = RecordingRequest()
    application = (
        ApplicationBuilder()
        .token("1:offline")
        .request(request)
        .get_updates_request(request)
        .updater(None)
        .build()
    )
    return TelegramAdapter(TelegramSettings(bot_token="1:offline"), application), request


def command(text: str) -> dict[str, Any]:
    return {
        "update_id": 5,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": CHAT,
            "from": USER,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


def test_the_command_menu_is_published_in_every_language(tmp_path):
    async def scenario() -> RecordingRequest:
        coach, request = adapter(tmp_path)
        await coach.start()
        await coach.application.stop()
        await coach.application.shutdown()
        return request

    menus = {
        params.get("language_code", ""): params["commands"]
        for params in scenario_run(scenario).made("setMyCommands")
    }
    assert set(menus) == {"", "nl", "en", "fr", "de"}
    descriptions = {
        lang: {c["command"]: c["description"] for c in commands} for lang, commands in menus.items()
    }
    assert descriptions["en"]["lesson"] == "Today's lesson"
    assert descriptions["nl"]["lesson"] == "Les van vandaag"
    assert descriptions["fr"]["mydata"] == "Tout ce que je garde sur vous"
    assert descriptions["de"]["forget"] == "Alles löschen, was ich über Sie speichere"
    assert descriptions[""] == descriptions["nl"]  # Dutch for everyone else


def scenario_run(scenario: Any) -> Any:
    return asyncio.run(scenario())


async def deliver(coach: TelegramAdapter, *replies: Reply) -> list[Outcome]:
    """Hand the adapter stored replies to send, as the courier does; what it reported for each."""
    reported: list[Outcome] = []

    async def report(sent: Sequence[Outgoing], outcome: Outcome) -> None:
        reported.extend(outcome for _ in sent)

    expires = datetime.now(UTC) + timedelta(minutes=5)
    await coach.deliver([Outgoing(n, reply, None, expires) for n, reply in enumerate(replies, 1)], report)
    return reported


def test_a_picture_by_url_goes_out_as_send_photo_with_caption_and_buttons(tmp_path):
    picture = Picture("https://example.org/phishing.png", "A fake mail from 'the bank'")
    to = Address("telegram", "42")

    async def scenario() -> RecordingRequest:
        coach, request = adapter(tmp_path)
        reply = Reply(to, "Spot <the> signs", "Card 1", (Choice("next:1:0", "Next"),), picture)
        assert await deliver(coach, reply) == [Outcome.SENT]
        return request

    [photo] = scenario_run(scenario).made("sendPhoto")
    assert photo["chat_id"] == 42
    assert photo["photo"] == "https://example.org/phishing.png"
    assert photo["caption"] == "<b>Card 1</b>\nSpot &lt;the&gt; signs\n<i>A fake mail from 'the bank'</i>"
    assert photo["parse_mode"] == "HTML"
    assert photo["reply_markup"] == {"inline_keyboard": [[{"text": "Next", "callback_data": "next:1:0"}]]}


def test_a_lesson_picture_is_uploaded(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\nchart")

    async def scenario() -> RecordingRequest:
        coach, request = adapter(tmp_path)
        picture = Picture(str(tmp_path / "images" / "chart.png"), "A chart")
        await deliver(coach, Reply(Address("telegram", "42"), "Your week", picture=picture))
        return request

    request = scenario_run(scenario)
    [(_name, _params, data)] = [call for call in request.calls if call[0] == "sendPhoto"]
    assert data is not None and data.contains_files
    [upload] = data.multipart_data.values()
    assert upload[1] == b"\x89PNG\r\n\x1a\nchart"


def test_a_press_hands_the_coach_where_to_show_the_choice_and_the_feedback_goes_there(tmp_path):
    async def scenario() -> tuple[RecordingRequest, list[Any]]:
        coach, request = adapter(tmp_path)
        handled: list[Any] = []

        async def handle(event: Any) -> list[Outgoing]:
            handled.append(event)
            return []

        coach.handle = handle
        await coach.start()
        press = {
            "update_id": 6,
            "callback_query": {
                "id": "q-1",
                "from": USER,
                "chat_instance": "ci",
                "data": "ans:5:0:1",
                "message": {
                    "message_id": 9,
                    "date": 1_700_000_000,
                    "chat": CHAT,
                    "from": BOT,
                    "text": "Which is strongest?",
                    "reply_markup": {"inline_keyboard": [[{"text": "Length", "callback_data": "ans:5:0:1"}]]},
                },
            },
        }
        await coach.process([Update.de_json(press, coach.application.bot)])
        [event] = handled
        feedback = Reply(Address("telegram", "42"), "✅ Right!")
        expires = datetime.now(UTC) + timedelta(minutes=5)

        async def report(_sent: Sequence[Outgoing], _outcome: Outcome) -> None:
            return None

        await coach.deliver([Outgoing(1, feedback, event.origin, expires)], report)
        return request, handled

    request, [event] = scenario_run(scenario)
    assert event.event_id == "tg:1:6:press/q-1"
    [edit] = request.made("editMessageText")
    assert edit["message_id"] == 9
    assert edit["text"] == "Which is strongest?\n\n<i>→ Length</i>\n\n✅ Right!"
    assert request.made("sendMessage") == []  # the feedback went into the question: one call


def test_scheduled_replies_go_out_before_run_started(tmp_path):
    async def scenario() -> RecordingRequest:
        coach, request = adapter(tmp_path)
        reply = Reply(
            Address("telegram", "42"), "Your lesson is ready", choices=(Choice("go:lesson", "Start"),)
        )
        await deliver(coach, reply)
        return request

    [message] = scenario_run(scenario).made("sendMessage")
    assert message["text"] == "Your lesson is ready"
    assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "go:lesson"


class RefusingRequest(RecordingRequest):
    async def do_request(self, url: str, method: str, request_data: RequestData | None = None, **_: Any):
        return 401, json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()


def test_a_token_telegram_refuses_stops_the_coach_with_a_clear_message():
    request = RefusingRequest()
    application = (
        ApplicationBuilder()
        .token("1:wrong")
        .request(request)
        .get_updates_request(request)
        .updater(None)
        .build()
    )
    coach = TelegramAdapter(TelegramSettings(bot_token="1:wrong"), application)
    with pytest.raises(TelegramTokenError) as stopped:
        asyncio.run(coach.start())
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in str(stopped.value)
    assert "@BotFather" in str(stopped.value)


def test_a_bad_telegram_setting_is_named(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("TELEGRAM_MAX_PER_SECOND", "fast")
    with pytest.raises(SystemExit) as stopped:
        main(["run"])
    assert "bad setting TELEGRAM_MAX_PER_SECOND" in str(stopped.value)


def test_without_a_token_there_is_no_telegram_adapter(monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert configure(Settings()) is None


ORIGIN = json.dumps(
    {"chat": 42, "message": 9, "part": "text", "html": "Which is strongest?", "shown": "Length"}
)


def test_the_feedback_edit_is_recorded_with_the_next_question_and_a_send_alone_at_once(tmp_path):
    """An edit made again changes nothing, so it shares the next reply's record; a message never waits."""

    async def scenario() -> tuple[RecordingRequest, list[tuple[list[int], Outcome, int]]]:
        coach, request = adapter(tmp_path)
        reports: list[tuple[list[int], Outcome, int]] = []

        async def report(sent: Sequence[Outgoing], outcome: Outcome) -> None:
            if sent:  # what was made by then: a report comes right after its reply's last call
                reports.append(([o.id for o in sent], outcome, len(request.calls)))

        to = Address("telegram", "42")
        expires = datetime.now(UTC) + timedelta(minutes=5)
        feedback = Outgoing(1, Reply(to, "✅ Right!"), ORIGIN, expires)
        question = Outgoing(2, Reply(to, "Question 2", choices=(Choice("ans:5:1:0", "True"),)), None, expires)
        reminder = Outgoing(3, Reply(to, "See you tomorrow"), None, expires)
        await coach.deliver([feedback, question, reminder], report)
        await coach.deliver([Outgoing(4, Reply(to, "✅ Right!"), ORIGIN, expires)], report)
        return request, reports

    request, reports = scenario_run(scenario)
    starting = {"getMe", "setMyCommands"}  # the adapter starts on its first delivery
    made = [name for name, _params, _data in request.calls if name not in starting]
    assert made == ["editMessageText", "sendMessage", "sendMessage", "editMessageText"]
    first_call = len(request.calls) - len(made)
    assert reports == [
        ([1, 2], Outcome.SENT, first_call + 2),  # the edit and the question: one record, after the question
        ([3], Outcome.SENT, first_call + 3),  # a sent message is recorded before the next call
        ([4], Outcome.SENT, first_call + 4),  # an edit with nothing after it: recorded at once
    ]
