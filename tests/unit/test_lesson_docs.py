"""The examples in lessons/README.md are valid lessons, tracks, placement checks and glossaries."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from lessons.loader import load_library

README = Path(__file__).parents[2] / "lessons" / "README.md"


def _kind(block: str) -> str:
    found = re.search(r"^kind: (\w+)", block, re.M)
    return found.group(1) if found else "lesson"  # a lesson file needs no 'kind'


def _example(kind: str) -> str:
    """The README's YAML example of a lesson, track, placement check or glossary."""
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    [block] = [b for b in blocks if _kind(b) == kind]
    return block


def test_the_documented_lesson_and_track_pass_the_checker(tmp_path):
    lesson, track = _example("lesson"), _example("track")
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
    placement = _example("placement")
    (tmp_path / "placement.yaml").write_text(placement, encoding="utf-8")
    problems = [p.message for p in load_library([tmp_path], ("nl", "en")).problems]
    # A one-question example; a real check asks about every topic, and says so.
    assert problems == [
        "the placement check has no question on strategy, iot, skills, participation, business: "
        "give every topic at least one question"
    ]


def test_the_documented_glossary_passes_the_checker_and_finds_its_words(tmp_path):
    (tmp_path / "glossary.yaml").write_text(_example("glossary"), encoding="utf-8")
    loaded = load_library([tmp_path], ("nl", "en", "fr", "de"))
    assert [str(p) for p in loaded.problems] == []
    assert loaded.library is not None
    [found] = loaded.library.glossary.find("Volgens de AVG mag dat niet.", "nl")
    assert found.term.id == "gdpr"
