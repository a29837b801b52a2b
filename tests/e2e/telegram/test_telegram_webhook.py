"""Webhook mode: Telegram (the emulator) POSTs updates with the secret token header."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.e2e.telegram.emulator import wait_until

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_coach_takes_updates_by_webhook_and_refuses_calls_without_the_secret(coach, learner):
    port = free_port()
    running = coach(
        TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
        TELEGRAM_WEBHOOK_PORT=str(port),
        TELEGRAM_WEBHOOK_SECRET="s3cret-token",
    )
    nele = learner(first_name="Nele", language_code="nl")
    nele.command("/start")
    nele.wait_for("Welke taal heb je het liefst?")
    nele.press("English")
    nele.wait_for("Before we start")

    forged = {
        "update_id": 999_999,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": nele.chat,
            "from": nele.user,
            "text": "/forget",
            "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        },
    }
    url = f"http://127.0.0.1:{port}/telegram"
    assert httpx.post(url, json=forged).status_code == 403
    assert (
        httpx.post(url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}).status_code == 403
    )
    nele.command("/help")
    nele.wait_for("/mydata")
    assert all("cannot be undone" not in (m.get("text") or "") for m in nele.messages())
    wait_until(lambda: "without the right secret token" in running.output(), "the refusal to be logged")
