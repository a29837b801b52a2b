"""No output and no log line holds a password or a token: the audit found both printed."""

from __future__ import annotations

import http.server
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from bot.adapters.matrix import configure as configure_matrix
from bot.logs import setup as setup_logging
from bot.masking import mask
from bot.settings import Settings

PASSWORD = "S3cretPW"
TOKEN = "123456789:AAFake-TokenFakeTokenFakeToken_Fake12"


def digicoach(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True, text=True, timeout=120, check=False, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_a_database_that_cannot_be_reached_is_named_without_its_password():
    done = digicoach("db", "upgrade", "--db", f"postgresql+psycopg://coach:{PASSWORD}@127.0.0.1:1/coach")
    assert done.returncode == 2
    assert done.stderr.startswith(
        "digicoach: cannot upgrade postgresql+psycopg://coach:***@127.0.0.1:1/coach: "
    )
    assert PASSWORD not in done.stdout + done.stderr


def test_a_database_url_that_is_not_valid_is_a_message_without_its_password_not_a_traceback():
    done = digicoach("db", "upgrade", "--db", f"postgresql+psycopg://coach:{PASSWORD}@db:54x32/coach")
    assert done.returncode == 2
    assert done.stderr == (
        "digicoach: cannot upgrade postgresql+psycopg://coach:***@db:54x32/coach: the URL is not valid "
        "(invalid literal for int() with base 10: '54x32')\n"
    )


class _Refusing(http.server.BaseHTTPRequestHandler):
    """A Bot API that refuses every token."""

    def do_POST(self) -> None:
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def refusing_bot_api() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_refused_telegram_token_is_not_echoed_even_in_debug_logs(refusing_bot_api, tmp_path):
    done = digicoach(
        "run",
        "--db",
        f"sqlite:///{tmp_path / 'coach.sqlite3'}",
        env={
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": refusing_bot_api,
            "DIGICOACH_LOG_LEVEL": "DEBUG",  # httpx then logs every Bot API address, token included
            "DIGICOACH_DATA_DIR": str(tmp_path / "data"),
        },
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "digicoach: Telegram refused TELEGRAM_BOT_TOKEN (The token `***` was rejected" in output
    assert f"{refusing_bot_api}/bot***/getMe" in output
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output


def test_matrix_secrets_are_masked_in_every_log_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("MATRIX_HOMESERVER", "https://matrix.example.org")
    monkeypatch.setenv("MATRIX_USER_ID", "@coach:example.org")
    monkeypatch.setenv("MATRIX_PASSWORD", "correct horse battery")
    monkeypatch.setenv("MATRIX_ACCESS_TOKEN", "syt_Y29hY2g_secretsecretsecret")
    monkeypatch.setenv("MATRIX_DEVICE_ID", "COACHDEVICE")
    assert configure_matrix(Settings(data_dir=tmp_path)) is not None
    setup_logging("DEBUG")
    try:
        logging.getLogger("nio.api").debug(
            "login with correct horse battery gave syt_Y29hY2g_secretsecretsecret"
        )
        try:
            raise RuntimeError("refused: syt_Y29hY2g_secretsecretsecret")
        except RuntimeError:
            logging.getLogger("bot.adapters.matrix").exception("sync failed")
    finally:
        logging.getLogger().handlers.clear()
    logged = capsys.readouterr().err
    assert "login with *** gave ***" in logged
    assert "RuntimeError: refused: ***" in logged
    assert "secretsecret" not in logged and "horse" not in logged


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql://u:p%40ss@db/x", "postgresql://u:***@db/x"),
        ("postgresql://u:p@ss@db:5432/x and more", "postgresql://u:***@db:5432/x and more"),
        ("https://host:8448/_matrix", "https://host:8448/_matrix"),  # a port is no password
        (f"GET /bot{TOKEN}/getUpdates", "GET /bot***/getUpdates"),
        ("12:30 is lesson time", "12:30 is lesson time"),
    ],
)
def test_secrets_are_known_by_their_shape_too(text, masked):
    assert mask(text) == masked


def test_an_error_nobody_caught_is_printed_with_its_secrets_masked():
    program = (
        "from bot.masking import keep_secret, mask_uncaught_errors\n"
        f"keep_secret({PASSWORD!r})\n"
        "mask_uncaught_errors()\n"
        f"raise RuntimeError('could not log in with {PASSWORD}')\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert done.stderr.endswith("RuntimeError: could not log in with ***\n")
    assert PASSWORD not in done.stderr
