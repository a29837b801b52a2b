"""Moodle GIFT quiz files, read the way Moodle reads them: https://docs.moodle.org/en/GIFT_format.

What a question means is what Moodle's own importer makes of it (its
``question/format/gift`` tests and ``examples.txt`` are the reference):

- ``{...}`` with a ``~`` is multiple choice. With an ``=`` answer it is single
  choice and only the ``=`` answer is right; ``~%50%`` answers earn partial
  credit, which the coach cannot give (reported, and the option counts as
  wrong). Without ``=`` it is select-all: the options with a positive weight
  are right.
- ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE}`` (in capitals) are true/false;
  ``#wrong answer feedback#right answer feedback`` go to ``why_false`` /
  ``why_true``.
- Any other ``{...}`` is a short answer: the answers worth 100 % are accepted;
  one with less, or a ``*`` wildcard, is reported or refused.
- ``=a -> b`` (matching), ``{#...}`` (numerical), ``{}`` (essay) and text
  without braces (a description) are refused: the coach has no such questions.
- Text before and after the braces is a missing-word question (``_____``).
- ``[html]``, ``[moodle]``, ``[markdown]``, ``[plain]`` at the start of any
  text (question, answer, feedback) say how to read it; HTML and Markdown
  become plain text, links keep their address, ``<pre>`` keeps its indentation.
- Comments (``//``) are ignored, except the ones right under a ``$CATEGORY``
  line: those become the lesson's cards (an empty ``//`` starts the next card).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from lessons.grading import match
from lessons.importers import (
    MAX_OPTIONS,
    ImportedOption,
    ImportedQuestion,
    Note,
    QuestionType,
    Section,
    nothing_found,
    percent,
)

# Escaped control characters stand in the text as private-use characters while
# it is taken apart, so that no search can mistake them for structure.
_PROTECTED = {":": "\ue000", "#": "\ue001", "=": "\ue002", "{": "\ue003", "}": "\ue004", "~": "\ue005"}
_PROTECTED_NEWLINE = "\ue006"
_RESTORE = str.maketrans({v: k for k, v in _PROTECTED.items()} | {_PROTECTED_NEWLINE: "\n"})
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
# Where the answer of a missing-word question goes, until the text is plain.
_BLANK = "\ue010"

_FORMATS = ("moodle", "html", "plain", "markdown")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
_TRUE, _FALSE = ("T", "TRUE"), ("F", "FALSE")
# Shortanswer's wildcard: '*' matches anything; '\*' is a literal star.
_WILDCARD = re.compile(r"(?<!\\)\*")


def _protect(text: str) -> str:
    """Moodle's escapes: '\\\\' is a backslash, '\\n' a line break, '\\=' and the like plain characters."""

    def one(found: re.Match[str]) -> str:
        char = found.group(1)
        if char == "\\":
            return "\\"
        return _PROTECTED_NEWLINE if char == "n" else _PROTECTED[char]

    return _ESCAPE.sub(one, text)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


@dataclass(frozen=True)
class _Block:
    """The lines of one question (comment lines blanked, escapes protected), to say where things are."""

    text: str
    first_line: int

    def line(self, offset: int) -> int:
        return self.first_line + self.text.count("\n", 0, offset)


# --- text formats ---------------------------------------------------------------------------

_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre\s*>", re.I | re.S)
# A link (address, text) or a picture or other media (its attributes), in the order they stand.
_LINK_OR_MEDIA = re.compile(
    r"<a\b[^>]*?\bhref\s*=\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</a\s*>"
    r"|<(?:img|audio|video|source|iframe|embed)\b([^>]*)>",
    re.I | re.S,
)
_ATTRIBUTE = re.compile(r"\b(src|alt)\s*=\s*[\"']([^\"']*)[\"']", re.I)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_ITEM = re.compile(r"<li\b[^>]*>", re.I)
_BLOCK_TAG = re.compile(r"</?(p|div|h[1-6]|ul|ol|tr|table|blockquote|section)\b[^>]*>", re.I)
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.S)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")


