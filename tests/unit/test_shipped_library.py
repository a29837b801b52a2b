"""The shipped library: complete, covered, and written in plain language (B1)."""

from __future__ import annotations

import pytest

from bot.cli import main
from lessons.loader import load_library
from lessons.model import LANGUAGES, TrueFalse
from lessons.readability import report
from lessons.stats import compute

LIBRARY = load_library(required_languages=LANGUAGES).library
LESSONS = sorted(LIBRARY.lessons.values(), key=lambda x: x.id) if LIBRARY else []


def test_the_library_loads_with_all_four_languages_required():
    assert LIBRARY is not None
    assert len(LESSONS) >= 48


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: x.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_plain_language(lesson, language):
    assert report(lesson, language).problems == []


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda x: x.id)
def test_lesson_shape(lesson):
    assert 2 <= len(lesson.cards) <= 4
    assert len(lesson.quiz) >= 3
    assert len({q.type for q in lesson.quiz}) >= 2, "mixed question types"
    assert lesson.try_today is not None
    for question in lesson.quiz:
        for language in LANGUAGES:
            assert len(question.explanation.get(language)) <= 200, (question.id, language)
            if not isinstance(question, TrueFalse):
                for option in getattr(question, "options", []):
                    assert len(option.text.get(language)) <= 60, (question.id, language)


def test_every_topic_and_level_has_two_lessons_and_every_digcomp_id_is_taught():
    stats = compute(LIBRARY)
    assert stats.thin_cells == []
    assert stats.missing_digcomp == []
    assert set(stats.complete_languages.values()) == {len(LESSONS)}


def test_tracks_for_everyone_managers_and_helpdesk():
    assert {"general", "managers", "helpdesk"} <= set(LIBRARY.tracks)
    general = LIBRARY.tracks["general"].lessons
    assert all(LIBRARY.lessons[i].audience == ["all"] for i in general)


def test_stats_command_reports_the_figures(capsys):
    assert main(["lessons", "stats"]) == 0
    out = capsys.readouterr().out
    assert "DigComp 3.0 competences taught: 21 of 21" in out
    assert f"nl {len(LESSONS)}/{len(LESSONS)}" in out
    assert "Cells with fewer than 2 lessons" not in out


def test_the_glossary_explains_at_least_60_terms_in_all_four_languages():
    assert len(LIBRARY.glossary.terms) >= 60
    for term in LIBRARY.glossary.terms.values():
        assert set(term.names) == set(LANGUAGES) == set(term.explanation.languages), term.id


def test_the_library_and_its_glossary_pass_the_check_with_all_four_languages_and_no_warning():
    assert load_library(required_languages=LANGUAGES).problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_card_offers_the_same_words_in_every_language(language):
    """The glossary names a term in each language the way the lessons do."""
    card = LIBRARY.lessons["two-step-login-itsme-csam"].cards[1].text.get(language)
    assert {f.term.id for f in LIBRARY.glossary.find(card, language)} == {
        "itsme", "csam", "myminfin", "digital-key", "mygov", "eid", "two-step-login",
    }  # fmt: skip


def test_stats_report_the_glossary(capsys):
    assert main(["lessons", "stats"]) == 0
    out = capsys.readouterr().out
    assert f"Glossary: {len(LIBRARY.glossary.terms)} terms" in out
