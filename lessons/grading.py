"""Is an answer right? Pure functions, one per question type."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set

from lessons.model import FreeText, MultipleChoice, Question, SingleChoice, TrueFalse


def normalise(text: str) -> str:
    """Fold case, accents, punctuation at the ends and runs of white space.

    'Hameçonnage ' and 'hameconnage' are the same answer: nobody should fail a
    quiz on an accent or a capital.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"\s+", " ", plain.casefold()).strip()
    return plain.strip(" .,;:!?\"'“”„«»()")


def grade(question: Question, given: object, language: str) -> tuple[bool, str]:
    """Return whether ``given`` is right, and the answer as text for the record."""
    if isinstance(question, TrueFalse):
        assert isinstance(given, bool)
        return given == question.answer, "true" if given else "false"
    if isinstance(question, SingleChoice):
        assert isinstance(given, int)
        option = question.options[given]
        return option.correct, option.text.get(language)
    if isinstance(question, MultipleChoice):
        assert isinstance(given, Set)
        right = {i for i, o in enumerate(question.options) if o.correct}
        chosen = "; ".join(question.options[i].text.get(language) for i in sorted(given))
        return set(given) == right, chosen
    assert isinstance(question, FreeText) and isinstance(given, str)
    return accepts(question, given, language), given.strip()


def accepts(question: FreeText, text: str, language: str) -> bool:
    """Accepted answers of the learner's language, or of any language if it has none."""
    lists = question.accepted
    candidates = lists.get(language) or [a for answers in lists.values() for a in answers]  # type: ignore[call-overload]
    return normalise(text) in {normalise(a) for a in candidates}
