"""Buttons that several conversations offer, declared here so each can build them.

Their handlers are declared with the flow they lead to (``lessons.flows.lesson``,
``review`` and ``placement``), which may in turn build these buttons: this
module imports no flow, so no two flows have to import each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lessons.buttons import Button


@dataclass(frozen=True)
class GoTo(Button, kind="go"):
    """Today's lesson, "later" (after onboarding), or the learner's progress."""

    where: Literal["lesson", "later", "progress"]


@dataclass(frozen=True)
class MoreLessons(Button, kind="more"):
    """One more lesson on top of today's."""

    what: Literal["lesson"] = "lesson"


@dataclass(frozen=True)
class StartReview(Button, kind="review"):
    """The questions from earlier lessons that are due today."""

    what: Literal["start"] = "start"


@dataclass(frozen=True)
class StartCheck(Button, kind="check"):
    """The placement self-check."""

    what: Literal["start"] = "start"
