"""`digicoach lessons import`: Moodle GIFT and Aiken files become lessons that pass the check."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.cli import main
from lessons.loader import NO_SOURCES, NOT_REVIEWED, load_library
from lessons.model import FreeText, MultipleChoice, SingleChoice, TrueFalse

IMPORT = Path(__file__).parents[1] / "fixtures" / "import"
GIFT = IMPORT / "phishing.gift"
AIKEN = IMPORT / "phishing.aiken"
# Every construct of Moodle's examples.txt, in our own words (test_moodle_cases.py reads it closely).
CONSTRUCTS = IMPORT / "moodle-constructs.gift"
FACTS = ["--topic", "security", "--level", "foundation", "--digcomp", "4.2,1.2"]


NO_WHY = "is wrong but has no 'why'"
# What a Moodle file cannot carry and every imported lesson is advised to add: a 'why' for each
# wrong option, the sources its facts rest on and the day it was reviewed.
ADVICE = (NO_WHY, NO_SOURCES, NOT_REVIEWED)


def _import(capsys, source: Path, out: Path, *extra: str) -> tuple[int, list[str], list[str]]:
    """The exit status, the files written, and the report (without the advice every import gets)."""
    code = main(["lessons", "import", str(source), "--out", str(out), *FACTS, *extra])
    printed, report = capsys.readouterr()
    return code, printed.splitlines(), [line for line in report.splitlines() if not _advice(line)]


def _advice(line: str) -> bool:
    return any(a in line for a in ADVICE)


def _passes_the_check_and_advises_whys(capsys, out: Path) -> None:
    """No errors; the only warnings --strict has are the advice a Moodle file cannot carry."""
    capsys.readouterr()
    assert main(["lessons", "check", "--languages", "nl", str(out)]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if "warning" in line]
    assert warnings and all(_advice(line) for line in warnings)


def test_gift_every_supported_construct_becomes_a_lesson_that_passes_the_check(capsys, tmp_path):
    code, written, report = _import(capsys, GIFT, tmp_path)
    assert code == 1  # four items could not be converted
    assert written == [str(tmp_path / "phishing-herkennen.yaml")]
    assert report == [
        f"{GIFT}:29: warning: no feedback to use as explanation, so the explanation repeats the right "
        "answer ('wil je gegevens'): write why it is right in the lesson file",
        f"{GIFT}:37: matching questions cannot be converted: write them as multiple choice",
        f"{GIFT}:42: numerical questions cannot be converted: write it as multiple choice",
        f"{GIFT}:44: essay questions cannot be converted: the coach only grades closed answers",
        f"{GIFT}:46: a description without answers is not a question: put its text in a card",
        "gift: 1 lesson(s) written, 4 item(s) not converted; texts are in 'nl' only: "
        "add the other required languages",
    ]
    _passes_the_check_and_advises_whys(capsys, tmp_path)
    lesson = load_library([tmp_path], ("nl",)).library.lessons["phishing-herkennen"]
    assert lesson.title.get("nl") == "Phishing herkennen"
    assert [c.text.get("nl") for c in lesson.cards] == [
        "Phishing is een valse mail of sms die je naar je wachtwoord of geld vraagt.\n"
        "Iedereen krijgt zulke berichten.",
        "Let op drie signalen: haast, een vreemd adres en een link die niet klopt.",
    ]
    assert lesson.summary.get("nl") == (
        "Phishing is een valse mail of sms die je naar je wachtwoord of geld vraagt."
    )
    single, true_false, multiple, free_text, missing_word, html, feedback_per_answer = lesson.quiz
    assert isinstance(single, SingleChoice) and single.id == "dringende-factuur"
    assert [o.correct for o in single.options] == [True, False, False]
    assert single.explanation.get("nl") == "Goed: zo controleer je het zonder risico."  # right answer's #
    assert [o.why.get("nl") if o.why else None for o in single.options] == [
        None, "Haast is net het signaal.", 'De oplichter antwoordt gewoon "ja".'
    ]  # fmt: skip
    assert isinstance(true_false, TrueFalse) and true_false.answer is False
    assert true_false.explanation.get("nl").startswith("Een naam kan iedereen typen")  # general ####
    # Moodle's first feedback is for the wrong answer (here: true), the second for the right one.
    assert true_false.why_true and true_false.why_true.get("nl") == "Iedereen kan een naam invullen."
    assert true_false.why_false and true_false.why_false.get("nl") == "Juist."
    assert isinstance(multiple, MultipleChoice)
    assert [o.correct for o in multiple.options] == [True, True, False]  # weights ~%50% / ~%-100%
    assert isinstance(free_text, FreeText) and free_text.accepted == {"nl": ["phishing", "hengelen"]}
    assert missing_word.question.get("nl") == "Een valse mail _____ en speelt op je gevoel."
    assert html.question.get("nl") == "Wat betekent het slotje: in de adresbalk?"  # [html], \\:
    assert html.options[0].text.get("nl") == "De verbinding is versleuteld, niet dat de site {eerlijk} is."
    # true/false: GIFT's first feedback (for a wrong answer) explains; the second only says "right".
    assert feedback_per_answer.explanation.get("nl") == "Nee: ook oplichters hebben een slotje."


def test_aiken_needs_a_title_and_a_card_from_the_command_line(capsys, tmp_path):
    code, written, report = _import(capsys, AIKEN, tmp_path)
    assert (code, written) == (1, [])
    no_title = "no title for this lesson: pass --title (in GIFT a $CATEGORY line gives one)"
    assert report[0] == f"{AIKEN}:1: {no_title}"
    code, written, report = _import(capsys, AIKEN, tmp_path, "--title", "Verdachte mails")
    assert (code, written) == (1, [])
    assert "has no text to read before the quiz: pass --card-text" in report[0]


def test_aiken_becomes_a_lesson_that_passes_the_check(capsys, tmp_path):
    card = "Een verdachte mail meld je bij de helpdesk. Zo help je iedereen."
    code, written, report = _import(
        capsys, AIKEN, tmp_path, "--title", "Verdachte mails", "--card-text", card, "--lang", "nl"
    )
    assert code == 1
    assert written == [str(tmp_path / "verdachte-mails.yaml")]
    assert [line.split(": ", 1)[0] for line in report[:-1]] == [
        f"{AIKEN}:1", f"{AIKEN}:7", f"{AIKEN}:15", f"{AIKEN}:17"
    ]  # fmt: skip
    assert report[2] == f"{AIKEN}:15: ANSWER: D names no option: use one of A, B"
    assert report[3] == f"{AIKEN}:17: the question has no 'ANSWER: ' line after its options"
    _passes_the_check_and_advises_whys(capsys, tmp_path)
    lesson = load_library([tmp_path], ("nl",)).library.lessons["verdachte-mails"]
    assert lesson.summary.get("nl") == "Een verdachte mail meld je bij de helpdesk."
    first = lesson.quiz[0]
    assert isinstance(first, SingleChoice)
    assert [o.correct for o in first.options] == [False, True, False]
    assert first.options[2].text.get("nl") == "Ik stuur de mail door naar collega's."  # 'C)' form


def test_a_clean_file_exits_0_and_an_existing_lesson_is_never_overwritten(capsys, tmp_path):
    source = tmp_path / "clean.gift"
    source.write_text(
        "$CATEGORY: Wachtwoorden\n// Een lange zin is een sterk wachtwoord.\n\n"
        "Is een lange zin sterk?{TRUE####Lengte maakt sterk.}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, written, _report = _import(capsys, source, out, "--lang", "en", "--id", "long-passwords")
    assert (code, written) == (0, [str(out / "long-passwords.yaml")])
    assert main(["lessons", "check", "--languages", "en", str(out)]) == 0
    lesson = out / "long-passwords.yaml"
    assert capsys.readouterr().out.splitlines() == [  # what is left for the author: sources and a review
        f"{lesson}:3:5: warning: lesson 'long-passwords' {NOT_REVIEWED}: check its facts against its "
        "sources, then add 'reviewed: YYYY-MM-DD' with today's date",
        f"{lesson}:3:5: warning: lesson 'long-passwords' {NO_SOURCES}: add 'sources:' with the official "
        "pages its facts rest on, each as '- url: https://...' and 'checked: YYYY-MM-DD' "
        "(the day you checked it)",
    ]
    code, written, report = _import(capsys, source, out, "--lang", "en", "--id", "long-passwords")
    assert (code, written) == (1, [])
    assert f"{out / 'long-passwords.yaml'} exists already: not overwritten" in report[0]


def test_more_questions_than_a_lesson_holds_are_reported(capsys, tmp_path):
    source = tmp_path / "long.gift"
    questions = "\n\n".join(f"Vraag {n}?{{TRUE####Uitleg {n}.}}" for n in range(1, 11))
    source.write_text(f"$CATEGORY: Lang\n// Kaart.\n\n{questions}\n", encoding="utf-8")
    code, written, report = _import(capsys, source, tmp_path / "out")
    assert code == 1 and len(written) == 1
    assert report[0] == (
        f"{source}:20: lesson 'Lang' has 10 questions and a lesson holds at most 8: this one and the "
        "1 after it were left out; put them under a new $CATEGORY line"
    )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--topic", "cyber", "unknown topic 'cyber'; use one of strategy, iot, skills"),
        ("--level", "beginner", "unknown level 'beginner'; use one of foundation, intermediate, advanced"),
        ("--digcomp", "6.1", "unknown DigComp id in '6.1'; use ids like 4.2,1.2 (1.1 ... 5.4)"),
    ],
)
def test_wrong_facts_are_refused_before_anything_is_written(capsys, tmp_path, option, value, message):
    args = [*FACTS]
    args[args.index(option) + 1] = value
    assert main(["lessons", "import", str(GIFT), "--out", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_what_moodle_grades_and_the_coach_cannot_is_reported_and_kept_in_the_lesson(capsys, tmp_path):
    source = tmp_path / "animals.gift"
    source.write_text(
        "$CATEGORY: Animals\n// Frogs are the best.\n\n"
        "::best::Which is the best animal?{\n    =Frog#Good!\n    =%50%Cat#Cats, again?\n}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, written, report = _import(capsys, source, out, "--lang", "en")
    cat = "'Cat' earns 50 % in Moodle; the coach accepts only full-credit answers, so it is not accepted"
    feedback = (
        "the feedback for the answer 'Cat' ('Cats, again?') is not kept: "
        "the coach shows one explanation to everyone"
    )
    assert (code, written) == (0, [str(out / "animals.yaml")])  # converted, with warnings
    assert report == [  # once, at its line in the Moodle file: the lesson's own check leaves it out
        f"{source}:6: warning: {cat}",
        f"{source}:6: warning: {feedback}",
        "gift: 1 lesson(s) written, 0 item(s) not converted; texts are in 'en' only: "
        "add the other required languages",
    ]
    [question] = yaml.safe_load((out / "animals.yaml").read_text(encoding="utf-8"))["quiz"]
    assert question["lost_in_import"] == [f"line 6: {cat}", f"line 6: {feedback}"]
    assert main(["lessons", "check", "--languages", "en", str(out)]) == 0
    lesson, lost = (
        out / "animals.yaml",
        "warning: quiz question 'best' lost in the import from Moodle: line 6",
    )
    then = "(check the question, then delete this line from 'lost_in_import')"
    assert [line for line in capsys.readouterr().out.splitlines() if not _advice(line)] == [
        f"{lesson}:28:5: {lost}: {cat} {then}",
        f"{lesson}:29:5: {lost}: {feedback} {then}",
    ]
    assert main(["lessons", "check", "--strict", "--languages", "en", str(out)]) == 1


def test_moodles_examples_import_whole_and_what_is_refused_says_where(capsys, tmp_path):
    code, written, report = _import(capsys, CONSTRUCTS, tmp_path, "--title", "Examples", "--lang", "en")
    assert (code, written) == (1, [])
    # The comment header at the top is not taken for the lesson's text.
    assert any("lesson 'Examples' has no text to read before the quiz" in line for line in report)
    code, written, report = _import(
        capsys,
        CONSTRUCTS,
        tmp_path,
        "--title",
        "Examples",
        "--card-text",
        "Moodle's examples.",
        "--lang",
        "en",
    )
    assert (code, written) == (1, [str(tmp_path / "examples.yaml")])
    left_out = [
        int(line.removeprefix(f"{CONSTRUCTS}:").split(":")[0])
        for line in report
        if line.startswith(f"{CONSTRUCTS}:") and ": warning: " not in line
    ]
    # The numerical and matching questions, and from line 44 the questions beyond the eight a lesson holds.
    assert left_out == [17, 44, 56, 62, 71, 73, 75, 77, 86, 176, 178, 203]
    assert f"{CONSTRUCTS}:44: lesson 'Examples' has 32 questions and a lesson holds at most 8" in "\n".join(
        report
    )
    assert main(["lessons", "check", "--languages", "en", str(tmp_path)]) == 0


def test_a_file_with_nothing_to_convert_says_so_once(capsys, tmp_path):
    source = tmp_path / "essay.gift"
    source.write_text("// A header.\n\n::Q8:: How are you? {}\n", encoding="utf-8")
    code, written, report = _import(capsys, source, tmp_path, "--title", "T", "--card-text", "C.")
    assert (code, written) == (1, [])
    assert report == [
        f"{source}:3: essay questions cannot be converted: the coach only grades closed answers",
        "gift: 0 lesson(s) written, 1 item(s) not converted; texts are in 'nl' only: "
        "add the other required languages",
    ]
