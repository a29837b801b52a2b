"""Typed answers read the way a person would, and never more generously than that."""

from __future__ import annotations

import pytest

from lessons.grading import Match, allowed_typos, match, true_or_false


@pytest.mark.parametrize(
    ("accepted", "typed", "language"),
    [
        ("DPO", "de DPO", "nl"),
        ("VPN", "een VPN", "nl"),
        ("rapport", "het rapport", "nl"),
        ("firewall", "the firewall", "en"),
        ("update", "an update", "en"),
        ("inclusion", "l’inclusion", "fr"),  # the curly apostrophe phone keyboards type
        ("inclusion", "l'inclusion", "fr"),
        ("mot de passe", "un mot de passe", "fr"),
        ("Passwort", "das Passwort", "de"),
        ("Sicherung", "eine Sicherung", "de"),
    ],
)
def test_a_leading_article_does_not_count(accepted, typed, language):
    assert match([accepted], typed, language) == Match(accepted, typo=False)


@pytest.mark.parametrize(
    ("accepted", "typed", "language"),
    [
        ("KPI", "KPIs", "en"),
        ("KPI", "KPI's", "nl"),
        ("wachtwoord", "wachtwoorden", "nl"),
        ("update", "updates", "nl"),
        ("password", "passwords", "en"),
        ("mot de passe", "mots de passe", "fr"),
        ("Passwort", "Passwörter", "de"),
        ("back-up", "backup", "nl"),
        ("e-mail", "E-mail", "en"),
        ("hameçonnage", "Hameconnage ", "fr"),
        ("mfa", "MFA!", "en"),
    ],
)
def test_plurals_endings_case_accents_and_punctuation_do_not_count(accepted, typed, language):
    assert match([accepted], typed, language) == Match(accepted, typo=False)


def test_words_the_question_already_shows_may_be_typed_again():
    question = "Vul aan: digitale …"
    assert match(["inclusie"], "digitale inclusie", "nl", question) == Match("inclusie", typo=False)
    assert match(["inclusie"], "digitale inclusie", "nl", "Wat is het?") is None  # not shown: not free


@pytest.mark.parametrize(
    ("accepted", "typed", "expected"),
    [
        ("wifi", "wiff", None),  # 4 letters: no typo allowed
        ("patch", "pacth", None),  # 5 letters, but a swap is 2 edits
        ("patch", "patsh", Match("patch", typo=True)),  # 5 letters: 1 edit
        ("phishing", "phising", Match("phishing", typo=True)),  # 8 letters: 1 edit
        ("phishing", "fisching", None),  # 8 letters: 2 edits is too many
        ("schermafbeelding", "schermafbelding", Match("schermafbeelding", typo=True)),
        ("ransomware", "ransomwear", Match("ransomware", typo=True)),  # 10 letters: 2 edits
        ("ransomware", "randsomwear", None),  # 3 edits
        ("disinformation", "misinformation", None),  # 1 edit, but another word: the first letter counts
        ("inclusion", "exclusion", None),
    ],
)
def test_a_small_typo_is_forgiven_by_the_length_of_the_word(accepted, typed, expected):
    assert match([accepted], typed, "en") == expected


def test_how_many_typos_a_word_may_have():
    assert [allowed_typos(n) for n in (3, 4, 5, 8, 9, 20)] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize(
    ("accepted", "typed"),
    [("phishing", "geen phishing"), ("phishing", "phishing en spam"), ("wachtwoord", "geen wachtwoord")],
)
def test_a_wrong_answer_is_never_accepted_for_containing_a_right_one(accepted, typed):
    assert match([accepted], typed, "nl") is None


def test_the_closest_of_several_accepted_answers_is_the_spelling_shown():
    assert match(["phishing", "hengelen"], "hengellen", "nl") == Match("hengelen", typo=True)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("waar", True), ("Juist", True), ("ja", True), ("Vrai", True), ("richtig", True), ("yes", True),
        ("niet waar", False), ("onjuist", False), ("Nee!", False), ("faux", False), ("falsch", False),
        ("no", False),
        ("misschien", None), ("waar of niet", None),
    ],
)  # fmt: skip
def test_true_and_false_are_understood_in_each_language(typed, said):
    assert true_or_false(typed) is said
