"""Moodle GIFT quiz files: https://docs.moodle.org/en/GIFT_format.

Supported: multiple choice with one right answer (``=right ~wrong``) or
several (``~%50%right ~%-50%wrong``), true/false (``{T}``, ``{FALSE}``),
short answer (``{=one =other}``), missing word (text on both sides of the
braces), per-answer feedback (``#...``) and general feedback (``####...``),
question titles (``::title::``), ``[html]`` and other format markers,
escapes (``\\=``, ``\\~``, ``\\#``, ``\\{``, ``\\}``, ``\\:``, ``\\n``) and
``$CATEGORY`` lines. ``//`` comment lines right under ``$CATEGORY`` become
the lesson's cards. Matching, numerical, essay and description items are
reported by line: the coach has no such questions.
"""

from __future__ import annotations

import html
import re

from lessons.importers import MAX_OPTIONS, ImportedQuestion, Note, QuestionType, Section

_ESCAPED = {"\\=": "=", "\\~": "~", "\\#": "#", "\\{": "{", "\\}": "}", "\\:": ":", "\\n": "\n", "\\\\": "\\"}
_MARKER = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.I)
_MOODLE_EXPORT_NOTE = re.compile(r"^//\s*question:\s*\d+")
_TRUE, _FALSE = ("T", "TRUE"), ("F", "FALSE")


def _unescape(text: str) -> str:
    return re.sub(r"\\[=~#{}:n\\]", lambda m: _ESCAPED[m.group(0)], text)


def _split_unescaped(text: str, separators: str) -> list[tuple[str, str]]:
    """Split at unescaped separator characters: [(separator before, piece), ...]."""
    pieces: list[tuple[str, str]] = []
    current, before, i = "", "", 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current += text[i : i + 2]
            i += 2
            continue
        if char in separators:
            pieces.append((before, current))
            current, before = "", char
        else:
            current += char
        i += 1
    pieces.append((before, current))
    return pieces


