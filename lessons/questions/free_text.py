"""A question answered by typing: compared with the accepted answers; "I don't know" is a button."""

from __future__ import annotations

from collections.abc import Iterator

from lessons.chat import Choice
from lessons.grading import accepted_answers, match
from lessons.i18n import _
from lessons.model import FreeText
from lessons.questions import (
    Asking,
    Graded,
    Press,
    Problem,
    QuestionType,
    Response,
    Step,
    Type,
    Typed,
    question_type,
)


@question_type
class FreeTextType(QuestionType[FreeText]):
    model = FreeText
    name = "free_text"

    def hint(self, question: FreeText) -> str | None:
        return _("Type your answer.")

    def choices(self, question: FreeText, asking: Asking, language: str) -> list[Choice]:
        return []  # the answer is typed; the session adds "I don't know"

    def grade(self, question: FreeText, response: Response, language: str) -> Graded | None:
        if not isinstance(response, Typed):
            return None
        found = match(
            accepted_answers(question, language), response.text, language, question.question.get(language)
        )
        spelling = found.spelling if found is not None and found.typo else None
        return Graded(found is not None, response.text.strip(), spelling=spelling)

    def right_answer(self, question: FreeText, language: str) -> str:
        answers = accepted_answers(question, language)
        return answers[0] if answers else ""

    def problems(self, question: FreeText) -> Iterator[Problem]:
        if not any(question.accepted.values()):
            yield (
                ("accepted",),
                f"quiz question '{question.id}' accepts no answer: list at least one accepted answer",
            )

    def walkthrough(self, question: FreeText, right: bool, language: str) -> list[Step]:
        return [Type(self.right_answer(question, language))] if right else [Press(_("I don't know"))]
