"""The words the coach can explain, and where a text uses them.

A glossary file (``kind: glossary``) lists terms, each with its names per
language and a short explanation. A card or question that uses a term offers
"❓ Words"; ``/whatis`` explains any term by any of its names.

A name is found in a text the way a typed answer is read (``lessons.grading``):
case, accents and endings do not count ("Sensoren" finds "sensor",
"hameconnage" finds "hameçonnage"), and only whole words count ("app" is not
found in "apparent"). A name of several words is found as those words in a
row, and also written as one word: "back-up" finds "backup" too. Each text is
read once per loaded library: the finder keeps what it found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from rapidfuzz import fuzz, process

from lessons.grading import fold, split_words, stemmer, without_articles
from lessons.model import LANGUAGES, GlossaryTerm

# One Snowball stemmer per language, so a text is read the same way each time. For Dutch
# the older 'dutch_porter': 'dutch' reads "apps" as "ap" and strips a leading "ge" from
# "gegevenslek", so that a name and the text using it would not meet.
STEMMERS = {"nl": "dutch_porter", "en": "english", "fr": "french", "de": "german"}

# Stems of a name, or of the words of a text.
Stems = tuple[str, ...]
# How alike a word and a name must be to suggest the name (``likeness``, 0-100).
SUGGEST_FROM = 70
SUGGESTIONS = 3
# A word must have this many letters before a part of a longer name counts ("ransom" for
# "ransomware"): "app" is part of too many words to suggest it for each.
PART_FROM = 4


def likeness(typed: str, name: str, **_options: object) -> float:
    """How alike a typed word and a name are: a typo ("phising"), or a part of the name ("ransom")."""
    score = fuzz.ratio(typed, name)
    if min(len(typed), len(name)) >= PART_FROM:
        # A part counts a little less than the whole: "sensor" suggests "sensor" before "sensor data".
        score = max(score, 0.9 * fuzz.partial_ratio(typed, name))
    return score


# A library's texts use a few thousand distinct words per language; stemming is pure Python
# (about 40 µs a word), so each word is stemmed once.
@lru_cache(maxsize=100_000)
def stem(word: str, language: str) -> str:
    """A case-folded word as the language's stemmer reduces it, accents folded."""
    return fold(stemmer(STEMMERS[language]).stemWord(word) if language in STEMMERS else word)


def stems(text: str, language: str) -> Stems:
    """The words of ``text``, each as the language's stemmer reduces it."""
    return tuple(stem(word, language) for word in split_words(text))


def forms(name: str, language: str) -> list[Stems]:
    """The ways a name may stand in a text: its words, and (for several) written as one word."""
    words = split_words(name)
    found = [tuple(stem(word, language) for word in words)]
    if len(words) > 1:
        found.append((stem("".join(words), language),))
    return [f for f in found if f]


def _typed(text: str, language: str) -> list[Stems]:
    """The forms of what a learner typed, a leading article left out ("de AVG", "l'eBox")."""
    words = without_articles(split_words(text), language)
    return forms(" ".join(words), language) if words else []


@dataclass(frozen=True)
class Found:
    """A term a text uses, and the name it uses for it (what the learner read)."""

    term: GlossaryTerm
    name: str


@dataclass(frozen=True)
class _Name:
    stems: Stems
    term: GlossaryTerm
    name: str


@dataclass
class Glossary:
    """Every term of a library, ready to be found in texts; built once per library load."""

    terms: Mapping[str, GlossaryTerm] = field(default_factory=dict)
    # Per language: a name's first stem -> the names starting with it, longest first.
    _index: dict[str, dict[str, list[_Name]]] = field(default_factory=dict, repr=False)
    # Per language: every form of every name -> its name (for /whatis).
    _exact: dict[str, dict[Stems, _Name]] = field(default_factory=dict, repr=False)
    _found: dict[tuple[str, str], tuple[Found, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, terms: Iterable[GlossaryTerm]) -> Glossary:
        by_id = {term.id: term for term in terms}
        glossary = cls(MappingProxyType(by_id))
        for language in LANGUAGES:
            index: dict[str, list[_Name]] = {}
            exact: dict[Stems, _Name] = {}
            for term in by_id.values():
                for name in term.names_in(language):
                    for form in forms(name, language):
                        entry = _Name(form, term, name)
                        index.setdefault(form[0], []).append(entry)
                        exact.setdefault(form, entry)
            for entries in index.values():
                entries.sort(key=lambda e: -len(e.stems))
            glossary._index[language] = index
            glossary._exact[language] = exact
        return glossary

    def __bool__(self) -> bool:
        return bool(self.terms)

    def find(self, text: str, language: str) -> tuple[Found, ...]:
        """The terms ``text`` uses, in the order it first uses them; each once."""
        key = (language, text)
        if key not in self._found:
            self._found[key] = self._scan(text, language)
        return self._found[key]

    def _scan(self, text: str, language: str) -> tuple[Found, ...]:
        index = self._index.get(language, {})
        if not index:
            return ()
        words = stems(text, language)
        found: dict[str, Found] = {}
        at = 0
        while at < len(words):
            for entry in index.get(words[at], ()):
                if words[at : at + len(entry.stems)] == entry.stems:
                    found.setdefault(entry.term.id, Found(entry.term, entry.name))
                    at += len(entry.stems)
                    break
            else:
                at += 1
        return tuple(found.values())

    def lookup(self, typed: str, language: str) -> Found | None:
        """The term one of whose names ``typed`` is: in ``language`` first, then in any language."""
        for candidate in (language, *(lang for lang in LANGUAGES if lang != language)):
            for form in _typed(typed, candidate):
                entry = self._exact.get(candidate, {}).get(form)
                if entry is not None:
                    return Found(entry.term, entry.name)
        return None

    def closest(self, typed: str, language: str) -> list[GlossaryTerm]:
        """Up to ``SUGGESTIONS`` terms with a name close to ``typed`` (a typo, a part of a name)."""
        names = {
            fold(name.casefold()): term
            for lang in (language, *(lang for lang in LANGUAGES if lang != language))
            for term in self.terms.values()
            for name in term.names_in(lang)
        }
        matches = process.extract(
            fold(typed.casefold()), list(names), scorer=likeness, score_cutoff=SUGGEST_FROM, limit=None
        )
        terms: dict[str, GlossaryTerm] = {}
        for name, _score, _index in matches:
            terms.setdefault(names[name].id, names[name])
        return list(terms.values())[:SUGGESTIONS]

    def names(self, language: str) -> list[str]:
        """Every term by its first name in ``language``, alphabetically."""
        return sorted((term.name(language) for term in self.terms.values()), key=str.casefold)


def explained(found: Iterable[Found], language: str) -> str:
    """Each term as the learner read it, with what it means: one paragraph a term."""
    return "\n\n".join(f"{f.name}: {f.term.explanation.get(language)}" for f in found)
