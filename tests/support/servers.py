"""What a test does when a real server it needs cannot start."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def cannot_start(server: str, reason: object) -> NoReturn:
    """A failure under CI (``CI=true``), where every server must run; a skip with the reason elsewhere."""
    message = f"{server} could not start: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
