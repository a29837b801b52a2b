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
