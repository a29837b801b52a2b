"""A team's invite poster: a printable A4 PDF, one page per language.

A page says what the coach is, shows the team's code as a QR code that opens
the bot in Telegram, says how to start on Matrix, and gives three lines on
what the coach keeps, taken from the privacy notice. Learners read it, so
every sentence goes through gettext, in plain short words. Without the
bot's Telegram user name there is no QR code (a code to a wrong bot would
be printed and hung up); without its Matrix id no Matrix instruction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from fpdf import FPDF

from lessons.i18n import _, long_date, use_locale

# DejaVu Sans has every letter of the four languages; matplotlib (already the
# digest charts' dependency) ships it, so no font file is kept in the project.
FONT = "DejaVu"
_TEAL = (20, 83, 110)
_GREY = (90, 90, 90)
_MARGIN = 18.0
_QR_SIZE = 82.0  # millimetres: a phone scans it from two metres, across a corridor


@dataclass(frozen=True)
class Poster:
    """What one team's poster shows, the same on every page."""

    organisation: str
    team: str
    code: str
    valid_until: date
    # The ``t.me`` link of the code; None when the bot's Telegram user name is not known.
    telegram_link: str | None
    # The coach's Matrix id, e.g. @coach:example.org; None when the coach is not on Matrix.
    matrix_id: str | None


def _fonts() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def what_the_coach_is() -> list[str]:
    """The three lines about the coach and what it keeps (the privacy notice, shortened)."""
    return [
        _("On working days you get a short lesson of 2 to 3 minutes, with a small quiz, in your chat app."),
        _("The coach keeps your chat name, your language, your lesson time, your lessons and your answers."),
        _(
            "Your manager sees only totals for the team, never your answers. Taking part is voluntary. "
            "/forget erases everything."
        ),
    ]


def _qr(pdf: FPDF, link: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as filled rectangles: sharp at any printer's resolution, no image inside."""
    rows = [tuple(row) for row in segno.make(link, error="m").matrix_iter(border=4)]
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for row_number, row in enumerate(rows):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            run = column
            while run < len(row) and row[run]:
                run += 1
            pdf.rect(x + column * module, y + row_number * module, (run - column) * module, module, style="F")
            column = run


def _page(pdf: FPDF, poster: Poster) -> None:
    pdf.add_page()
    width = pdf.w - 2 * _MARGIN
    pdf.set_fill_color(*_TEAL)
    pdf.rect(0, 0, pdf.w, 52, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(_MARGIN, 12)
    pdf.set_font(FONT, "B", 26)
    pdf.multi_cell(width, 11, _("Learn digital skills, a few minutes a day"), align="L")
    pdf.set_font(FONT, "", 15)
    pdf.set_x(_MARGIN)
    pdf.multi_cell(width, 8, f"{poster.team} · {poster.organisation}", align="L")
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(62)
    if poster.telegram_link:
        pdf.set_font(FONT, "B", 17)
        pdf.multi_cell(width, 8, _("Scan the code with your phone: the coach opens in Telegram."), align="C")
        top = pdf.get_y() + 3
        _qr(pdf, poster.telegram_link, (pdf.w - _QR_SIZE) / 2, top, _QR_SIZE)
        pdf.set_xy(_MARGIN, top + _QR_SIZE + 2)
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(*_GREY)
        pdf.multi_cell(width, 5, poster.telegram_link, align="C")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(5)
    if poster.matrix_id:
        pdf.set_font(FONT, "B", 15)
        pdf.set_x(_MARGIN)
        pdf.multi_cell(width, 7.5, _("Do you use Element (Matrix)?"), align="L")
        pdf.set_font(FONT, "", 14)
        pdf.set_x(_MARGIN)
        pdf.multi_cell(
            width, 7, _("Start a chat with {coach} and send this message:", coach=poster.matrix_id), align="L"
        )
        pdf.set_font(FONT, "B", 18)
        pdf.set_x(_MARGIN)
        pdf.multi_cell(width, 10, f"!start {poster.code}", align="L")
        pdf.ln(4)
    pdf.set_draw_color(*_TEAL)
    pdf.set_line_width(0.6)
    pdf.line(_MARGIN, pdf.get_y(), pdf.w - _MARGIN, pdf.get_y())
    pdf.ln(5)
    for line in what_the_coach_is():
        pdf.set_x(_MARGIN)
        pdf.set_font(FONT, "B", 14)
        pdf.cell(7, 7, "•")
        pdf.set_font(FONT, "", 14)
        pdf.multi_cell(width - 7, 7, line, align="L")
        pdf.ln(2)
    pdf.set_xy(_MARGIN, pdf.h - _MARGIN - 6)
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*_GREY)
    pdf.cell(
        width,
        6,
        _("Code {code}, valid until {date}.", code=poster.code, date=long_date(poster.valid_until)),
        align="C",
    )


def render(poster: Poster, languages: Sequence[str]) -> bytes:
    """The poster as PDF bytes: one A4 page per language, in the order given."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(f"{poster.team} · {poster.organisation}")
    pdf.set_creator("digicoach")
    fonts = _fonts()
    pdf.add_font(FONT, "", fonts / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", fonts / "DejaVuSans-Bold.ttf")
    for language in languages:
        with use_locale(language):
            _page(pdf, poster)
    return bytes(pdf.output())
