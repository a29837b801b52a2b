"""Aiken quiz files: https://docs.moodle.org/en/Aiken_format.

One question per group: the question line, options ``A.`` or ``A)``, then
``ANSWER: B``. Aiken has no feedback, titles or categories: the lesson's title
and card come from the command line.
"""

from __future__ import annotations

import re

from lessons.importers import MAX_OPTIONS, ImportedQuestion, Note, Section

_OPTION = re.compile(r"^([A-Z])[.)]\s+(.+)$")
_ANSWER = re.compile(r"^ANSWER:\s*(.*)$")


def looks_like_aiken(text: str) -> bool:
    return "{" not in text and any(_ANSWER.match(line.strip()) for line in text.splitlines())


def parse(text: str) -> tuple[list[Section], list[Note]]:
    section = Section(line=1)
    notes: list[Note] = []
    # The question being read: its first line, its text, its options (letter, text).
    start, question = 0, ""
    options: list[tuple[str, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        option, answer = _OPTION.match(line), _ANSWER.match(line)
        if answer and question:
            letters = [o[0] for o in options]
            given = answer.group(1).strip().upper()
            if given not in letters:
                notes.append(
                    Note(
                        number,
                        f"ANSWER: {given or '(empty)'} names no option: use one of {', '.join(letters)}",
                    )
                )
            elif not 2 <= len(options) <= MAX_OPTIONS:
                notes.append(Note(start, f"{len(options)} options: a question has 2 to {MAX_OPTIONS}"))
            else:
                section.questions.append(
                    ImportedQuestion(
                        start,
                        "single",
                        question,
                        options=[(text, letter == given) for letter, text in options],
                    )
                )
            question, options = "", []
        elif answer:
            notes.append(Note(number, "ANSWER line without a question above it"))
        elif option and question:
            options.append((option.group(1), option.group(2).strip()))
        elif options:
            notes.append(Note(start, "the question has no 'ANSWER: ' line after its options"))
            start, question, options = number, line, []
        elif question:
            question += "\n" + line
        else:
            start, question = number, line
    if question:
        notes.append(Note(start, "the question has no 'ANSWER: ' line after its options"))
    return [section], notes
