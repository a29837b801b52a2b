"""The examples in lessons/README.md are valid lessons, tracks and placement checks."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from lessons.loader import load_library

README = Path(__file__).parents[2] / "lessons" / "README.md"


def test_the_documented_lesson_and_track_pass_the_checker(tmp_path):
    lesson, track, _placement = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    (tmp_path / "phishing-spot-the-signs.yaml").write_text(lesson, encoding="utf-8")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "phishing-example.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # the card's picture
    # The documented track names a second shipped lesson; check it beside a stand-in.
    (tmp_path / "general.yaml").write_text(track, encoding="utf-8")
    stand_in = lesson.replace("id: phishing-spot-the-signs", "id: video-meeting-sound-camera-mute")
    (tmp_path / "video-meeting-sound-camera-mute.yaml").write_text(stand_in, encoding="utf-8")
    # Held to the day it says it was reviewed: the example must not age into a warning.
    reviewed = date.fromisoformat(re.findall(r"^reviewed: (\S+)", lesson, re.M)[0])
    loaded = load_library([tmp_path], ("nl", "en"), today=reviewed)
    assert [str(p) for p in loaded.problems] == []
    assert loaded.library is not None
    assert [q.type for q in loaded.library.lessons["phishing-spot-the-signs"].quiz] == [
        "single", "true_false", "multiple", "free_text",
    ]  # fmt: skip


def test_the_documented_placement_check_has_the_shape_of_one(tmp_path):
    placement = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)[2]
    (tmp_path / "placement.yaml").write_text(placement, encoding="utf-8")
    problems = [p.message for p in load_library([tmp_path], ("nl", "en")).problems]
    # A one-question example; a real check asks about every topic, and says so.
    assert problems == [
        "the placement check has no question on strategy, iot, skills, participation, business: "
        "give every topic at least one question"
    ]
