"""How far guessing gets in the shipped placement check: topics placed above the basics, per strategy.

Each run is one learner (a session of its own, so its own shuffled order) who
answers every question of the check by a fixed strategy; the check's own rule
(``lessons.placing``) then says where they start. The buttons are the ones the
coach shows (the question types' own choices, shuffled, plus "I don't know
yet"), and the grading is the coach's own. The target (the quiz issue) is at
most 0.3 of 6 topics for every guessing strategy, and 6 of 6 for a learner
who knows everything. Prints the figures; asserts nothing.

    .venv/bin/python benchmarks/placement_guessing.py [--runs 1000]
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from statistics import mean

from lessons import buttons, flows
from lessons.chat import Choice
from lessons.loader import load_library
from lessons.model import LEVELS, FreeText, MultipleChoice, PlacementCheck, Question, SingleChoice, TrueFalse
from lessons.placing import start_levels
from lessons.questions import (
    DONT_KNOW,
    AnswerButton,
    Asking,
    Pressed,
    Response,
    TickButton,
    Ticked,
    Typed,
    type_of,
)

LANGUAGE = "en"
TARGET_GUESSING, TARGET_KNOWER = 0.3, 6

# A strategy gets the question and its buttons, and returns what it does.
Strategy = Callable[[Question, list[Choice], random.Random], Response]


def _answers(choices: list[Choice]) -> list[Choice]:
    """The buttons that answer: options and boxes, without "Done" and "I don't know yet"."""
    return [
        c
        for c in choices
        if isinstance(buttons.read(c.id), TickButton | AnswerButton) and not c.id.endswith(f":{DONT_KNOW}")
    ]


def _press(choice: Choice) -> Response:
    button = buttons.read(choice.id)
    if isinstance(button, TickButton):
        return Ticked(frozenset({button.option}))
    assert isinstance(button, AnswerButton), choice.id
    return Pressed(button.value)


def by_position(first: bool) -> Strategy:
    def pick(question: Question, choices: list[Choice], _rng: random.Random) -> Response:
        answers = _answers(choices)
        if not answers:  # a typed answer: nothing to press but "I don't know yet"
            return Pressed(DONT_KNOW)
        return _press(answers[0] if first else answers[-1])

    return pick


def longest(question: Question, choices: list[Choice], _rng: random.Random) -> Response:
    answers = _answers(choices)
    return _press(max(answers, key=lambda c: len(c.label))) if answers else Pressed(DONT_KNOW)


def always_true(question: Question, choices: list[Choice], rng: random.Random) -> Response:
    if isinstance(question, TrueFalse):
        return Pressed("1")
    return by_position(first=True)(question, choices, rng)


def uniform(question: Question, choices: list[Choice], rng: random.Random) -> Response:
    """A button at random; for a select-all question a random set of boxes (or "I don't know yet")."""
    if isinstance(question, MultipleChoice):
        boxes = _answers(choices)
        if rng.randrange(len(boxes) + 1) == len(boxes):
            return Pressed(DONT_KNOW)
        ticked: set[int] = set()
        while not ticked:
            ticked = {i for i in range(len(question.options)) if rng.random() < 0.5}
        return Ticked(frozenset(ticked))
    if isinstance(question, FreeText):
        return Pressed(DONT_KNOW)
    return _press(rng.choice(choices))


def knower(question: Question, choices: list[Choice], _rng: random.Random) -> Response:
    if isinstance(question, TrueFalse):
        return Pressed("1" if question.answer else "0")
    if isinstance(question, SingleChoice):
        return Pressed(str(next(i for i, o in enumerate(question.options) if o.correct)))
    if isinstance(question, MultipleChoice):
        return Ticked(frozenset(i for i, o in enumerate(question.options) if o.correct))
    assert isinstance(question, FreeText)
    return Typed(question.accepted[LANGUAGE][0])


STRATEGIES: dict[str, Strategy] = {
    "always the first option": by_position(first=True),
    "always the last option": by_position(first=False),
    "always the longest option": longest,
    "always 'true' (else the first)": always_true,
    "uniformly at random": uniform,
    "knows everything": knower,
}


def placed_above_basics(check: PlacementCheck, strategy: Strategy, run: int, rng: random.Random) -> int:
    right: dict[str, bool] = {}
    for position, question in enumerate(check.questions):
        asking = Asking(run, position, shuffle=f"{run}/{question.id}")
        choices = type_of(question).choices(question, asking, LANGUAGE)
        choices.append(asking.answer(DONT_KNOW, "I don't know yet"))  # as the placement session adds it
        response = strategy(question, choices, rng)
        graded = (
            None if response == Pressed(DONT_KNOW) else type_of(question).grade(question, response, LANGUAGE)
        )
        right[question.id] = graded is not None and graded.correct
    return sum(level != LEVELS[0] for level in start_levels(check, right).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    flows.load_all()
    library = load_library().library
    assert library is not None and library.placement is not None, "the shipped library has no placement check"
    check = library.placement
    topics = len({q.topic for q in check.questions})
    print(f"placement check: {len(check.questions)} questions over {topics} topics, {args.runs} runs each")
    print(f"{'strategy':<34}{'topics above the basics (mean)':>32}{'most':>6}")
    for name, strategy in STRATEGIES.items():
        rng = random.Random(name)
        placed = [placed_above_basics(check, strategy, run, rng) for run in range(1, args.runs + 1)]
        target = TARGET_KNOWER if strategy is knower else TARGET_GUESSING
        verdict = (
            "target met"
            if (mean(placed) >= target if strategy is knower else mean(placed) <= target)
            else "MISSED"
        )
        print(f"{name:<34}{mean(placed):>25.2f} of {topics}{max(placed):>6}   ({verdict})")


if __name__ == "__main__":
    main()
