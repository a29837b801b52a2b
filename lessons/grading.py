"""Typed text compared the way a person would.

A typed answer is right when it says the same words as an accepted answer,
read generously: case, accents, typographic quotes and punctuation do not
count; a leading article does not count ("de DPO", "l'inclusion"); words the
question already shows may be typed again ("digitale inclusie" for
"digitale …"); plurals and other endings do not count (Snowball stemmers for
Dutch, English, French and German); and a small typo does not count (none in
words under 5 letters, one up to 8, two beyond; measured with rapidfuzz); a
typo keeps the first letter ("misinformation" is not "disinformation"). A
typo is forgiven, not ignored: the learner is shown the right spelling. What
is never accepted is a wrong answer that merely contains a right one: "geen
phishing" is not "phishing".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import snowballstemmer
from rapidfuzz.distance import Levenshtein

from lessons.model import FreeText

# What phone keyboards type for ' and ".
_APOSTROPHES = str.maketrans({c: "'" for c in "’‘‛`´ʹʼ′"} | {c: '"' for c in "“”„‟«»″"})
_WORD = re.compile(r"[^\W_]+")

# Articles a learner may put in front of an answer, per language.
ARTICLES: dict[str, frozenset[str]] = {
    "nl": frozenset({"de", "het", "een", "'t"}),
    "en": frozenset({"the", "a", "an"}),
    "fr": frozenset({"le", "la", "l", "les", "un", "une", "des", "du", "d"}),
    "de": frozenset(
        {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines"}
    ),
}
# Snowball stemmers per language, tried in turn: each has its blind spots (Dutch
# "wachtwoorden"), and IT words in every language are often English ones.
_STEMMERS: dict[str, tuple[str, ...]] = {
    "nl": ("dutch", "dutch_porter", "english"),
    "en": ("english", "porter"),
    "fr": ("french", "english"),
    "de": ("german", "english"),
}
# An acronym's plural ("KPIs", Dutch "KPI's") is the acronym.
_ACRONYM_PLURAL = re.compile(r"\b([A-Z]{2,})['’]?s\b")


def normalise(text: str) -> str:
    """Fold case, accents, quotes, punctuation at the ends and runs of white space.

    'Hameçonnage ' and 'hameconnage' are the same answer: nobody should fail a
    quiz on an accent or a capital. Also used to match a typed button label.
    """
    plain = fold(unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold())
    plain = re.sub(r"\s+", " ", plain).strip()
    return plain.strip(" .,;:!?\"'()")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def split_words(text: str) -> list[str]:
    """The words of ``text``, case folded, with French elisions split off ("l'inclusion" -> l, inclusion)."""
    plain = _ACRONYM_PLURAL.sub(r"\1", unicodedata.normalize("NFKC", text))
    return _WORD.findall(plain.translate(_APOSTROPHES).casefold())


def without_articles(words: list[str], language: str) -> list[str]:
    articles = ARTICLES.get(language, frozenset())
    start = 0
    while start < len(words) - 1 and words[start] in articles:
        start += 1
    return words[start:]


@cache
def stemmer(name: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(name)


def _stemmings(words: Sequence[str], language: str) -> list[list[str]]:
    """``words`` stemmed by each of the language's stemmers (the words as they are if it has none)."""
    names = _STEMMERS.get(language, ())
    stemmed = [stemmer(name).stemWords(list(words)) for name in names] or [list(words)]
    return [[fold(word) for word in stems] for stems in stemmed]


def allowed_typos(letters: int) -> int:
    """How many edits a typed answer of this many letters may be off by."""
    if letters < 5:
        return 0
    return 1 if letters <= 8 else 2


@dataclass(frozen=True)
class Match:
    """A typed answer taken as right: the accepted answer it matched, and whether it had a typo."""

    spelling: str
    typo: bool


def match(accepted: Sequence[str], typed: str, language: str, question: str = "") -> Match | None:
    """The accepted answer ``typed`` says, read generously (see the module's docstring); None if none."""
    shown = set(split_words(question))
    given_words = without_articles(split_words(typed), language)
    if not given_words:
        return None
    typos: list[tuple[int, str]] = []
    for answer in accepted:
        answer_words = without_articles(split_words(answer), language)
        if not answer_words:
            continue
        # Words the question already shows may be typed again, unless the answer itself has them.
        words = [w for w in given_words if w not in shown or w in answer_words] or given_words
        words = without_articles(words, language)
        stemmed = list(zip(_stemmings(answer_words, language), _stemmings(words, language), strict=True))
        if any(want == got or "".join(want) == "".join(got) for want, got in stemmed):
            return Match(answer, typo=False)
        letters = len("".join(answer_words))
        # Typos are counted on the words as typed, not on their stems: a stem is shorter than the word.
        distance = Levenshtein.distance(fold(" ".join(answer_words)), fold(" ".join(words)))
        # A typo keeps the first letter: a different first letter is usually a different word
        # (misinformation / disinformation, exclusion / inclusion, fishing / phishing).
        first_letter_kept = fold(words[0])[:1] == fold(answer_words[0])[:1]
        if 0 < distance <= allowed_typos(letters) and first_letter_kept:
            typos.append((distance, answer))
    if typos:
        return Match(min(typos)[1], typo=True)
    return None


def accepted_answers(question: FreeText, language: str) -> list[str]:
    """The answers accepted in the learner's language, or in every language if it has none."""
    lists: dict[str, list[str]] = {code: answers for code, answers in question.accepted.items()}
    return lists.get(language) or [answer for answers in lists.values() for answer in answers]


# A true-or-false question also takes the words for true and false, typed in any of the four languages.
TRUE_WORDS = frozenset({"true", "yes", "waar", "juist", "ja", "klopt", "vrai", "oui", "richtig", "wahr"})
FALSE_WORDS = frozenset(
    {"false", "no", "niet waar", "onjuist", "fout", "nee", "klopt niet", "faux", "non", "falsch", "nein"}
)


def true_or_false(typed: str) -> bool | None:
    """True or False for a typed 'waar', 'faux', 'nein' ...; None for anything else."""
    said = " ".join(split_words(typed))
    if said in TRUE_WORDS:
        return True
    if said in FALSE_WORDS:
        return False
    return None
