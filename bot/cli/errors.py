"""The one way a command reports a problem the person can fix: ``digicoach: <message>``, exit 2."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from bot.masking import mask

EXIT_STATUS = 2


class CliError(Exception):
    """What went wrong, in words the person at the terminal can act on.

    ``problems`` (e.g. the lesson files' errors) are printed first, one a line,
    so that the message can point at them ("listed above").
    """

    def __init__(self, message: str, problems: Iterable[object] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)

    def report(self) -> int:
        """Print it on standard error; the exit status."""
        for problem in self.problems:
            print(mask(str(problem)), file=sys.stderr)
        print(mask(f"digicoach: {self.message}"), file=sys.stderr)
        return EXIT_STATUS
