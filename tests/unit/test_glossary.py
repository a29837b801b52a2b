"""The glossary: which words a text uses, /whatis look-ups, and what `lessons check` says about a glossary."""

from __future__ import annotations

from pathlib import Path

import pytest

from lessons.glossary import Glossary
from lessons.loader import load_library
from lessons.model import GlossaryTerm

WORDS = Path(__file__).parents[1] / "fixtures" / "words"


def term(term_id: str, names: dict[str, list[str]], explanation: str = "Uitleg.") -> GlossaryTerm:
    return GlossaryTerm.model_validate(
        {"id": term_id, "names": names, "explanation": {lang: explanation for lang in names}}
    )


GLOSSARY = Glossary.of(
    [
        term("phishing", {"nl": ["phishing"], "fr": ["hameçonnage", "phishing"], "en": ["phishing"]}),
        term("sensor", {"nl": ["sensor"], "de": ["Sensor"], "en": ["sensor"]}),
        term("app", {"nl": ["app"], "en": ["app"], "de": ["App"]}),
        term("open-data", {"nl": ["open data"], "en": ["open data"]}),
        term("data", {"nl": ["data"], "en": ["data"]}),
        term("backup", {"nl": ["back-up"], "en": ["backup"]}),
        term("gdpr", {"nl": ["AVG", "GDPR"], "en": ["GDPR"], "fr": ["RGPD"], "de": ["DSGVO"]}),
        term("password-manager", {"nl": ["wachtwoordbeheerder"], "de": ["Passwort-Manager"]}),
        term("encryption", {"fr": ["chiffrement"], "en": ["encryption"]}),
        term("accessible", {"en": ["accessible"]}),
    ]
)


def found(text: str, language: str) -> list[str]:
    return [f.term.id for f in GLOSSARY.find(text, language)]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Herken PHISHING op tijd.", "nl", ["phishing"]),  # case does not count
        ("Attention à l'hameconnage !", "fr", ["phishing"]),  # nor accents, nor an elided article
        ("De sensoren meten fijn stof.", "nl", ["sensor"]),  # nor endings
        ("Die Sensoren messen Feinstaub.", "de", ["sensor"]),
        ("Download the apps you need.", "en", ["app"]),
        ("This is apparent.", "en", []),  # whole words only
        ("Ze delen open data en data.", "nl", ["open-data", "data"]),  # the longest name first
        ("Maak elke week een backup.", "nl", ["backup"]),  # 'back-up' written as one word
        ("Maak elke week een back-up.", "nl", ["backup"]),
        ("Ein Passwortmanager merkt sich alles.", "de", ["password-manager"]),  # 'Passwort-Manager'
        ("Ein Passwort-Manager merkt sich alles.", "de", ["password-manager"]),
        ("De AVG, ook GDPR genoemd, en nog eens de AVG.", "nl", ["gdpr"]),  # each term once
        ("The app keeps sensor data.", "en", ["app", "sensor", "data"]),  # in the order the text uses them
        ("Le RGPD protège vos données.", "fr", ["gdpr"]),
        ("Le GDPR protège vos données.", "fr", []),  # only the names of the text's language
        ("Die Apps und die App.", "de", ["app"]),  # English endings too: IT words are often English
        ("Ransomware encrypts your files.", "en", ["encryption"]),
        ("Les chiffres du mois.", "fr", []),  # one stem with 'chiffrement', but another word
        ("Access to the network.", "en", []),  # one stem with 'accessible', but another word
    ],
)
def test_a_text_uses_the_terms_whose_names_it_contains(text, language, expected):
    assert found(text, language) == expected


def test_the_name_found_is_the_one_the_text_uses():
    [gdpr] = GLOSSARY.find("Volgens de GDPR mag dat niet.", "nl")
    assert gdpr.name == "GDPR"


def test_what_a_text_uses_is_read_once_per_library():
    glossary = Glossary.of([term("app", {"en": ["app"]})])
    first = glossary.find("An app.", "en")
    assert glossary.find("An app.", "en") is first


@pytest.mark.parametrize(
    ("typed", "language", "term_id", "name"),
    [
        ("phishing", "en", "phishing", "phishing"),
        ("Hameçonnage", "fr", "phishing", "hameçonnage"),
        ("de AVG", "nl", "gdpr", "AVG"),  # with an article
        ("sensoren", "nl", "sensor", "sensor"),  # a plural
        ("AVG", "en", "gdpr", "AVG"),  # a name in another language
        ("DSGVO", "fr", "gdpr", "DSGVO"),
        ("backup", "nl", "backup", "back-up"),
    ],
)
def test_whatis_finds_a_term_by_any_of_its_names(typed, language, term_id, name):
    hit = GLOSSARY.lookup(typed, language)
    assert hit is not None and (hit.term.id, hit.name) == (term_id, name)


@pytest.mark.parametrize("typed", ["", "koffie", "the", "phishing mail"])
def test_whatis_finds_nothing_for_other_words(typed):
    assert GLOSSARY.lookup(typed, "en") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("phising", "phishing"),
        ("sensr", "sensor"),
        ("wachtwoordbeheer", "password-manager"),
        ("hameconage", "phishing"),
    ],
)
def test_a_word_close_to_a_name_is_suggested(typed, expected):
    assert GLOSSARY.closest(typed, "en")[0].id == expected


def test_nothing_is_suggested_for_a_word_like_no_name():
    assert GLOSSARY.closest("koffiezetapparaat", "nl") == []


def test_the_names_are_listed_alphabetically_in_the_learners_language():
    assert GLOSSARY.names("fr")[:4] == ["accessible", "app", "back-up", "chiffrement"]  # else Dutch, English


def _glossary_file(tmp_path: Path, terms: str) -> Path:
    path = tmp_path / "glossary.yaml"
    path.write_text("kind: glossary\nterms:\n" + terms, encoding="utf-8")
    return path


def test_an_explanation_of_more_than_two_sentences_is_a_warning(tmp_path):
    path = _glossary_file(
        tmp_path,
        "  - id: cloud\n    names: {nl: [cloud], en: [cloud]}\n"
        "    explanation:\n      nl: Computers op het internet. Ze bewaren je bestanden. Jij huurt ze.\n"
        "      en: Computers on the internet that keep your files.\n",
    )
    loaded = load_library([path], ("nl", "en"))
    assert [str(p) for p in loaded.problems] == [
        f"{path}:6:11: warning: the explanation of 'cloud' has 3 sentences in 'nl': "
        "explain a term in one or 2 short sentences"
    ]
    assert loaded.library is not None and "cloud" in loaded.library.glossary.terms


def test_a_name_the_term_has_already_is_a_warning_and_a_name_without_letters_an_error(tmp_path):
    path = _glossary_file(
        tmp_path,
        "  - id: sensor\n    names: {nl: [sensor, Sensoren, '--'], en: [sensor]}\n"
        "    explanation: {nl: Een toestel dat iets meet., en: A device that measures something.}\n",
    )
    assert [str(p) for p in load_library([path], ("nl", "en")).problems] == [
        f"{path}:4:26: warning: 'Sensoren' reads the same as 'sensor', a name this term has already "
        "(case, accents, endings and hyphens do not count): remove it",
        f"{path}:4:36: '--' has no letters or digits: a name is a word or a few words",
    ]


def test_a_library_with_a_glossary_knows_its_terms():
    loaded = load_library([WORDS], ("nl", "en"))
    assert loaded.problems == []
    assert loaded.library is not None
    assert sorted(loaded.library.glossary.terms) == ["gdpr", "password-manager", "phishing", "two-step-login"]
