"""Aiken quiz files, read the way Moodle reads them: https://docs.moodle.org/en/Aiken_format.

One question per group: the question line, options ``A.`` or ``A)`` (the
space after it may be left out, as Moodle allows), then ``ANSWER: B``, whose
letter counts the options from A. Moodle shows every text as it is written
(``<`` and ``&`` included), and so does the coach. Aiken has no feedback,
titles or categories: the lesson's title and card come from the command line.
Moodle takes the question from one line; a question written over several lines
is read as one text here, with a warning.
"""

from __future__ import annotations

import re

from lessons.importers import MAX_OPTIONS, ImportedOption, ImportedQuestion, Note, Section, nothing_found

_OPTION = re.compile(r"^([A-Z])[.)][ \t]?(.*)$")
_ANSWER = re.compile(r"^ANSWER:(.*)$")


def looks_like_aiken(text: str) -> bool:
    return "{" not in text and any(_ANSWER.match(line.strip()) for line in text.splitlines())


def parse(text: str) -> tuple[list[Section], list[Note]]:
    section = Section(line=1)
    notes: list[Note] = []
    # The question being read: its first line, its lines of text, its options (letter, text).
    start = 0
    question: list[str] = []
    options: list[tuple[str, str]] = []
    seen = False

    def finish(number: int, given: str) -> None:
        letters = [letter for letter, _text in options]
        # Moodle counts from A: 'ANSWER: B' is the second option, whatever its label says.
        position = ord(given) - ord("A") if given else -1
        if not 0 <= position < len(options):
            hint = f"use one of {', '.join(letters)}" if letters else "the question has no options"
            notes.append(Note(number, f"ANSWER: {given or '(empty)'} names no option: {hint}"))
        elif letters != [chr(ord("A") + i) for i in range(len(letters))]:
            notes.append(
                Note(
                    start, f"the options are lettered {', '.join(letters)}: letter them A, B, C, ... in order"
                )
            )
        elif not 2 <= len(options) <= MAX_OPTIONS:
            notes.append(Note(start, f"{len(options)} options: a question has 2 to {MAX_OPTIONS}"))
        elif any(not option for _letter, option in options):
            notes.append(Note(start, "an option is empty"))
        else:
            section.questions.append(
                ImportedQuestion(
                    start,
                    "single",
                    "\n".join(question),
                    options=[ImportedOption(option, i == position) for i, (_l, option) in enumerate(options)],
                )
            )
            if len(question) > 1:
                notes.append(
                    Note(
                        start,
                        f"the question runs over {len(question)} lines: Moodle takes only the last one as "
                        "the question (and reports the others as unfinished); here they are read as one text",
                        "warning",
                    )
                )

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if len(line) < 2:  # Moodle skips these too
            continue
        option, answer = _OPTION.match(line), _ANSWER.match(line)
        if answer or option:
            seen = True
        if answer and question:
            finish(number, answer.group(1).strip()[:1])
            question, options = [], []
        elif answer or (option and not question):
            notes.append(Note(number, "an option or ANSWER line without a question above it"))
        elif option:
            options.append((option.group(1), option.group(2).strip()))
        elif options:
            notes.append(Note(start, "the question has no 'ANSWER: ' line after its options"))
            start, question, options = number, [line], []
        elif question:
            question.append(line)
        else:
            start, question = number, [line]
    if question:
        notes.append(Note(start, "the question has no 'ANSWER: ' line after its options"))
    if not seen:
        notes.append(nothing_found())
    return [section], notes
