"""Read it aloud, as the learner sees it: the button under a card, the card spoken, their place kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.memory import MemoryChat
from lessons.chat import Address, Choice, Reply, Speech, decode, encode
from lessons.engine import Coach
from lessons.lesson_library import Library
from lessons.loader import load_library
from tests.support.flows import onboard

EVERY_LANGUAGE = frozenset({"nl", "en", "fr", "de"})


@pytest.fixture
def speaking(store, fixture_library, clock, tmp_path):
    """A coach that can read aloud in ``languages`` (as the app makes it when espeak-ng is there)."""

    def make(user: str = "alice", language: str | None = "en", languages=EVERY_LANGUAGE) -> MemoryChat:
        coach = Coach(store, fixture_library, clock, charts=tmp_path / "charts", read_aloud=languages)
        return MemoryChat(coach, user, language)

    return make


def test_a_card_is_read_aloud_and_the_learner_goes_on_from_the_voice_message(speaking):
    alice = speaking()
    onboard(alice)
    alice.press("Start today's lesson")
    assert [c.label for c in alice.choices] == ["Next", "🔊 Read it aloud"]

    (voice,) = alice.press("Read it aloud")
    assert voice.speech is not None
    assert voice.speech.text == "A long sentence is a strong password."
    assert voice.speech.language == "en"
    assert voice.speech.key == "passwords/0/v1/card"
    assert voice.speech.audio is None  # the bot makes the sound when it sends the reply
    assert voice.speech.fallback.endswith("Here is the text:\n\nA long sentence is a strong password.")
    assert voice.title == "Strong passwords (1/2)"
    assert voice.text == "🔊 This card, read aloud."
    # Under the sound, the card's own way on: no second "Read it aloud".
    assert [c.label for c in voice.choices] == ["Next"]

    alice.press("Next")
    assert "Strong passwords (2/2)" in alice.text
    assert "Never use the same password twice." in alice.text


def test_a_dutch_learner_hears_the_dutch_card(speaking):
    nele = speaking("nele", "nl")
    onboard(nele, "Nederlands", "09:30")
    nele.press("Start de les van vandaag")
    (voice,) = nele.press("Voorlezen")
    assert voice.speech == Speech(
        "Een lange zin is een sterk wachtwoord.",
        "nl",
        "passwords/0/v1/card",
        "Sorry, ik kan dit nu niet voorlezen. Hier is de tekst:\n\nEen lange zin is een sterk wachtwoord.",
    )
    assert voice.text == "🔊 Deze kaart, voorgelezen."


def test_without_a_voice_the_button_is_not_offered(speaking):
    alice = speaking(languages=frozenset())
    onboard(alice)
    alice.press("Start today's lesson")
    assert [c.label for c in alice.choices] == ["Next"]


def test_a_card_shown_in_another_language_is_read_in_that_one(speaking):
    # The fixture lessons have no French: Saïd reads (and hears) the Dutch card.
    said = speaking("said", "fr", languages=frozenset({"nl"}))
    onboard(said, "Français", "09:30")
    said.command("/lesson")
    assert "Een lange zin is een sterk wachtwoord." in said.text
    (voice,) = said.press("Lire à voix haute")
    assert voice.speech is not None
    assert (voice.speech.language, voice.speech.text) == ("nl", "Een lange zin is een sterk wachtwoord.")
    assert voice.speech.fallback.startswith("Désolé")  # the note in his language, the text as shown

    # No English voice: an English learner gets no button for the English card.
    alice = speaking("alice", "en", languages=frozenset({"nl"}))
    onboard(alice)
    alice.command("/lesson")
    assert [c.label for c in alice.choices] == ["Next"]


def test_an_old_read_aloud_button_shows_where_the_learner_is(speaking):
    alice = speaking()
    onboard(alice)
    alice.command("/lesson")
    first = alice.find("Read it aloud")
    alice.press("Next")
    replies = alice.choose(first.id)
    assert all(r.speech is None for r in replies)
    assert "Here is where you are now" in alice.text
    assert "Strong passwords (2/2)" in alice.text


def test_a_press_after_the_voice_was_lost_shows_the_card_again(store, fixture_library, clock, tmp_path):
    voiced = Coach(store, fixture_library, clock, charts=tmp_path / "charts", read_aloud=EVERY_LANGUAGE)
    alice = MemoryChat(voiced, "alice", "en")
    onboard(alice)
    alice.command("/lesson")
    button = alice.find("Read it aloud")
    # Restarted on a machine without espeak-ng: the button shown before cannot be honoured.
    alice.coach = Coach(store, fixture_library, clock, charts=tmp_path / "charts")
    replies = alice.choose(button.id)
    assert [r.speech for r in replies] == [None]
    assert "Strong passwords (1/2)" in alice.text
    assert [c.label for c in alice.choices] == ["Next"]


def test_speech_survives_the_outbox():
    to = Address("telegram", "42")
    reply = Reply(
        to,
        "🔊 This card, read aloud.",
        "Strong passwords (1/2)",
        (Choice("next:1:0", "Next"),),
        speech=Speech("Zeg “hallo” – ça va?", "fr", "passwords/0/v1/card", "Sorry …\n\nZeg “hallo”"),
    )
    assert decode(to, encode(reply)) == reply
    plain = Reply(to, "Hello")
    assert decode(to, encode(plain)) == plain


WORDS = Path(__file__).parents[1] / "fixtures" / "words"
CARD = "Phishing is a fake e-mail that is after your password."
SIMPLE = (
    "A fake e-mail wants your password. That is called phishing. "
    "Turn on a second step. Then a thief stays out."
)


@pytest.fixture(scope="module")
def words_library() -> Library:
    """A lesson whose first card has a simpler version, and a glossary for its words."""
    loaded = load_library([WORDS], ("nl", "en"))
    assert loaded.library is not None, [str(p) for p in loaded.problems]
    return loaded.library


@pytest.fixture
def reading(store, words_library, clock, tmp_path) -> MemoryChat:
    coach = Coach(store, words_library, clock, charts=tmp_path / "charts", read_aloud=EVERY_LANGUAGE)
    return MemoryChat(coach, "alice", "en")


def test_read_aloud_comes_with_the_cards_other_choices_and_reads_the_simpler_text_once_asked(reading):
    alice = reading
    onboard(alice)
    alice.press("Start today's lesson")
    assert [c.label for c in alice.choices] == ["Next", "Simpler, please", "❓ Words", "🔊 Read it aloud"]
    (voice,) = alice.press("Read it aloud")
    assert voice.speech is not None and voice.speech.text.startswith(CARD)
    assert voice.speech.key == "two-step/0/v1/card"
    assert [c.label for c in voice.choices] == ["Next", "Simpler, please", "❓ Words"]

    alice.press("Simpler, please")
    assert SIMPLE in alice.text
    (voice,) = alice.press("Read it aloud")
    assert voice.speech is not None
    assert (voice.speech.text, voice.speech.key) == (SIMPLE, "two-step/0/v1/simple")
    # Under the simpler card's sound, the simpler card's choices: the learner stays in that version.
    assert [c.label for c in voice.choices] == ["Next", "❓ Words"]
    alice.press("Words")
    assert "phishing:" in alice.text and SIMPLE in alice.text
    alice.press("Next")
    assert "Two-step login (2/2)" in alice.text


def test_with_always_simpler_the_simpler_text_is_read(reading):
    alice = reading
    onboard(alice)
    alice.command("/settings")
    alice.press("Simpler texts")
    alice.press("Yes, always simpler")
    alice.command("/lesson")
    assert [c.label for c in alice.choices] == ["Next", "❓ Words", "🔊 Read it aloud"]
    (voice,) = alice.press("Read it aloud")
    assert voice.speech is not None and voice.speech.text == SIMPLE
