"""The digest's picture: lessons per week, and quiz answers right per topic.

Drawn with matplotlib's Agg backend straight onto a Figure (no pyplot, so no
global state and no display), in the reader's language. matplotlib is imported
only when a chart is drawn: it costs most of a second, and most processes
never draw one.
"""

from __future__ import annotations

import textwrap
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from babel.dates import format_date

from lessons.digest import Digest
from lessons.i18n import _, format_locale, number, percent
from lessons.topics import topic_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 3.4, 100
# Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito),
# light enough for dark text on them.
BLUE, ORANGE, GREY = "#56B4E9", "#E69F00", "#C8C8C8"


EVERY_CHART = "digest-for-*.png"


def chart_file(folder: Path, reader_id: int, about: str, now: datetime) -> Path:
    """Where the chart drawn for one reader goes.

    One file per reader and moment: a chart is never overwritten while a
    platform still sends it, and the reader's id comes first, so that
    ``charts_for`` finds exactly theirs (for /mydata and /forget).
    """
    return folder / f"digest-for-{reader_id}-{about}-{int(now.timestamp())}.png"


def charts_for(folder: Path, reader_id: int) -> list[Path]:
    """The charts drawn for one reader that are still on disk."""
    return sorted(folder.glob(f"digest-for-{reader_id}-*.png"))


def alt_text(digest: Digest) -> str:
    return _(
        "Chart: lessons completed per week over the last {weeks} weeks, and quiz answers right per topic.",
        weeks=len(digest.lessons_per_week),
    )


class _Canvas:
    """The one figure every chart is drawn on.

    A new figure for each chart spent most of the chart's time building axes
    and ticks and measuring the same tick labels again; this one keeps its
    frame and, through its renderer, matplotlib's cache of text sizes. Only
    the bars and texts of one digest change.
    """

    def __init__(self) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import AutoLocator, FuncFormatter

        self.figure: Figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
        FigureCanvasAgg(self.figure)
        self.weeks: Axes
        self.topics: Axes
        self.weeks, self.topics = self.figure.subplots(1, 2)
        whole_lessons = AutoLocator()  # matplotlib's default ticks, never at 2.5 lessons
        whole_lessons.set_params(integer=True)
        self.weeks.yaxis.set_major_locator(whole_lessons)
        # A region's week has six-digit totals: grouped as the reader writes them ("120.000").
        self.weeks.yaxis.set_major_formatter(FuncFormatter(lambda value, _position: number(int(value))))
        self.weeks.tick_params(axis="y", labelsize=8)
        self.topics.set_yticks([])
        self.topics.set_xlim(0, 100)
        for axes in (self.weeks, self.topics):
            axes.spines[["top", "right"]].set_visible(False)
            # The axes have no labels; placed by hand, matplotlib stops measuring
            # every tick label at each drawing to move them clear (a tenth of a chart).
            axes.xaxis.set_label_coords(0.5, 0)
            axes.yaxis.set_label_coords(0, 0.5)
        # Room on the left for a week total of seven characters ("300.000") at the labels' size.
        self.figure.subplots_adjust(left=0.08, right=0.98, bottom=0.2, top=0.9, wspace=0.15)

    def clear(self) -> None:
        """Take the last digest's bars and texts away, and let the axes fit the next one's."""
        for axes in (self.weeks, self.topics):
            for bars in [*axes.containers]:
                bars.remove()
            for text in [*axes.texts]:
                text.remove()
            axes.relim()
        self.topics.set_autoscaley_on(True)  # an empty chart fixed it

    def draw(self, digest: Digest, path: Path) -> None:
        self.clear()
        weeks, topics = self.weeks, self.topics

        labels = [format_date(day, "d MMM", locale=format_locale()) for day, _n in digest.lessons_per_week]
        counts = [n for _day, n in digest.lessons_per_week]
        colours = [GREY] * (len(counts) - 1) + [BLUE]
        weeks.bar(range(len(counts)), counts, color=colours)
        weeks.set_xticks(range(len(counts)), labels, rotation=45, ha="right", fontsize=8)
        # Titles at a given height: nothing is drawn above the axes, and without
        # one matplotlib measures the tick labels at each drawing to make sure.
        weeks.set_title(_("Lessons completed per week"), fontsize=9, y=1.0)

        # Topic names are written on the bars, not beside them: the layout then
        # stays fixed whatever the language, and a fixed layout is a third faster
        # to draw than matplotlib's tight_layout.
        scores = sorted(digest.accuracy, key=lambda s: s.right / s.total, reverse=True)
        weakest = digest.weakest.topic if digest.weakest else None
        topics.barh(
            range(len(scores)),
            [100 * s.right / s.total for s in scores],
            color=[ORANGE if s.topic == weakest else BLUE for s in scores],
            height=0.7,
        )
        for y, score in enumerate(scores):
            topics.text(1.5, y, topic_name(score.topic), va="center", fontsize=8)
            topics.text(99, y, percent(score.right / score.total), va="center", ha="right", fontsize=8)
        if not scores:
            empty = (
                _("Too few people answered to show this.")
                if digest.hidden_topics
                else _("No quiz answers this week.")
            )
            # In lines that fit the half of the picture it is written in, in every language.
            topics.text(
                50,
                0.5,
                textwrap.fill(empty, 34),
                ha="center",
                va="center",
                fontsize=9,
                multialignment="center",
            )
            topics.set_ylim(0, 1)
        topics.yaxis.set_inverted(True)  # the best topic on top, the weakest at the bottom
        topics.set_title(_("Quiz answers right per topic this week"), fontsize=9, y=1.0)

        path.parent.mkdir(parents=True, exist_ok=True)
        self.figure.savefig(path, format="png", pil_kwargs={"compress_level": 1})


_canvas: _Canvas | None = None
# Turns run one at a time, but each on a worker thread of its own: the one
# figure must still never be drawn by two at once.
_drawing = threading.Lock()


def draw(digest: Digest, path: Path) -> Path:
    """Write the chart of ``digest`` as a PNG file at ``path``."""
    global _canvas
    with _drawing:
        if _canvas is None:
            _canvas = _Canvas()
        _canvas.draw(digest, path)
    return path
