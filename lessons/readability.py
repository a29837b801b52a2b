"""Plain-language measures for lesson texts (target: CEFR B1; a card's simpler version A2).

Readers include people who find digital things hard and people reading Dutch
or French as a second language, so the library is held to two measurable
limits: a card of at most ``MAX_CARD_WORDS`` words, and a mean sentence length
of at most ``MAX_MEAN_SENTENCE_WORDS`` words per lesson and language. A card's
simpler version keeps its sentences to about ten words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lessons.model import Lesson

MAX_CARD_WORDS = 80
MAX_MEAN_SENTENCE_WORDS = 15.0
# A card's simpler version (``simple:``) aims at A2: sentences of about 10 words. The
# checker warns beyond this many, leaving room for a name in a sentence: "La Vlaamse
# Toezichtcommissie (VTC) contrôle la protection des données dans les communes flamandes"
# is 13 words, 4 of them the name.
MAX_SIMPLE_SENTENCE_WORDS = 13
# A glossary term is explained in one or two short B1 sentences.
MAX_TERM_SENTENCES = 2
MAX_TERM_WORDS = 40

# A word starts at a letter or digit and runs on through letters, digits,
# apostrophes and hyphens ("e-mail", "l’adresse"); leading ones never start a word.
_WORD = re.compile(r"\w[\w’'-]*")
# A sentence ends at . ! ? or … followed by white space, or at a line break
# (list items in cards are sentences of their own for a reader).
_SENTENCE_END = re.compile(r"(?<=[.!?…:;])\s+|\n+")


def words(text: str) -> int:
    return len(_WORD.findall(text))


def sentences(text: str) -> list[str]:
    return [s for s in (part.strip() for part in _SENTENCE_END.split(text)) if words(s)]


def mean_sentence_words(texts: list[str]) -> float:
    all_sentences = [s for text in texts for s in sentences(text)]
    if not all_sentences:
        return 0.0
    return sum(words(s) for s in all_sentences) / len(all_sentences)


@dataclass(frozen=True)
class LanguageReport:
    language: str
    card_words: tuple[int, ...]
    mean_sentence_words: float

    @property
    def problems(self) -> list[str]:
        found = [
            f"card {n} has {count} words in '{self.language}' (at most {MAX_CARD_WORDS})"
            for n, count in enumerate(self.card_words, start=1)
            if count > MAX_CARD_WORDS
        ]
        if self.mean_sentence_words > MAX_MEAN_SENTENCE_WORDS:
            found.append(
                f"sentences in '{self.language}' average {self.mean_sentence_words:.1f} words "
                f"(at most {MAX_MEAN_SENTENCE_WORDS:.0f}): split long sentences"
            )
        return found


def lesson_texts(lesson: Lesson, language: str) -> list[str]:
    """Every text a learner reads in this lesson, in ``language`` (with fallback)."""
    texts = [lesson.title.get(language)]
    if lesson.summary:
        texts.append(lesson.summary.get(language))
    texts += [card.text.get(language) for card in lesson.cards]
    for question in lesson.quiz:
        texts += [question.question.get(language), question.explanation.get(language)]
        texts += [o.text.get(language) for o in getattr(question, "options", [])]
    if lesson.try_today:
        texts.append(lesson.try_today.get(language))
    return texts


def report(lesson: Lesson, language: str) -> LanguageReport:
    return LanguageReport(
        language=language,
        card_words=tuple(words(card.text.get(language)) for card in lesson.cards),
        mean_sentence_words=round(mean_sentence_words(lesson_texts(lesson, language)), 1),
    )
