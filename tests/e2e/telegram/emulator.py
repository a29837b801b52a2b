"""The Bot API emulator (telegram-test-api behind our launcher) and a learner who uses it.

The emulator is a real HTTP server on 127.0.0.1 and a free port, started and
stopped by PID. A learner talks to it the way the Telegram app would: sends
text and commands, presses buttons of the messages the bot sent, and reads the
chat as it stands (edits included).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.servers import cannot_start, stop_process

ROOT = Path(__file__).parents[3]
LAUNCHER_DIR = ROOT / "tools" / "telegram-emulator"
FIXTURE_LIBRARY = ROOT / "tests" / "fixtures" / "library"
DEADLINE = 30.0

Message = dict[str, Any]


def unavailable(reason: str) -> None:
    """No emulator: a failure in CI, a skip with the reason elsewhere."""
    cannot_start("the Telegram emulator", reason)


@dataclass
class Emulator:
    url: str
    process: subprocess.Popen[str]
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    def call(self, route: str, **body: Any) -> Any:
        answer = self.client.post(f"{self.url}/{route}", json=body).json()
        assert answer["ok"], answer
        return answer["result"]

    def control(self, action: str, token: str, **body: Any) -> Any:
        return self.call(f"_control/{action}", token=token, **body)

    def stop(self) -> None:
        self.client.close()
        stop_process(self.process, timeout=10)


@contextmanager
def running_emulator() -> Iterator[Emulator]:
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed")
    if not (LAUNCHER_DIR / "node_modules" / "telegram-test-api").is_dir():
        unavailable(f"run 'npm ci' in {LAUNCHER_DIR} (scripts/test-all.sh does)")
    process = subprocess.Popen(
        [str(node), "launch.js", "--host", "127.0.0.1", "--port", "0"],
        cwd=LAUNCHER_DIR,
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
    )
    assert process.stdout is not None
    ready, _w, _x = select.select([process.stdout], [], [], DEADLINE)
    line = process.stdout.readline() if ready else ""
    if not line:
        process.kill()
        process.wait()
        unavailable("the launcher did not report its port")
    emulator = Emulator(f"http://127.0.0.1:{json.loads(line)['port']}", process)
    try:
        yield emulator
    finally:
        emulator.stop()


def wait_until(condition: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@dataclass
class Learner:
    """A person in the Telegram app, chatting with the bot through the emulator."""

    emulator: Emulator
    token: str
    user_id: int
    first_name: str = "Georgette"
    language_code: str = "en"
    seen: int = 0
    presses: int = 0
    sent: int = 0

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }

    @property
    def chat(self) -> dict[str, Any]:
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}

    def command(self, text: str) -> None:
        name = text.split(" ", 1)[0]
        self.sent += 1
        self.emulator.call(
            "sendCommand",
            botToken=self.token,
            **{"from": self.user},
            chat=self.chat,
            date=int(time.time()),
            text=text,
            entities=[{"type": "bot_command", "offset": 0, "length": len(name)}],
        )

    def say(self, text: str) -> None:
        self.sent += 1
        self.emulator.call(
            "sendMessage", botToken=self.token, **{"from": self.user}, chat=self.chat, text=text
        )

    def messages(self) -> list[Message]:
        """The bot's messages in this chat as they look now, oldest first."""
        result: list[Message] = self.emulator.control("chat", self.token, chat_id=self.user_id)
        return result

    def press(self, label: str) -> Message:
        """Press the newest button whose label contains ``label``; the message that carried it."""
        for message in reversed(self.messages()):
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if label.lower() in button["text"].lower():
                        self.press_data(button["callback_data"], message["message_id"])
                        return message
        shown = [label for message in self.messages() for label in self.buttons(message)]
        raise AssertionError(f"no button like {label!r}; buttons shown: {shown}")

    def press_data(self, data: str, message_id: int) -> None:
        """What a modified client could send: any data, for any message id."""
        self.presses += 1
        self.sent += 1
        self.emulator.call(
            "sendCallback",
            botToken=self.token,
            **{"from": self.user},
            message={"message_id": message_id, "chat": self.chat},
            data=data,
        )

    def wait_for(self, text: str, deadline: float = DEADLINE) -> list[Message]:
        """Wait for a new message containing ``text``; every new message up to it."""

        def arrived() -> list[Message] | None:
            new = self.messages()[self.seen :]
            for n, message in enumerate(new):
                if text in (message.get("text") or message.get("caption") or ""):
                    return new[: n + 1]
            return None

        new = wait_until(arrived, f"a message with {text!r} in chat {self.user_id}", deadline)
        self.seen += len(new)
        return new

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.emulator.control("stats", self.token)
        return result

    def wait_until_confirmed(self) -> list[int]:
        """Wait until the bot confirmed every update this learner sent; their ids."""
        return wait_until(
            lambda: (ids := self.stats()["confirmed_updates"]) and len(ids) >= self.sent and ids,
            f"the bot to confirm {self.sent} update(s)",
        )

    def buttons(self, message: Message) -> list[str]:
        return [b["text"] for r in message.get("reply_markup", {}).get("inline_keyboard", []) for b in r]


class Coach:
    """`digicoach run` as an operator starts it, serving the emulator's bot."""

    def __init__(self, emulator: Emulator, token: str, database: Path, **env: str) -> None:
        self.environ = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": token,
            "TELEGRAM_API_BASE_URL": emulator.url,
            "TELEGRAM_POLL_TIMEOUT": "5",
            # Fast enough for a conversation test; the flood test sets its own.
            "TELEGRAM_MAX_PER_CHAT_PER_SECOND": "50",
            "DIGICOACH_DATABASE_URL": f"sqlite:///{database}",
            # Its own data folder: one coach per folder, and tests run one after another.
            "DIGICOACH_DATA_DIR": str(database.parent / "data"),
            "DIGICOACH_LESSONS": str(FIXTURE_LIBRARY),
            "DIGICOACH_LOG_LEVEL": "INFO",
            # /healthz and /metrics only where a test asks: coaches of other tests may run meanwhile.
            "DIGICOACH_METRICS_ADDRESS": "",
            **env,
        }
        self.process: subprocess.Popen[str] | None = None
        self.log = database.with_suffix(".log")

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                env=self.environ,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a power cut."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, as systemd or a container runtime stops a service; the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def stop(self) -> None:
        stop_process(self.process, timeout=10)

    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""
