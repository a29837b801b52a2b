"""`digicoach lessons preview`: the lesson as the learner sees it, both feedbacks included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
LIBRARY = FIXTURES / "library"


def _preview(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["lessons", "preview", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _in_order(text: str, *parts: str) -> bool:
    at = 0
    for part in parts:
        found = text.find(part, at)
        if found < 0:
            raise AssertionError(f"{part!r} not found after position {at} in:\n{text}")
        at = found + len(part)
    return True


def test_cards_questions_both_feedbacks_and_try_this_today(capsys):
    code, out, err = _preview(capsys, "passwords", "--lang", "en", "--lessons", str(LIBRARY))
    assert code == 0, err
    assert _in_order(
        out,
        "» Strong passwords (1/2)\nA long sentence is a strong password.\n  [1] Next",
        "» Strong passwords (2/2)\nNever use the same password twice.\n  [1] Start the quiz",
        "Which is strongest?\n  [1] Welcome1\n  [2] coffee-bike-rain-lamp",
        "(if the learner answers right: coffee-bike-rain-lamp)\n✅ Right!\nLength makes a password strong.",
        "(if the learner answers wrong: Welcome1)\n❌ Not quite.\nThe right answer: coffee-bike-rain-lamp\n"
        "Length makes a password strong.",
        "The same password everywhere is safe.\n  [1] True\n  [2] False",
        "(if the learner answers right: False)\n✅ Right!",
        "(if the learner answers wrong: True)\n❌ Not quite.\nThe right answer: False",
        "You answered 2 of 2 questions correctly.",
        "💡 Try this today: Pick a new passphrase.",
    )


def test_select_all_and_typed_answers_in_dutch_the_default(capsys):
    code, out, _err = _preview(capsys, "meetings", "--lessons", str(LIBRARY))
    assert code == 0
    assert _in_order(
        out,
        "Preview of 'meetings' (version 1) in 'nl'",
        "Wat helpt? (meerdere antwoorden)",
        "(if the learner answers right: Micro uit; Hand opsteken)\n✅",
        "(if the learner answers wrong: Door elkaar praten)\n❌",
        "Micro uit; Hand opsteken\nRust en beurten maken een vergadering vlot.",
        "(if the learner answers right: mute)\n✅",
        "\nMet mute hoort niemand je.",
    )
    assert "note:" not in out


def test_a_missing_translation_is_pointed_out(capsys):
    code, out, _err = _preview(capsys, "meetings", "--lang", "de", "--lessons", str(LIBRARY))
    assert code == 0
    assert "(note: 11 text(s) have no 'de' version; the learner reads another language there)" in out


def test_a_draft_file_outside_the_library(capsys, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_text((LIBRARY / "passwords.yaml").read_text().replace("id: passwords", "id: my-draft"))
    code, out, _err = _preview(capsys, str(draft), "--lang", "en")
    assert code == 0
    assert "Preview of 'my-draft'" in out


def test_unknown_lesson_language_and_broken_files_are_clear_messages(capsys):
    code, _out, err = _preview(capsys, "pasword", "--lessons", str(LIBRARY))
    assert (code, err) == (2, "digicoach: no lesson with id 'pasword'; did you mean 'passwords'?\n")
    code, _out, err = _preview(capsys, "passwords", "--lang", "xx", "--lessons", str(LIBRARY))
    assert (code, err) == (2, "digicoach: unknown language 'xx'; use nl, en, fr or de\n")
    broken = FIXTURES / "broken" / "unknown_topic.yaml"
    code, _out, err = _preview(capsys, str(broken))
    assert code == 2
    assert f"{broken}:3:8: unknown topic 'cybersecurity'" in err
    assert "Traceback" not in err


def test_the_preview_shows_what_digicoach_chat_shows(tmp_path, capsys):
    """The same cards, questions and right-answer feedback, character for character."""
    _code, preview, _err = _preview(capsys, "passwords", "--lang", "en", "--lessons", str(LIBRARY))
    typed = ["/start", "English", "OK, understood", "09:30", "Start today's lesson", "Next", "Start the quiz"]
    typed += ["coffee-bike-rain-lamp", "False"]
    database = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    chat = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", database, "--lessons", str(LIBRARY), "--user", "nele"],
        input="\n".join(typed) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    blocks = preview.split("\n\n")
    shown = [b for b in blocks[1:-1] if not b.startswith("(if the learner answers wrong")]
    right_feedback = [b.split("\n", 1)[1] for b in shown if b.startswith("(if the learner answers right")]
    cards_and_questions = [b for b in shown if not b.startswith("(if")]
    assert len(cards_and_questions) == 4 and len(right_feedback) == 2
    for block in cards_and_questions + right_feedback:
        assert f"{block}\n\n" in chat, block


def test_what_simpler_please_and_words_show_is_under_the_card_or_question(capsys):
    code, out, err = _preview(capsys, "two-step", "--lang", "en", "--lessons", str(FIXTURES / "words"))
    assert code == 0, err
    assert _in_order(
        out,
        "» Two-step login (1/2)\nPhishing is a fake e-mail",
        "  [2] Simpler, please\n  [3] ❓ Words",
        "  | » Two-step login (1/2)\n  | A fake e-mail wants your password. That is called phishing.",
        "  | » What the words mean\n  | phishing: A fake e-mail or text message",
        "» Two-step login (2/2)",
        "Which law protects your data?",
        "  | » What the words mean\n  | GDPR: The European law that protects personal data.",
        "(if the learner answers right: The GDPR)\n✅ Right!",
    )


def test_a_draft_is_previewed_with_the_librarys_glossary(capsys, tmp_path):
    draft = tmp_path / "draft.yaml"
    draft.write_text((FIXTURES / "words" / "two-step.yaml").read_text().replace("id: two-step", "id: draft"))
    code, out, _err = _preview(capsys, str(draft), "--lang", "en", "--lessons", str(FIXTURES / "words"))
    assert code == 0
    assert "  | phishing: A fake e-mail or text message" in out
