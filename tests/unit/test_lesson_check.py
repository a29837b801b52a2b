"""`digicoach lessons check`: every broken file is reported as path:line:col: message."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from lessons.loader import NO_SOURCES, NOT_REVIEWED, load_library

BROKEN = Path(__file__).parents[1] / "fixtures" / "broken"

# One broken file per rule, and the exact line the checker prints for it.
EXPECTED = {
    "placement_missing_topic.yaml": (
        "6:3: the placement check has no question on strategy, iot, skills, participation, business: "
        "give every topic at least one question"
    ),
    "placement_question_without_topic.yaml": (
        "6:5: missing required field 'topic' in questions[1]: "
        "add 'topic:' with one of strategy, iot, skills, participation, business, security"
    ),
    "syntax_error.yaml": "8:6: YAML syntax error: did not find expected ',' or '}'",
    "missing_field.yaml": (
        "1:1: missing required field 'level' in the file: "
        "add 'level:' with one of foundation, intermediate, advanced"
    ),
    "unknown_topic.yaml": (
        "3:8: unknown topic 'cybersecurity': "
        "use one of strategy, iot, skills, participation, business, security"
    ),
    "unknown_level.yaml": "5:8: unknown level 'beginner': use one of foundation, intermediate, advanced",
    "unknown_language.yaml": "7:31: unknown language 'nk': use one of nl, en, fr, de",
    "unknown_question_type.yaml": (
        "11:5: unknown question type 'yes_no': use single, multiple, true_false or free_text"
    ),
    "no_correct_option.yaml": "15:7: quiz question 'q1' has no correct option: mark one with 'correct: true'",
    "two_correct_options.yaml": (
        "15:7: quiz question 'q1' is 'single' but has 2 correct options: keep one, or use type 'multiple'"
    ),
    "multiple_no_correct.yaml": (
        "15:7: quiz question 'q1' has no correct option: mark at least one with 'correct: true'"
    ),
    "free_text_no_accepted.yaml": (
        "14:15: quiz question 'q1' accepts no answer: list at least one accepted answer"
    ),
    "duplicate_question_id.yaml": (
        "16:9: duplicate question id 'q1': question 1 already uses it; give each question its own id"
    ),
    "unknown_key.yaml": "8:1: unknown key 'cardz'; did you mean 'cards'?",
    "unknown_digcomp.yaml": (
        "4:18: unknown DigComp id '6.2': use a DigComp 3.0 id: 1.1-1.3, 2.1-2.6, 3.1-3.4, 4.1-4.4 or 5.1-5.4"
    ),
    "wrong_type.yaml": "2:10: 'version' should be a whole number, e.g. 1, not 'first'",
    # YAML 1.2: 'yes' is text, and the checker does not guess it means true.
    "wrong_type_boolean.yaml": "16:18: 'correct' should be true or false, not 'yes'",
    "text_not_per_language.yaml": "7:8: 'title' needs one text per language, e.g. 'nl: ...' and 'en: ...'",
    "image_without_alt.yaml": (
        "11:7: cards[1].image has no alt text: add 'alt:' with one short description per language, "
        "for colleagues who use a screen reader"
    ),
    "missing_translation.yaml": (
        "18:18: missing 'en' translation in 1 text, first in quiz[1].explanation: "
        "add 'en: ...' next to the other languages"
    ),
    "empty_text.yaml": "9:28: cards[1].text.en is empty: write the text or remove the key",
    "duplicate_key.yaml": "3:1: duplicate key 'version': each key may appear once",
    "track_missing_lesson.yaml": (
        "4:11: track 'broken-track' names lesson 'no-such-lesson', which does not exist; "
        "check the spelling or add the lesson"
    ),
    # A glossary is checked like a lesson.
    "glossary_unknown_key.yaml": "7:5: unknown key 'nmaes'; did you mean 'names'?",
    "glossary_duplicate_name.yaml": (
        "8:24: 'avg' in 'nl' reads the same as 'AVG' of term 'gdpr' ({path}:4): "
        "a word can explain one term only; remove it from one of them"
    ),
    "glossary_missing_language.yaml": (
        "7:12: missing 'en' names in 1 term, first in terms[2].names: "
        "add 'en: [...]' next to the other languages"
    ),
    "glossary_explanation_too_long.yaml": (
        "6:11: terms[1].explanation.nl has 319 characters; "
        "at most 300 fit in a chat message beside the rest: shorten it or split it"
    ),
    "glossary_names_not_per_language.yaml": (
        "4:12: 'names' needs a list of names per language, e.g. 'nl: [phishing]' and 'en: [phishing]'"
    ),
}

# Rules that span files: a folder per rule, and the problems it must give.
EXPECTED_IN_FOLDER = {
    "duplicate_id": [
        "second.yaml:1:5: duplicate id 'same-id': already used in {folder}/first.yaml:1; "
        "give each lesson and track its own id"
    ],
    "prerequisite_cycle": [
        "basics.yaml:5:12: prerequisite cycle: advanced -> basics -> advanced; "
        "remove one of these requirements"
    ],
    "track_requires_missing_track": [
        "track.yaml:5:12: track 'needs-missing' requires track 'no-such-track', which does not exist; "
        "check the spelling or remove it from 'requires'"
    ],
    "unknown_audience": [
        "lesson.yaml:6:12: warning: no track is for audience 'managers' (tracks serve: all, manager); "
        "did you mean 'manager'?"
    ],
    # An organisation's own glossary beside the shipped one: a name or an id may be used once in all.
    "glossary_across_files": [
        "ours.yaml:5:32: 'backup' in 'nl' reads the same as 'back-up' of term 'backup' "
        "({folder}/general.yaml:4): a word can explain one term only; remove it from one of them",
        "ours.yaml:7:9: duplicate term id 'backup': already used in {folder}/general.yaml:3; "
        "give each term its own id",
    ],
    # What 'lessons import' could not carry over from Moodle stays a warning until someone has looked.
    "lost_in_import": [
        "animals.yaml:17:9: warning: quiz question 'best-animal' lost in the import from Moodle: line 3: "
        "'Cat' earns 50 % in Moodle; the coach accepts only full-credit answers, so it is not accepted "
        "(check the question, then delete this line from 'lost_in_import')"
    ],
}


def test_every_fixture_is_pinned():
    assert {p.name for p in BROKEN.iterdir()} == set(EXPECTED) | set(EXPECTED_IN_FOLDER)


# Advice every fixture gets, each tested on its own: a 'why' for wrong options, sources and a review date.
ADVICE = ("has no 'why'", NO_SOURCES, NOT_REVIEWED)


def _besides_advice(problems) -> list[str]:
    """The problems, without the advice that is tested on its own."""
    return [str(p) for p in problems if not any(a in p.message for a in ADVICE)]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_file_is_reported_once_with_its_position(name):
    loaded = load_library([BROKEN / name], ("nl", "en"))
    assert _besides_advice(loaded.problems) == [
        f"{BROKEN / name}:{EXPECTED[name].replace('{path}', str(BROKEN / name))}"
    ]
    assert loaded.library is None


@pytest.mark.parametrize("name", sorted(EXPECTED_IN_FOLDER))
def test_each_rule_across_files_is_reported_where_to_fix_it(name):
    folder = BROKEN / name
    loaded = load_library([folder], ("nl", "en"))
    assert _besides_advice(loaded.problems) == [
        f"{folder}/" + line.format(folder=folder) for line in EXPECTED_IN_FOLDER[name]
    ]


def test_a_track_that_requires_itself_is_a_cycle(tmp_path):
    (tmp_path / "self.yaml").write_text(
        "kind: track\nid: loop\ntitle: {nl: Pad, en: Path}\nlessons: [x]\nrequires: [loop]\n"
    )
    problems = [p.message for p in load_library([tmp_path], ("nl",)).problems]
    assert "prerequisite cycle: loop -> loop; remove one of these requirements" in problems


def test_a_warning_alone_keeps_the_library_usable():
    loaded = load_library([BROKEN / "unknown_audience"], ("nl", "en"))
    assert loaded.errors == []
    assert loaded.library is not None


def test_the_command_prints_problems_and_exits_1_without_a_traceback(capsys):
    assert main(["lessons", "check", str(BROKEN)]) == 1
    out, err = capsys.readouterr()
    expected = len(EXPECTED) + sum(len(lines) for lines in EXPECTED_IN_FOLDER.values())
    assert len([line for line in out.splitlines() if not any(a in line for a in ADVICE)]) == expected
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
        "summary: {nl: Kort., en: Short.}\ntitle: {nl: Titel, en: Title}\n"
        f"cards:\n  - text: {{nl: {long_text}, en: Text.}}\n"
        "quiz:\n  - id: q1\n    type: true_false\n    question: {nl: Juist?, en: Right?}\n"
        "    answer: true\n    explanation: {nl: Ja., en: Yes.}\n"
    )
    assert main(["lessons", "check", str(path)]) == 0
    assert f"{path}:9:16: warning: card 1 has 81 words in 'nl'" in capsys.readouterr().out
    assert main(["lessons", "check", "--strict", str(path)]) == 1


def test_the_shipped_library_passes():
    loaded = load_library()
    assert loaded.problems == []
    assert loaded.library is not None


def test_a_list_out_of_bounds_says_how_many_items_are_allowed(tmp_path):
    (tmp_path / "empty.yaml").write_text("kind: track\nid: empty\ntitle: {nl: Pad}\nlessons: []\n")
    assert [str(p) for p in load_library([tmp_path], ("nl",)).problems] == [
        f"{tmp_path / 'empty.yaml'}:4:10: 'lessons' needs at least 1 item: add one"
    ]


def test_the_check_does_not_load_the_database_layer_or_the_chat_platforms():
    # Admins run the check in their own CI on every change; SQLAlchemy and
    # Alembic are a third of its start-up time and it never opens a database.
    # Every command module is imported to build the parser: none of them may
    # import these at the top.
    script = (
        "import sys; from bot.cli import main; code = main(['lessons', 'check']); "
        "heavy = ('sqlalchemy', 'alembic', 'storage', 'telegram', 'nio', 'apscheduler', 'matplotlib'); "
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[-2] == "0 []"


def _lesson_with_picture(path: Path, src: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "id: pictured\nversion: 1\ntopic: security\ndigcomp: ['4.1']\nlevel: foundation\n"
        "summary: {nl: Kort., en: Short.}\ntitle: {nl: Titel, en: Title}\n"
        f"cards:\n  - text: {{nl: Kijk., en: Look.}}\n    image:\n      src: {src}\n"
        "      alt: {nl: Een valse mail, en: A fake mail}\n"
        "quiz:\n  - id: q1\n    type: true_false\n    question: {nl: Juist?, en: Right?}\n"
        "    answer: true\n    explanation: {nl: Ja., en: Yes.}\n"
        f"sources:\n  - url: https://safeonweb.be\n    checked: {date.today()}\nreviewed: {date.today()}\n"
    )


@pytest.mark.parametrize("where", ["next to the lesson", "in the lesson folder"])
def test_a_card_picture_is_found_once_for_every_platform(tmp_path, monkeypatch, where):
    lesson_file = tmp_path / "security" / "pictured.yaml"
    _lesson_with_picture(lesson_file, "images/mail.png")
    folder = lesson_file.parent if where == "next to the lesson" else tmp_path
    (folder / "images").mkdir()
    (folder / "images" / "mail.png").write_bytes(b"\x89PNG")
    monkeypatch.chdir(tmp_path.parent)  # not where the picture is: the working folder never counts
    loaded = load_library([tmp_path], ("nl", "en"))
    assert loaded.problems == []
    assert loaded.library is not None
    picture = loaded.library.lessons["pictured"].cards[0].image
    assert picture is not None and picture.src == str((folder / "images" / "mail.png").resolve())


def test_a_picture_found_nowhere_is_a_warning_and_learners_read_its_alt_text(tmp_path):
    lesson_file = tmp_path / "pictured.yaml"
    _lesson_with_picture(lesson_file, "images/gone.png")
    [problem] = load_library([tmp_path], ("nl", "en")).problems
    assert str(problem) == (
        f"{lesson_file}:11:12: warning: picture 'images/gone.png' not found next to the lesson file or in "
        f"its lesson folder {tmp_path}: add the file or fix the path; learners read its alt text instead"
    )
