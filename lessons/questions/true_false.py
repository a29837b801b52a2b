"""A true-or-false statement: two buttons, True and False."""

from __future__ import annotations

from lessons.chat import Choice
from lessons.i18n import _
from lessons.model import TrueFalse
from lessons.questions import Asking, Graded, Press, Pressed, QuestionType, Response, Step, question_type

TRUE, FALSE = "1", "0"


@question_type
class TrueFalseType(QuestionType[TrueFalse]):
    model = TrueFalse
    name = "true_false"

    def choices(self, question: TrueFalse, asking: Asking, language: str) -> list[Choice]:
        return [asking.answer(TRUE, _("True")), asking.answer(FALSE, _("False"))]

    def grade(self, question: TrueFalse, response: Response, language: str) -> Graded | None:
        if not isinstance(response, Pressed) or response.value not in (TRUE, FALSE):
            return None
        said = response.value == TRUE
        return Graded(said == question.answer, "true" if said else "false")

    def right_answer(self, question: TrueFalse, language: str) -> str:
        return _("True") if question.answer else _("False")

    def walkthrough(self, question: TrueFalse, right: bool, language: str) -> list[Step]:
        return [Press(_("True") if question.answer == right else _("False"))]
