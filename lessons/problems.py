"""A problem found in a lesson file, located as ``path:line:col``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.column}: {prefix}{self.message}"

    def as_dict(self) -> dict[str, str | int]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


# A careless or hostile file can hold thousands of mistakes (20,000 unknown keys): listing them
# all takes long and helps nobody, the first ones show what is wrong.
MAX_PER_FILE = 30
# Longer values are shortened where a message quotes them: a message is one readable line.
MAX_QUOTED = 40


def at_most(problems: list[Problem], unlisted: int = 0) -> list[Problem]:
    """A file's first ``MAX_PER_FILE`` problems, then one that counts the rest (``unlisted`` too)."""
    more = len(problems) - MAX_PER_FILE + unlisted
    if more <= 0:
        return problems
    ordered = sorted(problems)
    # At the first problem left out, and starting with '…', so that it sorts after the ones listed.
    first_left_out = ordered[min(MAX_PER_FILE, len(ordered) - 1)]
    return [
        *ordered[:MAX_PER_FILE],
        Problem(
            first_left_out.path,
            first_left_out.line,
            first_left_out.column,
            f"… and {more:,} more problem(s) in this file, not listed: fix the ones above and check again",
        ),
    ]


def quoted(value: object) -> str:
    """``value`` as a message quotes it: in quotes, and shortened when it is long."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > MAX_QUOTED:
        text = f"{text[:MAX_QUOTED]}…"
    return f"'{text}'"
