"""A choice's label as the text adapters draw it: with a box in front when it is one to tick."""

from __future__ import annotations

from lessons.chat import Choice

TICKED, UNTICKED = "☑", "☐"


def label(choice: Choice) -> str:
    if choice.ticked is None:
        return choice.label
    return f"{TICKED if choice.ticked else UNTICKED} {choice.label}"
