"""A single-choice question: one button per option, exactly one of them right."""

from __future__ import annotations

from collections.abc import Iterator

from lessons.chat import Choice
from lessons.model import SingleChoice
from lessons.questions import (
    Asking,
    Graded,
    Press,
    Pressed,
    Problem,
    QuestionType,
    Response,
    Step,
    question_type,
)


@question_type
class SingleChoiceType(QuestionType[SingleChoice]):
    model = SingleChoice
    name = "single"

    def choices(self, question: SingleChoice, asking: Asking, language: str) -> list[Choice]:
        options = question.options
        return [asking.answer(str(i), options[i].text.get(language)) for i in asking.order(options)]

    def grade(self, question: SingleChoice, response: Response, language: str) -> Graded | None:
        if not isinstance(response, Pressed) or not response.value.isdigit():
            return None
        index = int(response.value)
        if index >= len(question.options):
            return None
        option = question.options[index]
        reasons = (option.why.get(language),) if option.why else ()
        return Graded(option.correct, option.text.get(language), choice=str(index), reasons=reasons)

    def right_answer(self, question: SingleChoice, language: str) -> str:
        return "; ".join(o.text.get(language) for o in question.options if o.correct)

    def problems(self, question: SingleChoice) -> Iterator[Problem]:
        right = sum(o.correct for o in question.options)
        if right == 0:
            yield (
                ("options",),
                f"quiz question '{question.id}' has no correct option: mark one with 'correct: true'",
            )
        elif right > 1:
            yield (
                ("options",),
                f"quiz question '{question.id}' is 'single' but has {right} "
                "correct options: keep one, or use type 'multiple'",
            )

    def advice(self, question: SingleChoice) -> Iterator[Problem]:
        for i, option in enumerate(question.options):
            if not option.correct and option.why is None:
                yield (
                    ("options", i),
                    f"option {i + 1} of quiz question '{question.id}' is wrong but has no 'why': "
                    "tell the learner who picks it, in one short sentence, why it is wrong",
                )

    def walkthrough(self, question: SingleChoice, right: bool, language: str) -> list[Step]:
        option = next(o for o in question.options if o.correct == right)
        return [Press(option.text.get(language))]
