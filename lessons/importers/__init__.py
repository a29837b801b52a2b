"""Turn quiz files admins already have (Moodle GIFT, Aiken) into lesson YAML.

Each format has a parser that reads the file into ``Section``s (a title, the
cards to read, the questions) the way Moodle reads it, and reports by line what
it cannot convert. What a converted question loses (partial credit, a feedback
the coach cannot show) travels with the question: ``build`` reports it and
writes it into the lesson as ``lost_in_import``, so that ``lessons check`` keeps
warning until an author has looked. ``build`` makes one lesson per section, in
the one language the file is written in, and says what it had to leave out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from lessons.model import SLUG

QuestionType = Literal["single", "multiple", "true_false", "free_text"]
MAX_QUESTIONS = 8
MAX_OPTIONS = 8


@dataclass
class Note:
    """Something the importer could not convert or had to guess, at a line of the source."""

    line: int
    message: str
    severity: Literal["error", "warning"] = "error"


@dataclass
class ImportedOption:
    text: str
    correct: bool
    # The option's own feedback in Moodle, shown to a learner who picks it.
    why: str | None = None


@dataclass
class ImportedQuestion:
    line: int
    type: QuestionType
    text: str
    title: str | None = None
    options: list[ImportedOption] = field(default_factory=list)
    answer: bool | None = None
    why_true: str | None = None
    why_false: str | None = None
    accepted: list[str] = field(default_factory=list)
    explanation: str | None = None
    # What Moodle grades or shows here that the coach cannot, each at its line (warnings).
    lost: list[Note] = field(default_factory=list)


@dataclass
class Section:
    """What becomes one lesson: a GIFT category, or a whole Aiken file."""

    line: int
    title: str | None = None
    cards: list[str] = field(default_factory=list)
    questions: list[ImportedQuestion] = field(default_factory=list)


@dataclass(frozen=True)
class LessonFacts:
    """What the source file does not say and the admin gives on the command line."""

    topic: str
    level: str
    digcomp: list[str]
    language: str = "nl"
    title: str | None = None
    summary: str | None = None
    card_text: str | None = None
    lesson_id: str | None = None


def slug(text: str, limit: int = 48) -> str:
    """'Herken phishing!' -> 'herken-phishing'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    result = ""
    for word in words:
        candidate = f"{result}-{word}" if result else word
        if len(candidate) > limit:
            break
        result = candidate
    return result


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.S)
    return (match.group(1) if match else text.strip().splitlines()[0]).replace("\n", " ")


def _explanation(question: ImportedQuestion, notes: list[Note]) -> str:
    if question.explanation:
        return question.explanation
    if question.type == "true_false":
        right = {True: "true", False: "false"}[bool(question.answer)]
    elif question.type == "free_text":
        right = question.accepted[0]
    else:
        right = "; ".join(option.text for option in question.options if option.correct)
    notes.append(
        Note(
            question.line,
            "no feedback to use as explanation, so the explanation repeats the right answer "
            f"({right!r}): write why it is right in the lesson file",
            "warning",
        )
    )
    return right


def _question_data(question: ImportedQuestion, qid: str, lang: str, notes: list[Note]) -> dict[str, Any]:
    data: dict[str, Any] = {"id": qid, "type": question.type, "question": {lang: question.text}}
    if question.type in ("single", "multiple"):
        data["options"] = [
            {
                "text": {lang: option.text},
                **({"correct": True} if option.correct else {}),
                **({"why": {lang: option.why}} if option.why else {}),
            }
            for option in question.options
        ]
    elif question.type == "true_false":
        data["answer"] = question.answer
        for key, why in (("why_true", question.why_true), ("why_false", question.why_false)):
            if why:
                data[key] = {lang: why}
    else:
        data["accepted"] = {lang: question.accepted}
    data["explanation"] = {lang: _explanation(question, notes)}
    if question.lost:
        data["lost_in_import"] = [f"line {note.line}: {note.message}" for note in question.lost]
        notes += question.lost
    return data


def build(sections: list[Section], facts: LessonFacts) -> tuple[list[dict[str, Any]], list[Note]]:
    """One lesson (as plain data, ready to write as YAML) per section that has questions."""
    lessons: list[dict[str, Any]] = []
    notes: list[Note] = []
    used_ids: set[str] = set()
    lang = facts.language
    for section in (s for s in sections if s.questions):
        title = facts.title or section.title
        cards = section.cards or ([facts.card_text] if facts.card_text else [])
        if not title:
            notes.append(
                Note(
                    section.line,
                    "no title for this lesson: pass --title (in GIFT a $CATEGORY line gives one)",
                )
            )
            continue
        if not cards:
            notes.append(
                Note(
                    section.line,
                    f"lesson '{title}' has no text to read before the quiz: pass --card-text "
                    "(in GIFT, '//' comment lines right under the $CATEGORY line give the cards; "
                    "an empty '//' line starts the next card)",
                )
            )
            continue
        questions = section.questions
        if len(questions) > MAX_QUESTIONS:
            extra = questions[MAX_QUESTIONS]
            notes.append(
                Note(
                    extra.line,
                    f"lesson '{title}' has {len(questions)} questions and a lesson holds at most "
                    f"{MAX_QUESTIONS}: this one and the {len(questions) - MAX_QUESTIONS - 1} after it were "
                    "left out; put them under a new $CATEGORY line",
                )
            )
            questions = questions[:MAX_QUESTIONS]
        base = facts.lesson_id or slug(title)  # several lessons get -2, -3, ... after it
        lesson_id, n = base or "imported-lesson", 2
        while lesson_id in used_ids:
            lesson_id, n = f"{base[:44]}-{n}", n + 1
        used_ids.add(lesson_id)
        question_ids: set[str] = set()
        quiz = []
        for i, question in enumerate(questions, start=1):
            qid = slug(question.title or "", 40) or f"q{i}"
            if qid in question_ids:
                qid = f"{qid}-{i}"
            question_ids.add(qid)
            quiz.append(_question_data(question, qid, lang, notes))
        lessons.append(
            {
                "id": lesson_id,
                "version": 1,
                "title": {lang: title},
                "summary": {lang: facts.summary or first_sentence(cards[0])},
                "topic": facts.topic,
                "digcomp": facts.digcomp,
                "level": facts.level,
                "cards": [{"text": {lang: text}} for text in cards],
                "quiz": quiz,
            }
        )
    return lessons, notes


def nothing_found(line: int = 1) -> Note:
    """For a file in which the parser found no question at all, convertible or not."""
    return Note(line, "no questions found: is this a GIFT or Aiken file?")


def percent(weight: float) -> str:
    """Moodle's weight 0.5 as '50 %', 0.3333 as '33.33 %'."""
    return f"{round(weight * 100, 2):g} %"


def valid_id(text: str) -> bool:
    return bool(SLUG.match(text)) and len(text) <= 48