def _with_format(text: str, default: str) -> tuple[str, str]:
    """A leading '[html]', '[moodle]', '[markdown]' or '[plain]' (exactly so), else the default format."""
    end = text.find("]")
    if text.startswith("[") and end > 0 and text[1:end] in _FORMATS:
        return text[1:end], text[end + 1 :]
    return default, text


def _media(attributes: str, lost: list[str]) -> str:
    found = {name.lower(): value for name, value in _ATTRIBUTE.findall(attributes)}
    src, alt = found.get("src", ""), found.get("alt", "").strip()
    if src:
        lost.append(_media_loss(src))
    return " ".join(part for part in (f"[{alt}]" if alt else "", f"({src})" if src else "") if part)


def _media_loss(src: str) -> str:
    if "@@PLUGINFILE@@" in src:
        return f"the file {src!r} is stored inside Moodle, not in the GIFT file: add it to a card or a link"
    return f"the picture or media {src!r} is only a link here: the coach sends texts without media"


def _link(address: str, text: str, lost: list[str]) -> str:
    if "@@PLUGINFILE@@" in address:
        lost.append(_media_loss(address))
    text = text.strip()
    return address if not text or text == address else f"{text} ({address})"


def _html_to_text(text: str, lines_break: bool, lost: list[str]) -> str:
    """What a reader sees of HTML: tags out, then entities read ('&lt;b&gt;' stays '<b>'), <pre> as it is."""
    parts: list[str] = []
    at = 0
    for pre in [*_PRE.finditer(text), None]:
        flowing = text[at : pre.start() if pre else len(text)]
        if not lines_break:  # in HTML a line break in the source is a space
            flowing = re.sub(r"\s+", " ", flowing)
        flowing = _LINK_OR_MEDIA.sub(
            lambda m: (
                _media(m.group(3), lost)
                if m.group(3) is not None
                else _link(m.group(1), _TAG.sub("", m.group(2)), lost)
            ),
            flowing,
        )
        flowing = _ITEM.sub("\n- ", _BREAK.sub("\n", flowing))
        flowing = _BLOCK_TAG.sub("\n\n", flowing)
        flowing = html.unescape(_TAG.sub("", flowing))
        flowing = "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in flowing.split("\n"))
        parts.append(flowing)
        if pre is None:
            break
        code = html.unescape(_TAG.sub("", pre.group(1))).removeprefix("\n").rstrip()
        parts.append(f"\n{code}\n")
        at = pre.end()
    return re.sub(r"\n{3,}", "\n\n", "".join(parts)).strip("\n ")


def _markdown_to_text(text: str, lost: list[str]) -> str:
    def image(found: re.Match[str]) -> str:
        lost.append(_media_loss(found.group(2)))
        return f"[{found.group(1)}] ({found.group(2)})" if found.group(1) else f"({found.group(2)})"

    text = _MD_IMAGE.sub(image, text)
    text = _MD_LINK.sub(lambda m: _link(m.group(2), m.group(1), lost), text)
    text = _MD_STRONG.sub(r"\2", text)
    return _MD_EMPHASIS.sub(r"\2", text)


def _plain(raw: str, text_format: str, lost: list[str]) -> str:
    """A text as the coach sends it: plain, the way Moodle would show it in ``text_format``."""
    text = _restore(raw)
    if text_format == "plain":  # Moodle shows plain text as it is, spaces and all
        text = "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip()
    else:
        if text_format == "markdown":
            text = _markdown_to_text(text, lost)
        text = _html_to_text(text, lines_break=text_format != "html", lost=lost)
    return text.replace(_BLANK, "_____")


def _text(raw: str, default: str, lost: list[str]) -> tuple[str, str]:
    """``raw`` (already trimmed where Moodle trims it) as plain text, and the format it was in."""
    text_format, body = _with_format(raw, default)
    return _plain(body, text_format, lost), text_format


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    """One answer as Moodle reads it: its weight (1 = full credit), text and feedback, and its line."""

    line: int
    weight: float
    text: str
    feedback: str | None
    weighted_equals: bool = False


