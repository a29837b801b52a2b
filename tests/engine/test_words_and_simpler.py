"""Help with reading, as transcripts: "❓ Words", /whatis, "Simpler, please" and "always simpler"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lessons.engine import Coach
from lessons.lesson_library import Library
from lessons.loader import load_library
from tests.support.flows import onboard

WORDS = Path(__file__).parents[1] / "fixtures" / "words"

CARD = "Phishing is a fake e-mail that is after your password."
SIMPLE = "A fake e-mail wants your password. That is called phishing."
PHISHING = "phishing: A fake e-mail or text message that is after your password or money."
TWO_STEP = "two-step login: After your password you confirm once more, for example with your phone."


@pytest.fixture(scope="module")
def fixture_library() -> Library:
    """A lesson whose first card has a simpler version, and a glossary for its words."""
    loaded = load_library([WORDS], ("nl", "en"))
    assert loaded.library is not None, [str(p) for p in loaded.problems]
    return loaded.library


def labels(chat) -> list[str]:
    return [c.label for c in chat.choices]


def test_words_on_a_card_explains_them_and_shows_the_same_card_again(chat):
    alice = chat()
    onboard(alice)
    alice.press("Start today's lesson")
    assert labels(alice) == ["Next", "Simpler, please", "❓ Words"]
    alice.press("Words")
    assert alice.text == (
        f"What the words mean\n{PHISHING}\n\n{TWO_STEP}\n"
        f"Two-step login (1/2)\n{CARD} With two-step login a fraudster cannot get in, "
        "not even when they know your password."
    )
    assert labels(alice) == ["Next", "Simpler, please", "❓ Words"]
    alice.press("Next")
    assert "Two-step login (2/2)" in alice.text
    assert labels(alice) == ["Start the quiz"]  # a card without glossary words offers nothing more


def test_words_on_a_question_explains_them_and_asks_the_same_question_again(chat):
    alice = chat()
    onboard(alice)
    alice.command("/lesson")
    alice.press("Next")
    alice.press("Start the quiz")
    assert labels(alice)[-1] == "❓ Words"
    alice.press("Words")
    assert "What the words mean\nGDPR: The European law that protects personal data." in alice.text
    assert "Question 1 of 2\nWhich law protects your data?" in alice.text
    alice.press("The GDPR")
    assert "✅ Right!" in alice.text
    assert "Question 2 of 2" in alice.text
    assert "❓ Words" not in labels(alice)  # no glossary word in it


def test_an_old_words_button_shows_where_the_learner_is_and_explains_nothing(chat):
    alice = chat()
    onboard(alice)
    alice.command("/lesson")
    old_words = alice.find("Words").id
    alice.press("Next")
    alice.choose(old_words)
    assert "That was an earlier question. Here is where you are now:" in alice.text
    assert "What the words mean" not in alice.text
    assert "Two-step login (2/2)" in alice.text


def test_simpler_please_shows_the_simpler_card_and_the_lesson_goes_on(chat):
    alice = chat()
    onboard(alice)
    alice.command("/lesson")
    alice.press("Simpler, please")
    assert alice.text == f"Two-step login (1/2)\n{SIMPLE} Turn on a second step. Then a thief stays out."
    assert labels(alice) == ["Next", "❓ Words"]
    alice.press("Words")
    assert alice.text.startswith("What the words mean\n" + PHISHING + "\nTwo-step login (1/2)\n" + SIMPLE)
    assert TWO_STEP.split(":")[0] not in alice.text  # the simpler text does not use that word
    alice.press("Next")
    assert "Two-step login (2/2)" in alice.text


def test_always_simpler_shows_the_simpler_card_first_and_mydata_says_so(chat, store):
    alice = chat()
    onboard(alice)
    alice.command("/settings")
    assert "Always simpler texts: off" in alice.text
    alice.press("Simpler texts")
    alice.press("Yes, always simpler")
    assert "Saved. You get the simpler text of a card first, when it has one." in alice.text
    with store.transaction() as tx:
        assert tx.learners.find("memory", "alice").always_simpler is True
    alice.command("/lesson")
    assert SIMPLE in alice.text
    assert labels(alice) == ["Next", "❓ Words"]
    alice.command("/mydata")
    assert "Always simpler texts: on." in alice.text
    [document] = [r.document for r in alice.last if r.document is not None]
    assert json.loads(document.data)["learner"]["always_simpler"] is True
    alice.command("/settings")
    alice.press("Simpler texts")
    alice.press("No, the normal text")
    alice.command("/lesson")
    assert CARD in alice.text and "Simpler, please" in labels(alice)


def test_whatis_explains_a_word_or_a_synonym_in_the_learners_language(chat):
    alice = chat()
    onboard(alice)
    alice.command("/whatis Phishing")
    assert alice.text == "phishing\nA fake e-mail or text message that is after your password or money."
    alice.command("/whatis de AVG")  # the Dutch name, with a Dutch article
    assert alice.text == "AVG (GDPR)\nThe European law that protects personal data."
    alice.command("/whatis MFA")
    assert alice.text.startswith("MFA (two-step login)\nAfter your password you confirm once more")


def test_whatis_suggests_the_closest_words_for_one_it_does_not_know(chat):
    alice = chat()
    onboard(alice)
    alice.command("/whatis phising")
    assert alice.text == "I do not know the word “phising”. Did you mean one of these?"
    assert labels(alice) == ["phishing"]
    alice.press("phishing")
    assert alice.text == "phishing\nA fake e-mail or text message that is after your password or money."
    alice.command("/whatis koffie")
    assert alice.text == (
        "I do not know the word “koffie”.\n\n"
        "I can explain these words: GDPR, password manager, phishing, two-step login"
    )


def test_whatis_works_before_onboarding_and_in_the_middle_of_a_lesson(chat):
    bob = chat("bob", "nl")
    bob.command("/whatis")
    assert bob.text == (
        "Welk woord? Typ bijvoorbeeld: /whatis phishing\n\n"
        "Ik kan deze woorden uitleggen: aanmelden in twee stappen, AVG, phishing, wachtwoordbeheerder"
    )
    alice = chat()
    onboard(alice)
    alice.command("/lesson")
    alice.command("/whatis password manager")
    assert alice.text == "password manager\nAn app that keeps all your passwords safe."
    alice.command("/lesson")
    assert "Two-step login (1/2)" in alice.text  # the learner's place is kept


def test_whatis_with_a_long_text_says_it_does_not_know_it_and_lists_the_words(chat):
    alice = chat()
    alice.command("/whatis " + "phishing " * 500)
    assert alice.text.startswith("I do not know the word “phishing phishing")
    assert "I can explain these words: GDPR" in alice.text


def test_a_suggestion_for_a_term_that_is_gone_says_so(chat):
    alice = chat()
    onboard(alice)
    alice.choose("whatis:no-such-term")
    assert alice.text == "I do not know that word anymore. Type /whatis and a word."


def test_words_in_a_lesson_that_is_gone_says_so_once(chat, store, fixture_library, clock):
    alice = chat()
    onboard(alice)
    alice.command("/lesson")
    words = alice.find("Words").id
    alice.coach = Coach(store, Library(glossary=fixture_library.glossary), clock)
    alice.choose(words)
    assert alice.text.count("no longer available") == 1
    assert "What the words mean" not in alice.text
