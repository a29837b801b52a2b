"""The `digicoach` command as an admin types it, in a subprocess, on a given database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def digicoach(database: Path, *args: str) -> str:
    """Run ``digicoach ARGS --db sqlite:///DATABASE``; its standard output (it must succeed)."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args, "--db", f"sqlite:///{database}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def invite_code(database: Path, *args: str) -> str:
    """``digicoach invite create ARGS``: the code it prints on its first line."""
    return digicoach(database, "invite", "create", *args).split()[1]
