"""A true-or-false statement: two buttons, True and False; ``why_true`` / ``why_false`` say why."""

from __future__ import annotations

from lessons.chat import Choice
from lessons.grading import true_or_false
from lessons.i18n import _
from lessons.model import TrueFalse
from lessons.questions import (
    Asking,
    Graded,
    Press,
    Pressed,
    QuestionType,
    Response,
    Step,
    Typed,
    question_type,
)

TRUE, FALSE = "1", "0"


@question_type
class TrueFalseType(QuestionType[TrueFalse]):
    model = TrueFalse
    name = "true_false"

    def choices(self, question: TrueFalse, asking: Asking, language: str) -> list[Choice]:
        return [asking.answer(TRUE, _("True")), asking.answer(FALSE, _("False"))]

    def grade(self, question: TrueFalse, response: Response, language: str) -> Graded | None:
        if isinstance(response, Typed):
            said = true_or_false(response.text)  # "waar", "niet waar", "faux", "nein" ...
        elif isinstance(response, Pressed) and response.value in (TRUE, FALSE):
            said = response.value == TRUE
        else:
            said = None
        if said is None:
            return None
        word = "true" if said else "false"
        why = question.why_true if said else question.why_false
        reasons = (why.get(language),) if why else ()
        return Graded(said == question.answer, word, choice=word, reasons=reasons)

    def right_answer(self, question: TrueFalse, language: str) -> str:
        return _("True") if question.answer else _("False")

    def walkthrough(self, question: TrueFalse, right: bool, language: str) -> list[Step]:
        return [Press(_("True") if question.answer == right else _("False"))]
