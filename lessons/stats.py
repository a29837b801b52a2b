"""Library statistics for admins: coverage, languages, plain-language figures, the glossary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import fmean, mean

from lessons import quiz_bias
from lessons.lesson_library import Library
from lessons.model import DIGCOMP_IDS, LANGUAGES, LEVELS, TOPICS, iter_texts
from lessons.readability import (
    MAX_CARD_WORDS,
    MAX_MEAN_SENTENCE_WORDS,
    MAX_SIMPLE_SENTENCE_WORDS,
    mean_sentence_words,
    report,
    sentences,
    words,
)


@dataclass(frozen=True)
class Simpler:
    """The cards with a simpler version in one language: their figures, normal and simple."""

    cards: int
    card_words: tuple[float, float]  # mean words per card: normal, simple
    sentence_words: tuple[float, float]  # mean words per sentence: normal, simple
    longest_sentence: tuple[int, int]  # the longest sentence, in words: normal, simple


def simpler(texts: list[tuple[str, str]]) -> Simpler:
    """Readability of (normal, simple) card texts, side by side."""
    normal, simple = [n for n, _s in texts], [s for _n, s in texts]

    def longest(of: list[str]) -> int:
        return max((words(sentence) for text in of for sentence in sentences(text)), default=0)

    return Simpler(
        cards=len(texts),
        card_words=(round(fmean(map(words, normal)), 1), round(fmean(map(words, simple)), 1))
        if texts
        else (0.0, 0.0),
        sentence_words=(round(mean_sentence_words(normal), 1), round(mean_sentence_words(simple), 1)),
        longest_sentence=(longest(normal), longest(simple)),
    )


@dataclass(frozen=True)
class GlossaryStats:
    terms: int
    names: dict[str, int]  # language -> names (first names and other names)
    used: int  # terms that a card, question or option of a lesson uses, in any language


@dataclass(frozen=True)
class LibraryStats:
    lessons: int
    tracks: dict[str, int]
    per_cell: dict[tuple[str, str], int]
    digcomp: dict[str, int]
    complete_languages: dict[str, int]
    card_words: dict[str, tuple[float, int]]  # language -> (mean, max)
    sentence_words: dict[str, tuple[float, float]]  # language -> (mean over lessons, worst lesson)
    question_types: dict[str, int] = field(default_factory=dict)
    # How much guessing pays, in the whole library and in each track.
    bias: quiz_bias.QuizBias | None = None
    track_bias: dict[str, quiz_bias.QuizBias] = field(default_factory=dict)
    cards: int = 0
    # Per language: the cards with a simpler version in that language, normal next to simple.
    simple: dict[str, Simpler] = field(default_factory=dict)
    glossary: GlossaryStats | None = None

    @property
    def thin_cells(self) -> list[tuple[str, str]]:
        return [cell for cell, n in self.per_cell.items() if n < 2]

    @property
    def missing_digcomp(self) -> list[str]:
        return [i for i, n in self.digcomp.items() if n == 0]


def _complete_in(library: Library, language: str) -> int:
    return sum(
        all(language in text.languages for _path, text in iter_texts(lesson))
        for lesson in library.lessons.values()
    )


def compute(library: Library) -> LibraryStats:
    lessons = list(library.lessons.values())
    per_cell: Counter[tuple[str, str]] = Counter((x.topic, x.level) for x in lessons)
    digcomp: Counter[str] = Counter(i for x in lessons for i in set(x.digcomp))
    card_words: dict[str, tuple[float, int]] = {}
    sentence_words: dict[str, tuple[float, float]] = {}
    for language in LANGUAGES:
        counts = [words(c.text.get(language)) for x in lessons for c in x.cards] or [0]
        card_words[language] = (round(mean(counts), 1), max(counts))
        per_lesson = [report(x, language).mean_sentence_words for x in lessons] or [0.0]
        sentence_words[language] = (round(mean(per_lesson), 1), max(per_lesson))
    cards = [card for x in lessons for card in x.cards]
    simple = {
        language: simpler(
            [
                (c.text.get(language), c.simple.get(language))
                for c in cards
                if c.simple and language in c.simple.languages
            ]
        )
        for language in LANGUAGES
    }
    return LibraryStats(
        lessons=len(lessons),
        tracks={t.id: len(t.lessons) for t in library.tracks.values()},
        per_cell={(t, lv): per_cell.get((t, lv), 0) for t in TOPICS for lv in LEVELS},
        digcomp={i: digcomp.get(i, 0) for i in DIGCOMP_IDS},
        complete_languages={lang: _complete_in(library, lang) for lang in LANGUAGES},
        card_words=card_words,
        sentence_words=sentence_words,
        question_types=dict(Counter(q.type for x in lessons for q in x.quiz)),
        bias=quiz_bias.of_lessons(lessons),
        track_bias={t.id: quiz_bias.of_lessons(library.path(t.id)) for t in library.tracks.values()},
        cards=len(cards),
        simple=simple,
        glossary=_glossary(library) if library.glossary else None,
    )


def _glossary(library: Library) -> GlossaryStats:
    glossary = library.glossary
    used: set[str] = set()
    for lesson in library.lessons.values():
        for language in LANGUAGES:
            texts = [c.text.get(language) for c in lesson.cards]
            texts += [c.simple.get(language) for c in lesson.cards if c.simple]
            for question in lesson.quiz:
                texts.append(question.question.get(language))
                texts += [o.text.get(language) for o in getattr(question, "options", [])]
            used.update(f.term.id for text in texts for f in glossary.find(text, language))
    return GlossaryStats(
        terms=len(glossary.terms),
        names={lang: sum(len(t.names_in(lang)) for t in glossary.terms.values()) for lang in LANGUAGES},
        used=len(used),
    )


def render(stats: LibraryStats) -> str:
    width = max(len(t) for t in TOPICS)
    lines = [
        f"{stats.lessons} lessons, tracks: "
        + ", ".join(f"{k} ({v})" for k, v in sorted(stats.tracks.items()))
    ]
    lines += ["", "Lessons per topic and level:", " " * width + "".join(f"{lv:>14}" for lv in LEVELS)]
    for topic in TOPICS:
        lines.append(topic.ljust(width) + "".join(f"{stats.per_cell[(topic, lv)]:>14}" for lv in LEVELS))
    covered = sum(1 for n in stats.digcomp.values() if n)
    lines += ["", f"DigComp 3.0 competences taught: {covered} of {len(DIGCOMP_IDS)}"]
    lines.append("  " + "  ".join(f"{i}:{n}" for i, n in stats.digcomp.items()))
    lines += ["", "Languages (lessons complete in that language):"]
    lines.append(
        "  " + "  ".join(f"{lang} {n}/{stats.lessons}" for lang, n in stats.complete_languages.items())
    )
    lines += ["", f"Words per card (limit {MAX_CARD_WORDS}): mean / max"]
    lines.append("  " + "  ".join(f"{lang} {m}/{x}" for lang, (m, x) in stats.card_words.items()))
    lines += [f"Words per sentence (limit {MAX_MEAN_SENTENCE_WORDS:.0f} per lesson): mean / worst lesson"]
    lines.append("  " + "  ".join(f"{lang} {m}/{x}" for lang, (m, x) in stats.sentence_words.items()))
    with_simple = max((figures.cards for figures in stats.simple.values()), default=0)
    if with_simple:
        lines += [
            "",
            f"Simpler card versions (simple:): {with_simple} of {stats.cards} cards; "
            "those cards, normal -> simple:",
        ]
        shown = {lang: f for lang, f in stats.simple.items() if f.cards}
        lines.append("  cards:              " + "  ".join(f"{lang} {f.cards}" for lang, f in shown.items()))
        lines.append(
            "  words per card:     "
            + "  ".join(f"{lang} {f.card_words[0]} -> {f.card_words[1]}" for lang, f in shown.items())
        )
        lines.append(
            "  words per sentence: "
            + "  ".join(f"{lang} {f.sentence_words[0]} -> {f.sentence_words[1]}" for lang, f in shown.items())
        )
        lines.append(
            f"  longest sentence (simple: about 10, at most {MAX_SIMPLE_SENTENCE_WORDS}): "
            + "  ".join(
                f"{lang} {f.longest_sentence[0]} -> {f.longest_sentence[1]}" for lang, f in shown.items()
            )
        )
    else:
        lines += ["", f"Simpler card versions (simple:): none of {stats.cards} cards yet"]
    if stats.glossary is not None:
        glossary = stats.glossary
        lines += [
            "",
            f"Glossary: {glossary.terms} terms, {glossary.used} of them used in lessons; names per language: "
            + "  ".join(f"{lang} {n}" for lang, n in glossary.names.items()),
        ]
    lines += ["", "Question types: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.question_types.items()))]
    if stats.bias is not None:
        lines += ["", "Quiz bias (what guessing would win), the whole library:"]
        lines += ["  " + line for line in quiz_bias.render(stats.bias)]
    for track, bias in sorted(stats.track_bias.items()):
        lines += [f"Track {track}:"] + ["  " + line for line in quiz_bias.render(bias)]
    if stats.thin_cells:
        lines.append(
            "Cells with fewer than 2 lessons: " + ", ".join(f"{t}/{lv}" for t, lv in stats.thin_cells)
        )
    if stats.missing_digcomp:
        lines.append("DigComp ids not taught: " + ", ".join(stats.missing_digcomp))
    return "\n".join(lines)