def _find_unescaped(text: str, char: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == char:
            return i
        i += 1
    return -1


def _clean(text: str, is_html: bool) -> str:
    text = _unescape(text)
    if is_html:
        text = html.unescape(re.sub(r"<br\s*/?>|</p>\s*<p>", "\n", text))
        text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(line.strip() for line in text.strip().splitlines()).strip()


def _feedback(item: str) -> tuple[str, str | None]:
    parts = _split_unescaped(item, "#")
    text = parts[0][1]
    feedback = "#".join(piece for _sep, piece in parts[1:]).strip() or None
    return text, feedback


def _question(block: str, line: int, notes: list[Note]) -> ImportedQuestion | None:
    title = None
    body = block.strip()
    if body.startswith("::"):
        end = body.find("::", 2)
        if end > 0:
            title, body = _unescape(body[2:end]).strip(), body[end + 2 :].strip()
    marker = _MARKER.match(body)
    is_html = bool(marker and marker.group(1).lower() == "html")
    if marker:
        body = body[marker.end() :]
    opening = _find_unescaped(body, "{")
    if opening < 0:
        notes.append(Note(line, "a description without answers is not a question: put its text in a card"))
        return None
    closing = _find_unescaped(body, "}", opening)
    if closing < 0:
        notes.append(Note(line, "the answers have no closing '}'"))
        return None
    before, answers, after = body[:opening], body[opening + 1 : closing].strip(), body[closing + 1 :]
    text = _clean(before, is_html)
    if _clean(after, is_html):  # missing word: the answer goes in the blank
        text = f"{text} _____ {_clean(after, is_html)}".strip()
    general = None
    if (at := answers.find("####")) >= 0 and answers[at - 1 : at] != "\\":
        answers, general = answers[:at].strip(), _clean(answers[at + 4 :], is_html) or None
    if not text:
        notes.append(Note(line, "the question has no text"))
        return None
    if not answers:
        notes.append(Note(line, "essay questions cannot be converted: the coach only grades closed answers"))
        return None
    if answers.startswith("#"):
        notes.append(Note(line, "numerical questions cannot be converted: write it as multiple choice"))
        return None
    truth, *truth_feedback = [piece for _sep, piece in _split_unescaped(answers, "#")]
    if truth.strip().upper() in _TRUE + _FALSE:
        # GIFT's first feedback is for a wrong answer: it explains; the second often only says "right".
        feedback = next((_clean(f, is_html) for f in truth_feedback if f.strip()), None)
        return ImportedQuestion(
            line, "true_false", text, title, answer=truth.strip().upper() in _TRUE,
            explanation=general or feedback,
        )  # fmt: skip
    items = [(sep, piece) for sep, piece in _split_unescaped(answers, "=~") if sep]
    if not items or _split_unescaped(answers, "=~")[0][1].strip():
        notes.append(Note(line, "cannot read the answers: start each one with '=' (right) or '~' (wrong)"))
        return None
    if any("->" in piece for _sep, piece in items):
        notes.append(Note(line, "matching questions cannot be converted: write them as multiple choice"))
        return None
    options: list[tuple[str, bool, str | None]] = []
    weighted = False
    for sep, piece in items:
        answer, feedback = _feedback(piece)
        weight = re.match(r"^\s*%(-?\d+(?:\.\d+)?)%", answer)
        if weight:
            weighted = True
            answer = answer[weight.end() :]
        correct = float(weight.group(1)) > 0 if weight else sep == "="
        options.append((_clean(answer, is_html), correct, _clean(feedback, is_html) if feedback else None))
    right_feedback = next((f for _t, correct, f in options if correct and f), None)
    any_feedback = next((f for _t, _c, f in options if f), None)
    explanation = general or right_feedback or any_feedback
    if any(not answer for answer, _c, _f in options):
        notes.append(Note(line, "an answer is empty"))
        return None
    if all(sep == "=" for sep, _piece in items):
        accepted = [answer for answer, correct, _f in options if correct]
        return ImportedQuestion(line, "free_text", text, title, accepted=accepted, explanation=explanation)
    right = sum(correct for _a, correct, _f in options)
    if right == 0:
        notes.append(Note(line, "no answer is marked right: start the right one with '='"))
        return None
    if not 2 <= len(options) <= MAX_OPTIONS:
        notes.append(
            Note(line, f"{len(options)} answers: a question has 2 to {MAX_OPTIONS} answers to choose from")
        )
        return None
    kind: QuestionType = "multiple" if weighted and right > 1 else "single"
    if kind == "single" and right > 1:
        notes.append(
            Note(line, "several answers start with '=': mark them with weights (~%50%) to allow several")
        )
        return None
    return ImportedQuestion(
        line, kind, text, title, options=[(a, c) for a, c, _f in options], explanation=explanation
    )


def _cards(comment_lines: list[str]) -> list[str]:
    """Comment lines as card texts; an empty '//' line starts the next card."""
    cards: list[list[str]] = [[]]
    for line in comment_lines:
        text = line.strip()[2:].strip()
        if text:
            cards[-1].append(text)
        elif cards[-1]:
            cards.append([])
    return ["\n".join(card) for card in cards if card]


def parse(text: str) -> tuple[list[Section], list[Note]]:
    """Sections (one per $CATEGORY, or one for the file) and what could not be read."""
    notes: list[Note] = []
    sections = [Section(line=1)]
    taking_cards = True  # comment blocks count as cards until the section's first question
    block: list[tuple[int, str]] = []

    def close_block() -> None:
        nonlocal taking_cards
        lines = [(n, line) for n, line in block if not _MOODLE_EXPORT_NOTE.match(line.strip())]
        block.clear()
        comments = [line for _n, line in lines if line.strip().startswith("//")]
        code = [(n, line) for n, line in lines if not line.strip().startswith("//")]
        if not code:
            if taking_cards:
                sections[-1].cards += _cards(comments)
            return
        first_line = code[0][0]
        joined = "\n".join(line for _n, line in code)
        if joined.lstrip().startswith("$CATEGORY:"):
            category = joined.lstrip()[len("$CATEGORY:") :].strip().splitlines()[0]
            name = category.rstrip("/").split("/")[-1].strip()
            after = [line for n, line in lines if n > first_line and line.strip().startswith("//")]
            sections.append(Section(line=first_line, title=name or None, cards=_cards(after)))
            taking_cards = True
            return
        taking_cards = False
        question = _question(joined, first_line, notes)
        if question is not None:
            sections[-1].questions.append(question)

    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            block.append((number, line))
        else:
            close_block()
    close_block()
    return sections, notes
