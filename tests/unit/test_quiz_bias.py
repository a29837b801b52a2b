"""Where guessing would pay, authors hear of it: figures in `lessons stats`, warnings in `lessons check`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lessons.loader import load_library
from lessons.placing import start_levels
from lessons.quiz_bias import of_lessons

TEXT = "{nl: %s, en: %s}"


def _lesson(folder: Path, n: int, quiz: str, reviewed: date | None = None) -> None:
    """A lesson with this quiz, checked against a source on ``reviewed`` (default: today)."""
    day = (reviewed or date.today()).isoformat()
    (folder / f"l{n}.yaml").write_text(
        f"id: l{n}\nversion: 1\ntopic: security\ndigcomp: ['4.1']\nlevel: foundation\n"
        "summary: {nl: Kort., en: Short.}\ntitle: {nl: Titel, en: Title}\n"
        "cards:\n  - text: {nl: Tekst., en: Text.}\n"
        f"quiz:\n{quiz}"
        f"sources:\n  - url: https://www.vlaanderen.be/vtc\n    checked: {day}\nreviewed: {day}\n",
        encoding="utf-8",
    )


def _true_false(answer: bool) -> str:
    return (
        "  - id: q\n    type: true_false\n    question: {nl: Stelling., en: Statement.}\n"
        f"    answer: {str(answer).lower()}\n    explanation: {{nl: Uitleg., en: Explained.}}\n"
    )


def _single(right: str, wrong: str, why: bool = True) -> str:
    reason = "        why: {nl: Omdat., en: Because.}\n" if why else ""
    return (
        "  - id: s\n    type: single\n    question: {nl: Vraag?, en: Question?}\n    options:\n"
        f"      - text: {TEXT % (right, right)}\n        correct: true\n"
        f"      - text: {TEXT % (wrong, wrong)}\n{reason}"
        f"      - text: {TEXT % (wrong, wrong)}\n{reason}"
        "    explanation: {nl: Uitleg., en: Explained.}\n"
    )


def test_a_library_whose_true_false_answers_are_nearly_all_false_is_warned(tmp_path):
    for n in range(10):
        _lesson(tmp_path, n, _true_false(answer=n == 0))
    loaded = load_library([tmp_path], ("nl", "en"))
    [warning] = [p for p in loaded.problems if "true/false" in p.message]
    assert warning.severity == "warning"
    assert warning.message.startswith("1 of 10 true/false answers are 'true' (10%): answering 'false' always")
    assert (Path(warning.path).name, warning.line) == ("l1.yaml", 11)  # the first false item
    assert of_lessons(loaded.library.lessons.values()).true_share == 0.1


def test_a_balanced_or_small_library_is_not(tmp_path):
    for n in range(10):
        _lesson(tmp_path, n, _true_false(answer=n % 2 == 0))
    assert load_library([tmp_path], ("nl", "en")).problems == []
    small = tmp_path / "small"
    small.mkdir()
    for n in range(9):  # too few items for a share to mean much
        _lesson(small, n, _true_false(answer=False))
    assert load_library([small], ("nl", "en")).problems == []


def test_the_right_option_being_the_longest_is_warned(tmp_path):
    for n in range(10):
        _lesson(tmp_path, n, _single("Bel een gekend nummer terug", "Betaal"))
    loaded = load_library([tmp_path], ("nl", "en"))
    [warning] = [p for p in loaded.problems if "longest" in p.message]
    assert "in 10 of 10 single-choice questions the right option is the longest" in warning.message
    bias = of_lessons(loaded.library.lessons.values())
    assert bias.longest_right == {"nl": 10, "en": 10, "fr": 10, "de": 10}


def test_a_wrong_option_without_a_why_is_warned_where_it_stands(tmp_path):
    _lesson(tmp_path, 0, _single("Melden", "Klikken", why=False))
    messages = [(p.line, p.message) for p in load_library([tmp_path], ("nl", "en")).problems]
    assert messages == [
        (17, "option 2 of quiz question 's' is wrong but has no 'why': tell the learner who picks it, "
         "in one short sentence, why it is wrong"),
        (18, "option 3 of quiz question 's' is wrong but has no 'why': tell the learner who picks it, "
         "in one short sentence, why it is wrong"),
    ]  # fmt: skip


def test_a_level_is_granted_only_when_every_question_up_to_it_is_right():
    library = load_library().library
    check = library.placement
    security = {q.level: q.id for q in check.questions if q.topic == "security"}
    everything = {q.id: True for q in check.questions}
    assert set(start_levels(check, everything).values()) == {"advanced"}
    assert start_levels(check, {})["security"] == "foundation"
    lucky = {security["foundation"]: True}
    assert start_levels(check, lucky)["security"] == "foundation"  # one right answer is not enough
    basics = {security["foundation"]: True, security["intermediate"]: True}
    assert start_levels(check, basics)["security"] == "intermediate"
    skipped = {security["foundation"]: True, security["advanced"]: True}
    assert start_levels(check, skipped)["security"] == "foundation"  # a level cannot be jumped


def test_a_lesson_reviewed_more_than_a_year_ago_is_warned_where_its_date_stands(tmp_path):
    _lesson(tmp_path, 0, _true_false(answer=True), reviewed=date(2025, 11, 1))
    fresh = load_library([tmp_path], ("nl", "en"), today=date(2026, 10, 31)).problems
    assert fresh == []
    [stale] = load_library([tmp_path], ("nl", "en"), today=date(2026, 11, 2)).problems
    assert (stale.severity, stale.line) == ("warning", 19)  # the "reviewed:" line
    assert stale.message.startswith("lesson 'l0' was last reviewed on 2025-11-01, more than a year ago")


def test_a_lesson_without_sources_or_a_review_date_is_warned_at_its_id(tmp_path):
    _lesson(tmp_path, 0, _true_false(answer=True))
    path = tmp_path / "l0.yaml"
    unchecked = path.read_text(encoding="utf-8").split("sources:")[0]
    path.write_text(unchecked, encoding="utf-8")
    assert [str(p) for p in load_library([tmp_path], ("nl", "en")).problems] == [
        f"{path}:1:5: warning: lesson 'l0' has no 'reviewed' date: check its facts against its sources, "
        "then add 'reviewed: YYYY-MM-DD' with today's date",
        f"{path}:1:5: warning: lesson 'l0' names no sources: add 'sources:' with the official pages "
        "its facts rest on, each as '- url: https://...' and 'checked: YYYY-MM-DD' (the day you checked it)",
    ]
    path.write_text(unchecked + "sources:\n  - url: https://safeonweb.be\n    checked: 2026-12-06\n")
    [warning] = load_library([tmp_path], ("nl", "en"), today=date(2026, 12, 6)).problems
    assert warning.message.startswith("lesson 'l0' has no 'reviewed' date")


def test_the_limits_are_the_issues_targets_true_40_to_60_percent_and_longest_at_most_a_third(tmp_path):
    def problems(folder: Path) -> list[str]:
        return [p.message for p in load_library([folder], ("nl", "en")).problems]

    for trues, warned in ((4, False), (6, False), (3, True), (7, True)):
        folder = tmp_path / f"true-{trues}"
        folder.mkdir()
        for n in range(10):
            _lesson(folder, n, _true_false(answer=n < trues))
        assert any("true/false answers" in m for m in problems(folder)) is warned, trues
    for longest, warned in ((4, False), (5, True)):  # of 12: a third is the most
        folder = tmp_path / f"longest-{longest}"
        folder.mkdir()
        for n in range(12):
            right, wrong = ("Bel een gekend nummer terug", "Betaal") if n < longest else ("Bel", "Betaal nu")
            _lesson(folder, n, _single(right, wrong))
        assert any("is the longest" in m for m in problems(folder)) is warned, longest
