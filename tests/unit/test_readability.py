"""The plain-language measures flag what they should, for the normal and the simpler texts."""

from __future__ import annotations

from pathlib import Path

from lessons.loader import load_library
from lessons.model import Lesson
from lessons.readability import mean_sentence_words, report, sentences, words
from lessons.stats import Simpler, compute, render

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


WORDS = Path(__file__).parents[1] / "fixtures" / "words"


def test_stats_put_the_simpler_texts_next_to_the_normal_texts_of_the_same_cards():
    loaded = load_library([WORDS], ("nl", "en"))
    assert loaded.library is not None
    stats = compute(loaded.library)
    assert stats.simple["en"] == Simpler(
        cards=1, card_words=(25.0, 20.0), sentence_words=(12.5, 5.0), longest_sentence=(15, 6)
    )
    assert stats.simple["fr"].cards == 0  # the fixture has no French
    out = render(stats)
    assert "Simpler card versions (simple:): 1 of 2 cards; those cards, normal -> simple:" in out
    assert "  words per sentence: nl 13.0 -> 4.8  en 12.5 -> 5.0" in out
    assert "Glossary: 4 terms, 3 of them used in lessons; names per language: nl 6  en 6  fr 0  de 0" in out


def test_a_long_sentence_in_a_simpler_text_is_a_warning(tmp_path):
    lesson = (WORDS / "two-step.yaml").read_text(encoding="utf-8")
    long = "Een valse mail die je wachtwoord wil stelen heet phishing en komt vaak van een vreemde afzender."
    path = tmp_path / "two-step.yaml"
    path.write_text(lesson.replace("Een valse mail wil je wachtwoord.", long), encoding="utf-8")
    assert [str(p) for p in load_library([path], ("nl", "en")).problems] == [
        f"{path}:14:11: warning: the simpler text of card 1 has a sentence of 17 words in 'nl': "
        "a simpler text keeps sentences to about 10 words (at most 13)"
    ]
