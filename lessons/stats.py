"""Library statistics for admins: coverage, languages, plain-language figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import mean

from lessons import quiz_bias
from lessons.lesson_library import Library
from lessons.model import DIGCOMP_IDS, LANGUAGES, LEVELS, TOPICS, iter_texts
from lessons.readability import MAX_CARD_WORDS, MAX_MEAN_SENTENCE_WORDS, report, words


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
