"""The words the coach can explain, and where a text uses them.

A glossary file (``kind: glossary``) lists terms, each with its names per
language and a short explanation. A card or question that uses a term offers
"❓ Words"; ``/whatis`` explains any term by any of its names.

A name is found in a text the way a typed answer is read (``lessons.grading``):
case, accents and endings do not count ("Sensoren" finds "sensor",
"hameconnage" finds "hameçonnage", "Apps" finds "App"), and only whole words
count ("app" is not found in "apparent", nor "Sensor" in "Sensordaten": list
such a word as a name of its own). A name of several words is found as those
words in a row, and also written as one word: "back-up" finds "backup" too.
Where two names overlap, the longer one wins ("open data" before "data").
Each text is read once per loaded library: the glossary keeps what it found.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from rapidfuzz import fuzz, process

from lessons.grading import fold, split_words, stemmer, without_articles
from lessons.model import LANGUAGES, GlossaryTerm

# Snowball stemmers per language. A name's word and a text's word are the same word when
# one of them reduces both to the same stem: the language's own ('dutch_porter' for
# Dutch: 'dutch' reads "apps" as "ap" and strips the "ge" of "gegevenslek"), then the
# English one, since IT words in every language are often English ("updates", "Apps").
STEMMERS: dict[str, tuple[str, ...]] = {
    "nl": ("dutch_porter", "english"),
    "en": ("english",),
    "fr": ("french", "english"),
    "de": ("german", "english"),
}
# A stem starts with the word's first letters: a word whose first two letters start no
# name's word is not stemmed at all (stemming is most of the time spent reading a text).
PREFIX = 2
# Words with one stem count as the same word only if their lengths differ by at most
# this much: an ending, not another word ("chiffre" is not "chiffrement", "access" is
# not "accessible", though each pair has one stem).
MAX_ENDING = 2


# Stems of a name, or of the words of a text.
Stems = tuple[str, ...]
# How alike a word and a name must be to suggest the name (``likeness``, 0-100).
SUGGEST_FROM = 70
SUGGESTIONS = 3
# A word must have this many letters before a part of a longer name counts ("ransom" for
# "ransomware"): "app" is part of too many words to suggest it for each.
PART_FROM = 4


# A library's texts use a few thousand distinct words per language; stemming is pure Python
# (about 40 µs a word), so each word is stemmed once.
@lru_cache(maxsize=100_000)
def stem(word: str, stemmer_name: str) -> str:
    """A case-folded word as one Snowball stemmer reduces it, accents folded."""
    return fold(stemmer(stemmer_name).stemWord(word))


@dataclass(frozen=True)
class Form:
    """One way a name stands in a text, as one stemmer reads it: its words' stems and lengths."""

    stemmer: str
    stems: Stems
    lengths: tuple[int, ...]

    def fits(self, lengths: Sequence[int]) -> bool:
        return all(abs(a - b) <= MAX_ENDING for a, b in zip(self.lengths, lengths, strict=True))


def forms(name: str, language: str) -> list[Form]:
    """The ways a name may stand in a text: its words, and (for several) written as one word."""
    words = [fold(word) for word in split_words(name)]
    variants = [words, ["".join(words)]] if len(words) > 1 else [words]
    return [
        Form(s, tuple(stem(w, s) for w in variant), tuple(map(len, variant)))
        for s in STEMMERS.get(language, ())
        for variant in variants
        if variant
    ]


def _typed(text: str, language: str) -> list[Form]:
    """The forms of what a learner typed, a leading article left out ("de AVG", "l'eBox")."""
    words = without_articles(split_words(text), language)
    return forms(" ".join(words), language) if words else []


def likeness(typed: str, name: str, **_options: object) -> float:
    """How alike a typed word and a name are: a typo ("phising"), or a part of the name ("ransom")."""
    score = fuzz.ratio(typed, name)
    if min(len(typed), len(name)) >= PART_FROM:
        # A part counts a little less than the whole: "sensor" suggests "sensor" before "sensor data".
        score = max(score, 0.9 * fuzz.partial_ratio(typed, name))
    return score


@dataclass(frozen=True)
class Found:
    """A term a text uses, and the name it uses for it (what the learner read)."""

    term: GlossaryTerm
    name: str


@dataclass(frozen=True)
class _Name:
    form: Form
    term: GlossaryTerm
    name: str


@dataclass
class Glossary:
    """Every term of a library, ready to be found in texts; built once per library load."""

    terms: Mapping[str, GlossaryTerm] = field(default_factory=dict)
    # Per language and stemmer: a name's first stem -> the names starting with it, longest first.
    _index: dict[tuple[str, str], dict[str, list[_Name]]] = field(default_factory=dict, repr=False)
    # Per language and stemmer: how the stems of the names' words begin (``PREFIX`` letters).
    _prefixes: dict[tuple[str, str], set[str]] = field(default_factory=dict, repr=False)
    # Per language: each name's stems, per stemmer -> the names (for /whatis).
    _exact: dict[str, dict[tuple[str, Stems], list[_Name]]] = field(default_factory=dict, repr=False)
    _found: dict[tuple[str, str], tuple[Found, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, terms: Iterable[GlossaryTerm]) -> Glossary:
        by_id = {term.id: term for term in terms}
        glossary = cls(MappingProxyType(by_id))
        for language in LANGUAGES:
            exact = glossary._exact.setdefault(language, {})
            for term in by_id.values():
                for name in term.names_in(language):
                    for form in forms(name, language):
                        entry = _Name(form, term, name)
                        glossary._index.setdefault((language, form.stemmer), {}).setdefault(
                            form.stems[0], []
                        ).append(entry)
                        exact.setdefault((form.stemmer, form.stems), []).append(entry)
                        glossary._prefixes.setdefault((language, form.stemmer), set()).update(
                            part[:PREFIX] for part in form.stems
                        )
        for index in glossary._index.values():
            for entries in index.values():
                entries.sort(key=lambda e: -len(e.form.stems))
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
        words = [fold(word) for word in split_words(text)]
        lengths = [len(word) for word in words]
        readings = []
        for s in STEMMERS.get(language, ()):
            prefixes = self._prefixes.get((language, s), set())
            # "" for a word no name's word starts like: no name's stem is empty.
            stems = [stem(word, s) if word[:PREFIX] in prefixes else "" for word in words]
            readings.append((self._index.get((language, s), {}), stems))
        found: dict[str, Found] = {}
        at = 0
        while at < len(words):
            longest: _Name | None = None
            for index, stems in readings:
                for entry in index.get(stems[at], ()):
                    size = len(entry.form.stems)
                    if tuple(stems[at : at + size]) == entry.form.stems and entry.form.fits(
                        lengths[at : at + size]
                    ):
                        if longest is None or size > len(longest.form.stems):
                            longest = entry
                        break
            if longest is None:
                at += 1
            else:
                found.setdefault(longest.term.id, Found(longest.term, longest.name))
                at += len(longest.form.stems)
        return tuple(found.values())

    def lookup(self, typed: str, language: str) -> Found | None:
        """The term one of whose names ``typed`` is: in ``language`` first, then in any language."""
        for candidate in (language, *(lang for lang in LANGUAGES if lang != language)):
            for form in _typed(typed, candidate):
                for entry in self._exact.get(candidate, {}).get((form.stemmer, form.stems), ()):
                    if entry.form.fits(form.lengths):
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
