"""What a test does when a real server it needs cannot start."""

from __future__ import annotations

import os
import signal
import subprocess
from typing import Any, NoReturn

import pytest


def cannot_start(server: str, reason: object) -> NoReturn:
    """A failure under CI (``CI=true``), where every server must run; a skip with the reason elsewhere."""
    message = f"{server} could not start: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def stop_process(
    process: subprocess.Popen[Any] | None, sig: int = signal.SIGTERM, timeout: float = 20
) -> None:
    """Ask a server to stop with ``sig``; kill it if it has not stopped within ``timeout`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