def _pieces(text: str, separators: str) -> list[tuple[str, int, str]]:
    """``text`` cut before each separator: (the separator or '', offset of the piece, the piece)."""
    cuts = [i for i, char in enumerate(text) if char in separators]
    pieces = [("", 0, text[: cuts[0] if cuts else len(text)])]
    for cut, end in zip(cuts, [*cuts[1:], len(text)][: len(cuts)], strict=True):
        pieces.append((text[cut], cut + 1, text[cut + 1 : end]))
    return pieces


def _answers(
    block: _Block, offset: int, answers: str, separators: str, default_weight: float, text_format: str
) -> tuple[list[_Answer], list[Note]]:
    """Moodle's answer list: cut at ``separators``; a first piece that is empty does not count."""
    found: list[_Answer] = []
    lost: list[Note] = []
    for index, (separator, start, piece) in enumerate(_pieces(answers, separators)):
        if index == 0 and not piece.strip():
            continue
        line = block.line(offset + start + len(piece) - len(piece.lstrip()))
        body = piece.strip()
        weighted_equals = False
        if separator == "=" and "~" in separators:
            weight = 1.0  # in multiple choice Moodle takes '=' as full credit, whatever follows it
            weighted_equals = bool(_WEIGHT.match(body))
        elif weight_found := _WEIGHT.match(body):
            weight, body = float(weight_found.group(1)) / 100, body[weight_found.end() :]
        else:
            weight = default_weight
        text, _, feedback = body.partition("#")
        losses: list[str] = []
        plain, _format = _text(text.strip(), text_format, losses)
        why = _text(feedback.strip(), text_format, losses)[0] if feedback.strip() else None
        lost += [Note(line, loss, "warning") for loss in losses]
        found.append(_Answer(line, weight, plain, why or None, weighted_equals))
    return found, lost


def _choice(
    block: _Block, offset: int, answers: str, text_format: str, question: ImportedQuestion, notes: list[Note]
) -> ImportedQuestion | None:
    items, lost = _answers(block, offset, answers, "~=", 0.0, text_format)
    line = question.line
    if bad := next((a for a in items if a.weighted_equals), None):
        notes.append(
            Note(
                bad.line,
                f"'={bad.text}': in a question with '~' answers Moodle gives every '=' answer full credit "
                "and shows the weight as part of its text; write '~%...%' for partial credit",
            )
        )
        return None
    if any(not a.text for a in items):
        notes.append(Note(line, "an answer is empty"))
        return None
    if not 2 <= len(items) <= MAX_OPTIONS:
        notes.append(
            Note(line, f"{len(items)} answers: a question has 2 to {MAX_OPTIONS} answers to choose from")
        )
        return None
    single = "=" in answers  # Moodle: one answer at 100 % makes it a pick-one question
    if single:
        right = [a for a in items if a.weight >= 1]
        if len(right) > 1:
            notes.append(
                Note(
                    line,
                    f"{len(right)} answers are fully right ('=' or 100 %): Moodle accepts any one of them, "
                    "and a single-choice question in the coach has one right answer; keep one, "
                    "or make it select-all with weights (~%50%)",
                )
            )
            return None
        for answer in items:
            if 0 < answer.weight < 1:
                lost.append(
                    Note(
                        answer.line,
                        f"'{answer.text}' earns {percent(answer.weight)} in Moodle; the coach grades an "
                        "answer right or wrong, so picking it counts as wrong",
                        "warning",
                    )
                )
        kind: QuestionType = "single"
    else:
        right = [a for a in items if a.weight > 0]
        if not right:
            notes.append(
                Note(line, "no answer is right: start the right one with '=', or give weights (~%50%)")
            )
            return None
        total = sum(a.weight for a in right)
        if abs(total - 1) > 0.005:
            lost.append(
                Note(
                    line,
                    f"the right answers' weights add up to {percent(total)}, not 100 %: in Moodle ticking "
                    f"them all earns {percent(min(total, 1))}; the coach counts exactly these as right",
                    "warning",
                )
            )
        free = [f"'{a.text}'" for a in items if a.weight == 0]
        if free:
            lost.append(
                Note(
                    line,
                    f"the wrong answers {', '.join(free)} have weight 0, not a negative "
                    "one: in Moodle ticking every answer still earns full credit; the coach counts "
                    "only exactly the right ones as right",
                    "warning",
                )
            )
        kind = "multiple"
    question.type = kind
    question.explanation = question.explanation or next((a.feedback for a in right if a.feedback), None)
    question.options = [
        ImportedOption(
            a.text, any(a is r for r in right), a.feedback if a.feedback != question.explanation else None
        )
        for a in items
    ]
    question.lost += lost
    return question


