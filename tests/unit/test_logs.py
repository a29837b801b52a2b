"""Log lines: a timestamp always, text or JSON, and the id of the event being handled, engine lines too."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path

import pytest

from bot import logs
from bot.app import build
from bot.settings import Settings
from lessons.chat import Sender, TextMessage

FIXTURES = Path(__file__).parents[1] / "fixtures"
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


@pytest.fixture
def logged(capsys):
    def read() -> list[str]:
        return [line for line in capsys.readouterr().err.splitlines() if line]

    yield read
    logging.getLogger().handlers.clear()


def test_a_text_line_starts_with_its_time_and_ends_with_the_ids(logged):
    logs.setup("INFO")
    with logs.handling("tg:7:1"):
        logging.getLogger("bot.app").info("handled")
    logging.getLogger("bot.app").warning("no event")
    first, second = logged()
    assert re.fullmatch(rf"{STAMP} INFO bot\.app: handled \[event=tg:7:1\]", first)
    assert re.fullmatch(rf"{STAMP} WARNING bot\.app: no event", second)


def test_below_debug_an_error_is_one_line_in_json_too(logged):
    logs.setup("WARNING", "json")
    try:
        raise RuntimeError("database gone")
    except RuntimeError:
        logging.getLogger("bot.courier").exception("sending failed")
    (line,) = logged()
    record = json.loads(line)
    assert record["level"] == "ERROR" and record["logger"] == "bot.courier"
    assert record["message"] == "sending failed"
    assert record["exc_info"] == "(RuntimeError: database gone)"
    assert "event_id" not in record and "push_id" not in record


def test_the_engines_lines_name_the_event_the_app_handles_and_never_its_text(tmp_path, logged):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'c.sqlite3'}",
        lessons=str(FIXTURES / "library"),
        data_dir=tmp_path / "data",
    )
    app = build(settings)
    logs.setup("INFO", "json")
    message = TextMessage(Sender("memory", "saïd", "chat-saïd"), "my private question", "mem:41")
    try:
        asyncio.run(app.handle(message))
        asyncio.run(app.handle(message))  # the platform sent it again
    finally:
        app.close()
    records = [json.loads(line) for line in logged()]
    assert all(re.fullmatch(STAMP, r["time"]) for r in records)
    by_engine = [r for r in records if r["logger"] == "lessons.engine"]
    assert by_engine and by_engine[0]["message"].startswith("dropping duplicate event")
    assert by_engine[0]["event_id"] == "mem:41"  # logged in the worker thread, with the app's context
    assert [r["event_id"] for r in records if r["message"].startswith("handled TextMessage")] == [
        "mem:41"
    ] * 2
    assert not any("private question" in json.dumps(r) for r in records)
