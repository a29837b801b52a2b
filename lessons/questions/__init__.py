"""Question types: how each kind of quiz question is shown, answered, graded and checked.

One module per type (``single_choice``, ``multiple_choice``, ``true_false``,
``free_text``) holds all of that for its type; the shape an author writes is
in ``lessons.model``. A new type is one module here and its model there.

The session machine (``lessons.flows.session``) knows nothing about types: it
asks the question's type for its buttons, hands it what the learner did (a
pressed answer, the ticked boxes, typed text) and records what ``grade`` says.
"""

from __future__ import annotations

import hashlib
import pkgutil
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from lessons.buttons import Button, Position, RowId, Within
from lessons.chat import Choice
from lessons.model import MAX_OPTIONS, Option, Question

Q = TypeVar("Q")
# A place in a question's YAML (below the question) and what is wrong there.
Problem = tuple[tuple[str | int, ...], str]

DONT_KNOW = "x"


# The buttons of the question being asked: each names the session and the
# position, so a stale or forged press is recognised and changes nothing.


@dataclass(frozen=True)
class AnswerButton(Button, kind="ans"):
    delivery: RowId
    position: Position
    # What the button answers: an option's index, 1/0 for true/false, or DONT_KNOW.
    value: str


@dataclass(frozen=True)
class TickButton(Button, kind="tick"):
    delivery: RowId
    position: Position
    option: Annotated[int, Within(0, MAX_OPTIONS - 1)]


@dataclass(frozen=True)
class DoneButton(Button, kind="done"):
    delivery: RowId
    position: Position


@dataclass(frozen=True)
class Asking:
    """Where a question is asked: its session and position, and the boxes ticked so far."""

    delivery: int
    position: int
    ticked: frozenset[int] = frozenset()
    # What the options' order is drawn from: the session and the question, so one
    # learner sees the same order after a restart, a reload or a resend, and two
    # learners (two sessions) usually see different ones.
    shuffle: str = ""

    def order(self, options: Sequence[Option]) -> list[int]:
        """The options' indexes in the order shown: shuffled, pinned ones where the author put them."""
        free = [i for i, option in enumerate(options) if not option.pinned]
        seed = int.from_bytes(hashlib.sha256(self.shuffle.encode()).digest()[:8], "big")
        random.Random(seed).shuffle(free)
        drawn = iter(free)
        return [i if option.pinned else next(drawn) for i, option in enumerate(options)]

    def answer(self, value: str, label: str) -> Choice:
        return AnswerButton(self.delivery, self.position, value).choice(label)

    def tick(self, option: int, label: str) -> Choice:
        return TickButton(self.delivery, self.position, option).choice(label, ticked=option in self.ticked)

    def done(self, label: str) -> Choice:
        return DoneButton(self.delivery, self.position).choice(label)


# What a learner did to answer.


@dataclass(frozen=True)
class Pressed:
    value: str


@dataclass(frozen=True)
class Ticked:
    options: frozenset[int]


@dataclass(frozen=True)
class Typed:
    text: str


Response = Pressed | Ticked | Typed


@dataclass(frozen=True)
class Graded:
    correct: bool
    # The answer as text, for the learner's record.
    response: str
    # What was chosen, by identity, not by where it stood on the screen: the
    # options' indexes in the lesson file ("2", "0,3"), "true"/"false", or "" for typed text.
    choice: str = ""
    # A typed answer taken as right despite a typo: the right spelling, to show.
    spelling: str | None = None
    # Why the chosen options are (not) right, in the learner's language (the options' ``why``).
    reasons: tuple[str, ...] = ()
    # "I don't know (yet)": not known, which is not the same as wrong.
    unknown: bool = False


NOT_KNOWN = Graded(False, "", choice=DONT_KNOW, unknown=True)


@dataclass(frozen=True)
class Press:
    """A step of a walkthrough (``lessons preview``): press the button with this label..."""

    label: str


@dataclass(frozen=True)
class Type:
    """... or type this text."""

    text: str


Step = Press | Type


class QuestionType(Generic[Q]):
    """The behaviour of one type of question; ``model`` is its class in ``lessons.model``."""

    model: ClassVar[type[Any]]
    # The name authors write as ``type:``.
    name: ClassVar[str]

    def hint(self, question: Q) -> str | None:
        """What to do, under the question, when it is not just "press one"."""
        return None

    def choices(self, question: Q, asking: Asking, language: str) -> list[Choice]:
        raise NotImplementedError

    def grade(self, question: Q, response: Response, language: str) -> Graded | None:
        """Whether ``response`` is right; None when it is no answer this question takes."""
        raise NotImplementedError

    def tickable(self, question: Q, option: int) -> bool:
        """Whether ``option`` is a box this question lets the learner tick."""
        return False

    def right_answer(self, question: Q, language: str) -> str:
        raise NotImplementedError

    def problems(self, question: Q) -> Iterator[Problem]:
        """What an author got wrong that the schema cannot see (``lessons check`` errors)."""
        return iter(())

    def advice(self, question: Q) -> Iterator[Problem]:
        """What would make the question teach better (``lessons check`` warnings)."""
        return iter(())

    def walkthrough(self, question: Q, right: bool, language: str) -> list[Step]:
        """How a learner who knows (or does not know) the answer answers it, for ``lessons preview``."""
        raise NotImplementedError


_TYPES: dict[type[Any], QuestionType[Any]] = {}


def question_type(kind: type[QuestionType[Q]]) -> type[QuestionType[Q]]:
    """Register a type's behaviour (a class decorator in each module)."""
    _TYPES[kind.model] = kind()
    return kind


@cache
def _load() -> None:
    for module in pkgutil.iter_modules(__path__):
        import_module(f"{__name__}.{module.name}")


def type_of(question: Question) -> QuestionType[Any]:
    """The behaviour of ``question``'s type (a placement variant behaves as its lesson type)."""
    _load()
    for kind in type(question).__mro__:
        if kind in _TYPES:
            return _TYPES[kind]
    raise LookupError(f"no question type for {type(question).__name__}")


def names() -> list[str]:
    """The ``type:`` names authors can write."""
    _load()
    return [kind.name for kind in _TYPES.values()]
