"""Texts at Telegram's limits, counted as Telegram counts them, reach the learner.

The emulator refuses what Telegram refuses: a text over 4,096 UTF-16 units, a
caption over 1,024, and HTML with a tag left open or an entity cut in two.
A lesson written to the edge (a card of 510 emoji under its picture, a card of
1,000 ampersands) goes through the real coach and PTB.
"""

from __future__ import annotations

import base64
import textwrap

import pytest

from tests.e2e.telegram.test_telegram_chat import onboard

pytestmark = pytest.mark.e2e

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
EMOJI = "😀" * 510  # 510 characters: under a caption's 1,024 in characters, 1,020 units before the title
AMPERSANDS = "&" * 1000  # 1,000 characters, 5,000 units of HTML


def _lesson(folder) -> None:
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "card.png").write_bytes(PNG)
    (folder / "edge.yaml").write_text(
        textwrap.dedent(
            f"""\
            id: edge
            version: 1
            topic: skills
            digcomp: ["2.1"]
            level: foundation
            summary: {{nl: Aan de rand., en: At the edge.}}
            title: {{nl: Rand, en: Edge}}
            cards:
              - text: {{nl: "{EMOJI}", en: "{EMOJI}"}}
                image: {{src: images/card.png, alt: {{nl: Een beeld, en: A picture}}}}
              - text: {{nl: "{AMPERSANDS}", en: "{AMPERSANDS}"}}
            quiz:
              - id: sure
                type: true_false
                question: {{nl: Klopt dit?, en: Is this right?}}
                answer: true
                explanation: {{nl: Ja., en: Yes.}}
            try_today: {{nl: Kijk goed., en: Look closely.}}
            """
        ),
        encoding="utf-8",
    )


def test_a_caption_over_1024_units_and_a_text_of_escaped_ampersands_are_cut_to_fit(coach, learner, tmp_path):
    _lesson(tmp_path / "lessons")
    running = coach(DIGICOACH_LESSONS=str(tmp_path / "lessons"))
    nele = learner()
    onboard(nele)
    nele.press("Start today's lesson")
    # Title and text as a caption would be 1,032 units: the picture goes alone, the text after it.
    photo, card = nele.wait_for(EMOJI)[-2:]
    assert photo["caption"] == "A picture" and "photo" in photo
    assert card["text"] == f"Edge (1/2)\n{EMOJI}"
    nele.press("Next")
    first, second = nele.wait_for("&&&")[-1:] + nele.wait_for("&&&")[-1:]
    assert first["text"] + second["text"] == f"Edge (2/2)\n{AMPERSANDS}"
    stats = nele.stats()
    assert stats["photos"] == 1
    assert "Telegram refused" not in running.output()
    assert "Traceback" not in running.output()
