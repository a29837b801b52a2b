"""A select-all-that-apply question: a box per option, then Done.

Right when exactly the right options are ticked.
"""

from __future__ import annotations

from collections.abc import Iterator

from lessons.chat import Choice
from lessons.i18n import _
from lessons.model import MultipleChoice
from lessons.questions import (
    Asking,
    Graded,
    Press,
    Problem,
    QuestionType,
    Response,
    Step,
    Ticked,
    question_type,
)


@question_type
class MultipleChoiceType(QuestionType[MultipleChoice]):
    model = MultipleChoice
    name = "multiple"

    def hint(self, question: MultipleChoice) -> str | None:
        return _("Tick every right answer, then press Done.")

    def choices(self, question: MultipleChoice, asking: Asking, language: str) -> list[Choice]:
        options = question.options
        boxes = [asking.tick(i, options[i].text.get(language)) for i in asking.order(options)]
        return [*boxes, asking.done(_("Done"))]

    def tickable(self, question: MultipleChoice, option: int) -> bool:
        return option < len(question.options)

    def grade(self, question: MultipleChoice, response: Response, language: str) -> Graded | None:
        if not isinstance(response, Ticked) or not all(self.tickable(question, i) for i in response.options):
            return None
        right = {i for i, o in enumerate(question.options) if o.correct}
        chosen = "; ".join(question.options[i].text.get(language) for i in sorted(response.options))
        choice = ",".join(map(str, sorted(response.options)))
        reasons = tuple(w.get(language) for i in sorted(response.options) if (w := question.options[i].why))
        return Graded(set(response.options) == right, chosen, choice=choice, reasons=reasons)

    def right_answer(self, question: MultipleChoice, language: str) -> str:
        return "; ".join(o.text.get(language) for o in question.options if o.correct)

    def problems(self, question: MultipleChoice) -> Iterator[Problem]:
        if not any(o.correct for o in question.options):
            yield (
                ("options",),
                f"quiz question '{question.id}' has no correct option: "
                "mark at least one with 'correct: true'",
            )

    def walkthrough(self, question: MultipleChoice, right: bool, language: str) -> list[Step]:
        correct = [o for o in question.options if o.correct]
        wrong = [o for o in question.options if not o.correct]
        # When every option is right, ticking only the first one is a wrong answer.
        ticks = correct if right else wrong[:1] or correct[:1]
        return [*(Press(o.text.get(language)) for o in ticks), Press(_("Done"))]