def _short_answer(
    block: _Block,
    offset: int,
    answers: str,
    text_format: str,
    question: ImportedQuestion,
    notes: list[Note],
    language: str,
) -> ImportedQuestion | None:
    items, lost = _answers(block, offset, answers, "=", 1.0, text_format)
    if any(not a.text for a in items):
        notes.append(Note(question.line, "an answer is empty"))
        return None
    accepted = [a for a in items if a.weight >= 1]
    if pattern := next((a for a in accepted if _WILDCARD.search(a.text)), None):
        reason = (
            "'=*' accepts any answer in Moodle, and the coach cannot accept just anything"
            if pattern.text == "*"
            else f"'{pattern.text}' has '*', a wildcard in Moodle, and the coach compares typed answers "
            "with whole answers, not patterns"
        )
        notes.append(
            Note(pattern.line, f"{reason}: list the answers it should accept, or make it multiple choice")
        )
        return None
    if not accepted:
        notes.append(
            Note(question.line, "no answer earns full credit (100 %): the coach accepts only right answers")
        )
        return None
    words = [a.text.replace("\\*", "*") for a in accepted]
    question.explanation = question.explanation or next((a.feedback for a in accepted if a.feedback), None)
    for answer in items:
        if answer.weight >= 1:
            if answer.feedback and answer.feedback != question.explanation:
                lost.append(_lost_feedback(answer, f"the answer '{answer.text}'"))
            continue
        anything = answer.text == "*"  # Moodle's usual "any other answer"
        said = "any other answer" if anything else f"'{answer.text}'"
        taken = (
            None
            if anything or _WILDCARD.search(answer.text)
            else match(words, answer.text, language, question.text)
        )
        if taken is not None:
            how = "forgives it as a typo of" if taken.typo else "reads it as the same answer as"
            lost.append(
                Note(
                    answer.line,
                    f"{said} earns {percent(max(answer.weight, 0))} in Moodle, but the coach {how} "
                    f"'{taken.spelling}' and counts it right",
                    "warning",
                )
            )
        elif 0 < answer.weight < 1:
            lost.append(
                Note(
                    answer.line,
                    f"{said} earns {percent(answer.weight)} in Moodle; the coach accepts only full-credit "
                    "answers, so it is not accepted",
                    "warning",
                )
            )
        if answer.feedback:
            lost.append(_lost_feedback(answer, f"{said}" if anything else f"the answer {said}"))
    question.type = "free_text"
    question.accepted = words
    question.lost += lost
    return question


def _lost_feedback(answer: _Answer, said: str) -> Note:
    return Note(
        answer.line,
        f"the feedback for {said} ({answer.feedback!r}) is not kept: "
        "the coach shows one explanation to everyone",
        "warning",
    )


def _true_false(
    answers: str, text_format: str, question: ImportedQuestion, lost: list[str]
) -> ImportedQuestion:
    truth, _, feedback = answers.partition("#")
    wrong_raw, _, right_raw = feedback.partition("#")
    wrong = _text(wrong_raw.strip(), text_format, lost)[0] or None
    right = _text(right_raw.strip(), text_format, lost)[0] or None
    answer = truth.strip() in _TRUE
    # Moodle's first feedback is for a wrong answer; it usually explains, so it is the
    # explanation when there is no general feedback, and is not repeated as a 'why'.
    question.explanation = question.explanation or wrong or right
    wrong = None if wrong == question.explanation else wrong
    right = None if right == question.explanation else right
    question.type = "true_false"
    question.answer = answer
    question.why_true, question.why_false = (right, wrong) if answer else (wrong, right)
    return question


