"""A real Synapse for the Matrix tests, learners as real matrix-nio clients, the bot as `digicoach run`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.matrix.adapter import MatrixAdapter
from tests.support.servers import cannot_start, stop_process
from tests.support.synapse import Account, Synapse, SynapseUnavailableError


def running(server: Synapse) -> Iterator[Synapse]:
    """Start ``server``; without it, fail under CI and skip elsewhere, with the reason."""
    try:
        server.start()
    except SynapseUnavailableError as error:
        cannot_start("Synapse", error)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    yield from running(Synapse(tmp_path_factory.mktemp("synapse")))


@pytest.fixture(scope="session")
def strict_synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """Rate limited like a real server, only faster: 2 messages a second, bursts of 3."""
    limits = {"per_second": 2, "burst_count": 3}
    yield from running(Synapse(tmp_path_factory.mktemp("strict-synapse"), rc_message=limits))


class BotProcess:
    """``digicoach run`` with the Matrix adapter, in its own process so it can be killed."""

    def __init__(self, synapse: Synapse, account: Account, directory: Path, *, password_login: bool) -> None:
        self.directory = directory
        self.account = account
        self.env = {
            **os.environ,
            "MATRIX_HOMESERVER": synapse.url,
            "MATRIX_USER_ID": account.user_id,
            "DIGICOACH_DATA_DIR": str(directory / "data"),
            "DIGICOACH_DATABASE_URL": f"sqlite:///{directory / 'coach.sqlite3'}",
            "DIGICOACH_LOG_LEVEL": "INFO",
            # /healthz and /metrics only where a test asks: coaches of other tests may run meanwhile.
            "DIGICOACH_METRICS_ADDRESS": "",
        }
        if password_login:
            self.env["MATRIX_PASSWORD"] = account.password
        else:
            self.env |= {"MATRIX_ACCESS_TOKEN": account.access_token, "MATRIX_DEVICE_ID": account.device_id}
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def adapter(self) -> MatrixAdapter:
        """The bot's Matrix adapter in this process (its account, device and store), to send as it would."""
        return MatrixAdapter(
            self.env["MATRIX_HOMESERVER"],
            self.account.user_id,
            self.directory / "data" / "matrix",
            ("localhost",),
            access_token=self.env["MATRIX_ACCESS_TOKEN"],
            device_id=self.env["MATRIX_DEVICE_ID"],
        )

    @property
    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.directory.glob("bot-*.log")))

    def start(self) -> None:
        self.starts += 1
        output = (self.directory / f"bot-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=self.env, stdout=output, stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        """Stop it as a crash would: no clean-up at all."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=20)

    def stop(self) -> None:
        stop_process(self.process)

    def serve(self, conversation: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Start the bot, hold ``conversation`` with it, and stop it whatever happened."""
        self.start()
        try:
            asyncio.run(conversation())
        except BaseException:
            # pytest shows what a failing test printed: the bot's side of the story.
            print(f"--- the coach's log ({self.directory}) ---\n{self.log[-30_000:]}")
            raise
        finally:
            self.stop()


@pytest.fixture
def bot_process(synapse: Synapse, tmp_path: Path) -> Iterator[Callable[..., BotProcess]]:
    started: list[BotProcess] = []

    def make(name: str, *, password_login: bool = False, server: Synapse | None = None) -> BotProcess:
        server = server or synapse
        bot = BotProcess(server, server.register(name), tmp_path, password_login=password_login)
        started.append(bot)
        return bot

    yield make
    for bot in started:
        bot.stop()
