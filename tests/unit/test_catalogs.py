"""Message catalogs: complete, compilable, same placeholders, in step with the code."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from lessons.model import LANGUAGES
from locales import LOCALES_DIR, catalog_path

ROOT = Path(__file__).parents[2]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _catalog(language: str):
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_compiles_and_passes_babels_checks(language):
    catalog = _catalog(language)
    assert [(m.id, errors) for m, errors in catalog.check()] == []
    write_mo(io.BytesIO(), catalog)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    untranslated = [m.id for m in _catalog(language) if m.id and not all(_forms(m.string))]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_and_line_breaks_match(language):
    mismatches = []
    for message in _catalog(language):
        if not message.id:
            continue
        ids = _forms(message.id)
        allowed = {p for i in ids for p in PLACEHOLDER.findall(i)}
        required = set(PLACEHOLDER.findall(ids[0])) - {"{n}"}
        for text in _forms(message.string):
            found = set(PLACEHOLDER.findall(text))
            if found - allowed or required - found or text.count("\n") != ids[0].count("\n"):
                mismatches.append((ids[0], text))
    assert mismatches == []


def test_the_template_holds_every_message_in_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(LOCALES_DIR / "babel.cfg"),
            "--no-location",
            "-o",
            str(fresh),
            "bot",
            "lessons",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with fresh.open("rb") as po:
        in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(po) if m.id}
    for language in LANGUAGES:
        catalogued = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(language) if m.id}
        assert in_code - catalogued == set(), f"run scripts/update-catalogs.sh; missing in {language}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_feedback_never_repeats_the_label_of_the_other_true_false_button(language):
    """Regression: Dutch "Fout" pressed rightly read "Fout → ✅ Juist!" under a "Juist" button."""
    from lessons.grading import normalise
    from lessons.i18n import _, use_locale

    with use_locale(language):
        labels = {normalise(_("True")), normalise(_("False"))}
        praise, blame = _("✅ Right!").removeprefix("✅"), _("❌ Not quite.").removeprefix("❌")
        feedback = {normalise(praise), normalise(blame)}
    assert len(labels) == 2
    assert labels.isdisjoint(feedback)
