"""Cutting a long message into pieces that each fit a platform's limit, never inside markup.

A platform's renderer describes a message as spans of plain text, each plain,
a title or a note, and says what fits (Telegram: so many UTF-16 units of
HTML; Matrix: so many bytes of event). The cut is made in the plain text, and
each piece is formatted on its own, so an HTML entity or tag is never cut in
two and a title cut in two is bold (or a heading) in both pieces.

A piece ends at a line end in its second half, else at a space there, else
where the limit falls, but not between a character and the marks or joiners
that belong to it (an accent, an emoji's skin tone or its zero-width joiner).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Style(StrEnum):
    PLAIN = "plain"
    TITLE = "title"
    # A remark about the message, such as what a missing picture shows.
    NOTE = "note"


@dataclass(frozen=True)
class Span:
    text: str
    style: Style = Style.PLAIN


class TooLargeError(ValueError):
    """Not even one character fits: what goes with every piece (buttons, a poll's answers) is too large."""


Fits = Callable[[list[Span]], bool]

ZERO_WIDTH_JOINER = "\u200d"


def _belongs_to_previous(char: str) -> bool:
    """A mark, joiner, variation selector or skin tone: cut before it and it lands alone."""
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char == ZERO_WIDTH_JOINER
        or "\ufe00" <= char <= "\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"
    )


def _safe(text: str, at: int) -> bool:
    return not _belongs_to_previous(text[at]) and text[at - 1] != ZERO_WIDTH_JOINER


def _cut_at(text: str, start: int, end: int, span_ends: set[int]) -> int:
    """Where to end a piece that may run from ``start`` to at most ``end`` (exclusive)."""
    half = start + (end - start) // 2
    for at in range(end, half, -1):
        if text[at - 1] == "\n" or at in span_ends:
            return at
    for at in range(end, half, -1):
        if text[at - 1].isspace():
            return at
    at = end
    while at > start + 1 and not _safe(text, at):
        at -= 1
    return at if _safe(text, at) else end


def cut(spans: Sequence[Span], fits: Fits, longest: int) -> list[list[Span]]:
    """``spans`` as pieces that each ``fits``; a piece holds at most ``longest`` characters.

    ``fits`` must grow with the text: a piece that fits still fits shortened.
    Pieces of nothing but white space are left out (a chat shows them as
    nothing, and Telegram refuses them).
    """
    text = "".join(span.text for span in spans)
    bounds: list[tuple[int, int, Style]] = []
    at = 0
    for span in spans:
        bounds.append((at, at + len(span.text), span.style))
        at += len(span.text)
    span_ends = {end for _start, end, _style in bounds}

    def piece(start: int, end: int) -> list[Span]:
        return [
            Span(text[max(start, a) : min(end, b)], style)
            for a, b, style in bounds
            if max(start, a) < min(end, b)
        ]

    pieces: list[list[Span]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + longest)
        if not fits(piece(start, end)):
            # The longest piece that fits: ``good`` fits (or is the start), ``bad`` does not.
            good, bad = start, end
            while bad - good > 1:
                middle = (good + bad) // 2
                if fits(piece(start, middle)):
                    good = middle
                else:
                    bad = middle
            if good == start:
                raise TooLargeError(f"not one character fits beside what each piece carries: {text[:40]!r}")
            end = good
        if end < len(text):
            end = _cut_at(text, start, end, span_ends)
        found = piece(start, end)
        if not text[start:end].isspace():
            pieces.append(found)
        start = end
    return pieces
