"""The examples in lessons/README.md are valid lessons and tracks."""

from __future__ import annotations

import re
from pathlib import Path

from lessons.loader import load_library

README = Path(__file__).parents[2] / "lessons" / "README.md"


def test_the_documented_lesson_and_track_pass_the_checker(tmp_path):
    lesson, track = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    (tmp_path / "phishing-spot-the-signs.yaml").write_text(lesson, encoding="utf-8")
    # The documented track names a second shipped lesson; check it beside a stand-in.
    (tmp_path / "general.yaml").write_text(track, encoding="utf-8")
    stand_in = lesson.replace("id: phishing-spot-the-signs", "id: video-meeting-sound-camera-mute")
    (tmp_path / "video-meeting-sound-camera-mute.yaml").write_text(stand_in, encoding="utf-8")
    loaded = load_library([tmp_path], ("nl", "en"))
    assert [str(p) for p in loaded.problems] == []
    assert loaded.library is not None
    assert [q.type for q in loaded.library.lessons["phishing-spot-the-signs"].quiz] == [
        "single", "true_false", "multiple", "free_text",
    ]  # fmt: skip
