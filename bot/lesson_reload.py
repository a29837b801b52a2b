"""Reload the lessons of a running coach: SIGHUP, or ``digicoach lessons reload``.

While it serves, the coach writes its process id to ``<data dir>/coach.pid``.
``digicoach lessons reload`` sends that process SIGHUP (``kill -HUP`` does the
same). The coach then loads its lesson folders again and swaps the new library
in whole only when it has no errors, so a broken edit never takes the coach
down or half-applies: the last good lessons keep serving. The outcome is
logged and written to ``<data dir>/lessons-reload.json``, which ``lessons
reload`` waits for and prints, so the admin who asked sees the errors.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from lessons.loader import LibraryLoad

PID_FILE = "coach.pid"
STATUS_FILE = "lessons-reload.json"


class NoCoachRunningError(Exception):
    """No coach is serving from this data folder."""


class NoAnswerError(Exception):
    """The coach was signalled but did not report back in time."""


@dataclass(frozen=True)
class ReloadStatus:
    """The outcome of one reload, as the running coach reports it."""

    pid: int
    at: str
    ok: bool
    lessons: int
    problems: list[str]

    @classmethod
    def of(cls, loaded: LibraryLoad, lessons_serving: int) -> ReloadStatus:
        return cls(
            pid=os.getpid(),
            at=datetime.now(UTC).isoformat(),
            ok=loaded.library is not None,
            lessons=lessons_serving,
            problems=[str(p) for p in loaded.errors or loaded.warnings],
        )


def write_status(data_dir: Path, status: ReloadStatus) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = data_dir / f".{STATUS_FILE}.{os.getpid()}"
    partial.write_text(json.dumps(asdict(status), indent=2), encoding="utf-8")
    partial.replace(data_dir / STATUS_FILE)  # atomic: a reader never sees half a file


def read_status(data_dir: Path) -> ReloadStatus | None:
    try:
        return ReloadStatus(**json.loads((data_dir / STATUS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True


def running_coach(data_dir: Path) -> int | None:
    """The process id of the coach serving from ``data_dir``, if one is running.

    The coach holds a lock on its pid file while it runs, and the lock dies with
    the process: a pid file left by a crash never gets an unrelated process
    that reuses the number signalled.
    """
    try:
        with (data_dir / PID_FILE).open("r", encoding="utf-8") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return int(file.read().strip())
            return None  # nobody holds it: left over from a coach that ended
    except (OSError, ValueError):
        return None


@dataclass
class PidFile:
    """``<data dir>/coach.pid``, locked for as long as this coach serves."""

    data_dir: Path
    _file: TextIO | None = None

    def claim(self) -> bool:
        """Take the pid file; False when another running coach has this data folder."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        file = (self.data_dir / PID_FILE).open("a+", encoding="utf-8")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        file.seek(0)
        file.truncate()
        file.write(f"{os.getpid()}\n")
        file.flush()
        self._file = file
        return True

    def release(self) -> None:
        if self._file is not None:
            (self.data_dir / PID_FILE).unlink(missing_ok=True)
            self._file.close()  # closing drops the lock
            self._file = None


def request_reload(data_dir: Path, timeout: float = 60.0) -> ReloadStatus:
    """Signal the running coach and wait for the outcome of its reload."""
    pid = running_coach(data_dir)
    if pid is None:
        raise NoCoachRunningError(str(data_dir / PID_FILE))
    before = read_status(data_dir)
    os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = read_status(data_dir)
        if status is not None and status != before and status.pid == pid:
            return status
        if not _alive(pid):
            raise NoCoachRunningError(str(data_dir / PID_FILE))
        time.sleep(0.05)  # polling a file the other process writes; there is nothing to wait on
    raise NoAnswerError(str(data_dir / STATUS_FILE))
