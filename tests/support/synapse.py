"""A real Synapse homeserver on 127.0.0.1 and a free port, for the Matrix end-to-end tests.

Synapse is installed by ``scripts/test-all.sh`` into its own venv
(``.venv-synapse``) so its pins never meet the project's; nothing is installed
here. The server is stopped by its PID.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[2]
SYNAPSE_PYTHON = ROOT / ".venv-synapse" / "bin" / "python"
SERVER_NAME = "localhost"
START_TIMEOUT = 60.0

# Test-only limits: defaults refuse the 10th message of a burst and the 6th
# login, which would make a test wait minutes instead of failing.
_RELAXED = {"per_second": 1000, "burst_count": 1000}
CONFIG_TEMPLATE = {
    "server_name": SERVER_NAME,
    "report_stats": False,
    "trusted_key_servers": [],
    "suppress_key_server_warning": True,
    "presence": {"enabled": False},
    "enable_registration": False,
    "bcrypt_rounds": 4,
    "rc_message": _RELAXED,
    "rc_registration": _RELAXED,
    "rc_login": {"address": _RELAXED, "account": _RELAXED, "failed_attempts": _RELAXED},
    "rc_joins": {"local": _RELAXED, "remote": _RELAXED},
    "rc_joins_per_room": _RELAXED,
    "rc_invites": {"per_room": _RELAXED, "per_user": _RELAXED, "per_issuer": _RELAXED},
    "rc_room_creation": _RELAXED,
    "rc_key_requests": _RELAXED,
    "rc_admin_redaction": _RELAXED,
    "rc_3pid_validation": _RELAXED,
    "rc_delayed_event_mgmt": _RELAXED,
}

LOG_CONFIG = """\
version: 1
formatters:
  plain: {format: '%(asctime)s %(levelname)s %(name)s: %(message)s'}
handlers:
  file: {class: logging.FileHandler, filename: LOGFILE, formatter: plain}
root: {level: WARNING, handlers: [file]}
disable_existing_loggers: false
"""


class SynapseUnavailableError(RuntimeError):
    """Synapse is not installed or did not start; the message says why."""


@dataclass(frozen=True)
class Account:
    user_id: str
    password: str
    access_token: str
    device_id: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Synapse:
    """One homeserver process; ``start`` waits until it answers, ``stop`` ends it by PID."""

    def __init__(self, directory: Path, **overrides: object) -> None:
        """``overrides`` replace keys of the test config, e.g. a stricter ``rc_message``."""
        self.directory = directory
        self.overrides = overrides
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.secret = secrets.token_hex(16)
        self.process: subprocess.Popen[bytes] | None = None
        self._registered = 0

    @property
    def log_file(self) -> Path:
        return self.directory / "homeserver.log"

    def _write_config(self) -> Path:
        d = self.directory
        (d / "log.yaml").write_text(LOG_CONFIG.replace("LOGFILE", str(self.log_file)), encoding="utf-8")
        config = {
            **CONFIG_TEMPLATE,
            "pid_file": str(d / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(d / "homeserver.db")}},
            "log_config": str(d / "log.yaml"),
            "media_store_path": str(d / "media"),
            "signing_key_path": str(d / "signing.key"),
            "registration_shared_secret": self.secret,
            "macaroon_secret_key": secrets.token_hex(16),
            "form_secret": secrets.token_hex(16),
            **self.overrides,
        }
        path = d / "homeserver.yaml"
        # JSON is YAML: no YAML writer needed.
        path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        return path

    def start(self) -> None:
        if not SYNAPSE_PYTHON.exists():
            raise SynapseUnavailableError(
                f"{SYNAPSE_PYTHON} is missing: run 'bash scripts/test-all.sh' once to install Synapse"
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        command = [str(SYNAPSE_PYTHON), "-m", "synapse.app.homeserver", "-c", str(config)]
        generated = subprocess.run(
            [*command, "--generate-keys"], capture_output=True, text=True, timeout=120, cwd=self.directory
        )
        if generated.returncode != 0:
            raise SynapseUnavailableError(f"synapse --generate-keys failed: {generated.stderr[-2000:]}")
        output = (self.directory / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, cwd=self.directory, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SynapseUnavailableError(f"synapse exited at start:\n{self._tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        self.stop()
        raise SynapseUnavailableError(f"synapse did not answer within {START_TIMEOUT:.0f} s:\n{self._tail()}")

    def _tail(self) -> str:
        logs = [self.directory / "stdout.log", self.log_file]
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in logs if p.exists())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)

    def _request(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Bearer {token}"} if token else {}),
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")  # type: ignore[no-any-return]

    def register(self, prefix: str, admin: bool = False) -> Account:
        """A new user ``<prefix>-<n>``, made with the shared secret like ``register_new_matrix_user``."""
        self._registered += 1
        name = f"{prefix}-{self._registered}"
        password = secrets.token_hex(8)
        nonce = self._request("GET", "/_synapse/admin/v1/register")["nonce"]
        mac = hmac.new(self.secret.encode(), digestmod=hashlib.sha1)
        mac.update(
            b"\0".join([nonce.encode(), name.encode(), password.encode(), b"admin" if admin else b"notadmin"])
        )
        answer = self._request(
            "POST",
            "/_synapse/admin/v1/register",
            {"nonce": nonce, "username": name, "password": password, "admin": admin, "mac": mac.hexdigest()},
        )
        return Account(answer["user_id"], password, answer["access_token"], answer["device_id"])
