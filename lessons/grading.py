"""Typed text compared the way a person would: case, accents and stray punctuation do not count."""

from __future__ import annotations

import re
import unicodedata

from lessons.model import FreeText


def normalise(text: str) -> str:
    """Fold case, accents, punctuation at the ends and runs of white space.

    'Hameçonnage ' and 'hameconnage' are the same answer: nobody should fail a
    quiz on an accent or a capital.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"\s+", " ", plain.casefold()).strip()
    return plain.strip(" .,;:!?\"'“”„«»()")


def accepted_answers(question: FreeText, language: str) -> list[str]:
    """The answers accepted in the learner's language, or in every language if it has none."""
    lists: dict[str, list[str]] = {code: answers for code, answers in question.accepted.items()}
    return lists.get(language) or [answer for answers in lists.values() for answer in answers]


def accepts(question: FreeText, text: str, language: str) -> bool:
    return normalise(text) in {normalise(a) for a in accepted_answers(question, language)}
