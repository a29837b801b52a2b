"""The plain-language measures flag what they should."""

from __future__ import annotations

from lessons.model import Lesson
from lessons.readability import mean_sentence_words, report, sentences, words

SUMMARY = "Zo herken je een valse mail en wat je dan meteen het best doet."


def _lesson(card: str) -> Lesson:
    return Lesson.model_validate(
        {
            "id": "x", "version": 1, "topic": "skills", "digcomp": ["2.1"], "level": "foundation",
            "title": {"nl": "Titel"}, "summary": {"nl": SUMMARY}, "cards": [{"text": {"nl": card}}],
            "quiz": [{"id": "q", "type": "true_false", "question": {"nl": "Juist?"}, "answer": True,
                      "explanation": {"nl": "Ja."}}],
        }
    )  # fmt: skip


def test_words_and_sentences():
    assert words("Zet je e-mail op 'dempen', niet op pauze.") == 8
    assert sentences("Eén. Twee woorden!\nDrie: vier") == ["Eén.", "Twee woorden!", "Drie:", "vier"]
    assert mean_sentence_words(["Een twee drie. Vier."]) == 2.0


def test_a_short_plain_card_passes():
    assert report(_lesson("Klik niet. Bel de afzender."), "nl").problems == []


def test_a_card_over_80_words_fails():
    assert report(_lesson("Kort. " * 81), "nl").problems == ["card 1 has 81 words in 'nl' (at most 80)"]


def test_long_sentences_fail():
    # Title, summary, question and explanation are sentences too: two sentences
    # of 39 words bring the lesson's mean to (78 + 1 + 14 + 1 + 1) / 6 = 15.8 words.
    long_sentence = " ".join(["woord"] * 39) + ". "
    problems = report(_lesson(long_sentence * 2), "nl").problems
    assert len(problems) == 1
    assert "average" in problems[0]