def _question(block: _Block, notes: list[Note], language: str) -> ImportedQuestion | None:
    text = block.text
    start = len(text) - len(text.lstrip())
    line = block.line(start)
    body_start, title = start, None
    if text.startswith("::", start):
        end = text.find("::", start + 2)
        body_start = start + 2 if end < 0 else end + 2
        if end >= 0:
            title = _restore(text[start + 2 : end]).strip() or None
    body_start += len(text[body_start:]) - len(text[body_start:].lstrip())
    body = text[body_start:].rstrip()
    opening, closing = body.find("{"), body.find("}")
    if opening < 0 and closing < 0:
        notes.append(Note(line, "a description without answers is not a question: put its text in a card"))
        return None
    if closing < 0:
        notes.append(Note(line, "the answers have no closing '}'"))
        return None
    if opening < 0 or closing < opening:
        notes.append(Note(line, "the answers have no opening '{' before their closing '}'"))
        return None
    inside = body[opening + 1 : closing]
    answers_offset = body_start + opening + 1 + len(inside) - len(inside.lstrip())
    answers = inside.strip()
    after = body[closing + 1 :]
    # The answers go in a blank where text follows them (missing word), otherwise they just end it.
    question_raw = body[:opening] + (_BLANK + after if after else "")
    general_raw = ""
    if (at := answers.rfind("####")) >= 0:
        answers, general_raw = answers[:at].strip(), answers[at + 4 :]
    losses: list[str] = []
    question_text, text_format = _text(question_raw, "moodle", losses)
    general = _text(general_raw, text_format, losses)[0] or None
    if not question_text:
        notes.append(Note(line, "the question has no text"))
        return None
    if not answers:
        notes.append(Note(line, "essay questions cannot be converted: the coach only grades closed answers"))
        return None
    if answers.startswith("#"):
        notes.append(Note(line, "numerical questions cannot be converted: write it as multiple choice"))
        return None
    question = ImportedQuestion(line, "single", question_text, title, explanation=general)
    if "~" in answers:
        result = _choice(block, answers_offset, answers, text_format, question, notes)
    elif "=" in answers and "->" in answers:
        notes.append(Note(line, "matching questions cannot be converted: write them as multiple choice"))
        return None
    elif answers.partition("#")[0].strip() in _TRUE + _FALSE:
        result = _true_false(answers, text_format, question, losses)
    else:
        result = _short_answer(block, answers_offset, answers, text_format, question, notes, language)
    if result is not None:
        result.lost[:0] = [Note(line, loss, "warning") for loss in losses]
    return result


# --- the file ---------------------------------------------------------------------------------


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


def _is_comment(line: str) -> bool:
    return line.strip().startswith("//")


def parse(text: str, language: str = "nl") -> tuple[list[Section], list[Note]]:
    """Sections (one per $CATEGORY, or one for the file) and what could not be read.

    ``language`` is the one the file is written in: it decides which wrong answers
    the coach's typo tolerance would take for a right one.
    """
    notes: list[Note] = []
    sections = [Section(line=1)]
    questions_seen = 0
    block: list[tuple[int, str]] = []

    def close_block() -> None:
        nonlocal questions_seen
        lines = list(block)
        block.clear()
        code = [(n, line) for n, line in lines if not _is_comment(line)]
        if not code:
            return  # Moodle ignores comments
        first_line, first = code[0]
        if first.strip().startswith("$CATEGORY:"):
            name = first.strip()[len("$CATEGORY:") :].strip().rstrip("/").split("/")[-1].strip()
            under = [line for n, line in lines if n > first_line and _is_comment(line)]
            sections.append(Section(line=first_line, title=name or None, cards=_cards(under)))
            if len(code) > 1:
                questions_seen += 1
                notes.append(
                    Note(
                        code[1][0],
                        "this line is right under $CATEGORY, without an empty line between: Moodle reads it "
                        "as part of the category's name; put an empty line before it",
                    )
                )
            return
        questions_seen += 1
        # Comment lines stay as empty lines, so that every line keeps its number.
        joined = "\n".join("" if _is_comment(line) else line for _n, line in lines)
        question = _question(_Block(_protect(joined), lines[0][0]), notes, language)
        if question is not None:
            sections[-1].questions.append(question)

    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            block.append((number, line))
        else:
            close_block()
    close_block()
    if not questions_seen:
        notes.append(nothing_found())
    return sections, notes
