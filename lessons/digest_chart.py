"""The digest's picture: lessons per week, and quiz answers right per topic.

Drawn with matplotlib's Agg backend straight onto a Figure (no pyplot, so no
global state and no display), in the reader's language. matplotlib is imported
only when a chart is drawn: it costs most of a second, and most processes
never draw one.
"""

from __future__ import annotations

from pathlib import Path

from babel.dates import format_date

from lessons.digest import Digest
from lessons.i18n import _, format_locale, percent
from lessons.topics import topic_name

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 3.4, 100
# Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito).
BLUE, ORANGE, GREY = "#0072B2", "#E69F00", "#999999"


def alt_text(digest: Digest) -> str:
    return _(
        "Chart: lessons completed per week over the last {weeks} weeks, and quiz answers right per topic.",
        weeks=len(digest.lessons_per_week),
    )


def draw(digest: Digest, path: Path) -> Path:
    """Write the chart of ``digest`` as a PNG file at ``path``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    weeks, topics = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})

    labels = [format_date(day, "d MMM", locale=format_locale()) for day, _n in digest.lessons_per_week]
    counts = [n for _day, n in digest.lessons_per_week]
    colours = [GREY] * (len(counts) - 1) + [BLUE]
    weeks.bar(range(len(counts)), counts, color=colours)
    weeks.set_xticks(range(len(counts)), labels, rotation=45, ha="right", fontsize=8)
    weeks.set_title(_("Lessons completed per week"), fontsize=10)
    weeks.yaxis.get_major_locator().set_params(integer=True)
    weeks.spines[["top", "right"]].set_visible(False)

    scores = sorted(digest.accuracy, key=lambda s: s.right / s.total)
    if scores:
        shares = [100 * s.right / s.total for s in scores]
        weakest = digest.weakest.topic if digest.weakest else None
        topics.barh(
            [topic_name(s.topic) for s in scores],
            shares,
            color=[ORANGE if s.topic == weakest else BLUE for s in scores],
            height=0.6,
        )
        for y, share in enumerate(shares):
            topics.text(min(share + 2, 86), y, percent(share / 100), va="center", fontsize=8)
    else:
        topics.text(0.5, 0.5, _("No quiz answers this week."), ha="center", va="center", fontsize=9)
        topics.set_yticks([])
    topics.set_xlim(0, 100)
    topics.tick_params(axis="y", labelsize=8)
    topics.set_title(_("Quiz answers right per topic this week"), fontsize=10)
    topics.spines[["top", "right"]].set_visible(False)

    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path
