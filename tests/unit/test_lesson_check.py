"""`digicoach lessons check`: every broken file is reported as path:line:col: message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from lessons.loader import load_library

BROKEN = Path(__file__).parents[1] / "fixtures" / "broken"

EXPECTED = {
    "syntax_error.yaml": "7:6: YAML syntax error: did not find expected ',' or '}'",
    "missing_field.yaml": "1:1: missing required field 'level' in the file",
    "unknown_topic.yaml": (
        "3:8: unknown topic 'cybersecurity': "
        "use one of strategy, iot, skills, participation, business, security"
    ),
    "no_correct_option.yaml": "14:7: quiz question 'q1' has no correct option: mark one with 'correct: true'",
    "two_correct_options.yaml": (
        "14:7: quiz question 'q1' is 'single' but has 2 correct options: keep one, or use type 'multiple'"
    ),
    "unknown_key.yaml": "7:1: unknown key 'cardz'; did you mean 'cards'?",
    "unknown_digcomp.yaml": (
        "4:18: unknown DigComp id '6.2': use a DigComp 2.2 id: 1.1-1.3, 2.1-2.6, 3.1-3.4, 4.1-4.4 or 5.1-5.4"
    ),
    "wrong_type.yaml": "2:10: 'version' should be a whole number, e.g. 1, not 'first'",
    "missing_translation.yaml": (
        "17:18: missing 'en' translation in 1 text, first in quiz[1].explanation: "
        "add 'en: ...' next to the other languages"
    ),
    "empty_text.yaml": "8:28: cards[1].text.en is empty: write the text or remove the key",
    "duplicate_key.yaml": "3:1: duplicate key 'version': each key may appear once",
    "track_missing_lesson.yaml": (
        "4:11: track 'broken-track' names lesson 'no-such-lesson', which does not exist"
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_file_is_reported_once_with_its_position(name):
    loaded = load_library([BROKEN / name], ("nl", "en"))
    assert [str(p) for p in loaded.problems] == [f"{BROKEN / name}:{EXPECTED[name]}"]
    assert loaded.library is None


def test_a_lesson_id_used_in_two_files_is_reported_at_the_second():
    folder = BROKEN / "duplicate_id"
    loaded = load_library([folder], ("nl", "en"))
    assert [str(p) for p in loaded.problems] == [
        f"{folder / 'second.yaml'}:1:5: duplicate id 'same-id': already used in "
        f"{folder / 'first.yaml'}:1; give each lesson and track its own id"
    ]


def test_the_command_prints_problems_and_exits_1_without_a_traceback(capsys):
    assert main(["lessons", "check", str(BROKEN)]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == len(EXPECTED) + 1
    assert all(line.startswith(str(BROKEN)) for line in out.splitlines())
    assert "Traceback" not in out + err
    assert "error(s)" in err


def test_json_output_for_admins_own_ci(capsys):
    assert main(["lessons", "check", "--format", "json", str(BROKEN / "unknown_topic.yaml")]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["problems"][0]["line"] == 3
    assert report["problems"][0]["column"] == 8


def test_a_missing_path_is_a_problem_not_a_crash(capsys, tmp_path):
    assert main(["lessons", "check", str(tmp_path / "nope")]) == 1
    assert "no such file or folder" in capsys.readouterr().out


def test_a_long_card_is_a_warning_that_fails_only_with_strict(capsys, tmp_path):
    long_text = " ".join(["woord"] * 81)
    path = tmp_path / "long-card.yaml"
    path.write_text(
        "id: long-card\nversion: 1\ntopic: skills\ndigcomp: ['2.1']\nlevel: foundation\n"
        "title: {nl: Titel, en: Title}\n"
        f"cards:\n  - text: {{nl: {long_text}, en: Text.}}\n"
        "quiz:\n  - id: q1\n    type: true_false\n    question: {nl: Juist?, en: Right?}\n"
        "    answer: true\n    explanation: {nl: Ja., en: Yes.}\n"
    )
    assert main(["lessons", "check", str(path)]) == 0
    assert f"{path}:8:16: warning: card 1 has 81 words in 'nl'" in capsys.readouterr().out
    assert main(["lessons", "check", "--strict", str(path)]) == 1


def test_the_shipped_library_passes():
    loaded = load_library()
    assert loaded.problems == []
    assert loaded.library is not None
