"""A quiz measures knowledge: shuffled options, feedback per option, answers stored by what was chosen."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.memory import MemoryChat
from lessons.engine import Coach
from lessons.loader import load_library
from tests.support.flows import onboard, read_cards

QUIZ = Path(__file__).parents[1] / "fixtures" / "quiz"


@pytest.fixture
def quiz_library():
    loaded = load_library([QUIZ], ("nl", "en"))
    assert loaded.library is not None, [str(p) for p in loaded.problems]
    return loaded.library


@pytest.fixture
def quiz_coach(store, quiz_library, clock, tmp_path) -> Coach:
    return Coach(store, quiz_library, clock, charts=tmp_path / "charts")


def _first_question(coach: Coach, user: str) -> MemoryChat:
    learner = MemoryChat(coach, user, "en")
    onboard(learner)
    learner.command("/lesson")
    read_cards(learner)
    return learner


SHUFFLED = [
    "I click to have a look",
    "I report the e-mail",
    "I forward it to my colleagues",
    "I delete the e-mail",
]


def _labels(chat: MemoryChat) -> list[str]:
    return [c.label for c in chat.choices]


def test_the_order_differs_between_learners_and_the_pinned_option_stays_last(quiz_coach):
    orders = {tuple(_labels(_first_question(quiz_coach, f"learner{n}"))) for n in range(12)}
    assert len(orders) > 1
    for order in orders:
        assert order[-1] == "None of these"
        assert sorted(order[:-1]) == sorted(SHUFFLED)


def test_one_learner_sees_the_same_order_after_a_restart_and_a_reload(store, quiz_coach, clock, tmp_path):
    alice = _first_question(quiz_coach, "alice")
    before = _labels(alice)
    reloaded = load_library([QUIZ], ("nl", "en")).library
    restarted = Coach(store, reloaded, clock, charts=tmp_path / "charts")  # a new process, a fresh library
    again = MemoryChat(restarted, "alice", "en")
    again.command("/lesson")
    assert _labels(again) == before


def test_a_shuffled_answer_is_graded_and_stored_by_the_option_it_is(store, quiz_coach):
    alice = _first_question(quiz_coach, "alice")
    alice.press("I report the e-mail")
    assert "✅ Right!" in alice.text
    assert "Then IT can warn everyone." in alice.text  # the chosen option's why, before the explanation
    assert alice.text.index("Then IT can warn everyone.") < alice.text.index("Reporting helps everyone.")
    with store.transaction() as tx:
        [answer] = tx.answers.all_for(tx.learners.find("memory", "alice").id)
    assert (answer.correct, answer.choice, answer.response) == (True, "1", "I report the e-mail")


def test_a_wrong_option_says_why_it_is_wrong(quiz_coach):
    bob = _first_question(quiz_coach, "bob")
    bob.press("I forward it to my colleagues")
    assert "❌ Not quite." in bob.text
    assert "The right answer: I report the e-mail" in bob.text
    assert "Then the e-mail reaches even more people." in bob.text


def test_ticked_boxes_are_stored_by_identity_and_each_says_why(store, quiz_coach):
    carla = _first_question(quiz_coach, "carla")
    carla.press("I report the e-mail")
    carla.press("Your own name")
    carla.press("Hurry")
    carla.press("Done")
    assert "❌ Not quite." in carla.text
    assert "Real e-mails use your name too." in carla.text
    with store.transaction() as tx:
        answers = tx.answers.all_for(tx.learners.find("memory", "carla").id)
    assert answers[1].choice == "0,2"


@pytest.mark.parametrize(
    ("typed", "praised"),
    [("digital phishing", None), ("Phishing!", None), ("phising", "It is written like this: phishing")],
)
def test_typed_answers_are_read_generously_and_a_typo_gets_the_right_spelling(quiz_coach, typed, praised):
    dave = _first_question(quiz_coach, "dave")
    dave.press("I report the e-mail")
    dave.press("Hurry")
    dave.press("A strange sender")
    dave.press("Done")
    dave.say(typed)
    assert "✅ Right!" in dave.text
    assert (praised in dave.text) if praised else ("written like this" not in dave.text)


@pytest.mark.parametrize(
    ("typed", "right"), [("false", True), ("no", True), ("niet waar", True), ("waar", False)]
)
def test_a_true_or_false_question_takes_typed_words_in_every_language(quiz_coach, typed, right):
    erik = _first_question(quiz_coach, "erik")
    erik.press("I report the e-mail")
    erik.press("Hurry")
    erik.press("A strange sender")
    erik.press("Done")
    erik.say("phishing")
    erik.say(typed)
    assert ("✅ Right!" if right else "❌ Not quite.") in erik.text


def test_true_and_false_keep_their_order(quiz_coach):
    fien = _first_question(quiz_coach, "fien")
    fien.press("I report the e-mail")
    fien.press("Hurry")
    fien.press("Done")
    fien.say("phishing")
    assert _labels(fien) == ["True", "False"]


@pytest.mark.parametrize(("answer", "why_shown"), [("True", True), ("False", False)])
def test_a_true_or_false_answer_says_why_before_the_explanation(quiz_coach, answer, why_shown):
    gina = _first_question(quiz_coach, "gina")
    gina.press("I report the e-mail")
    gina.press("Hurry")
    gina.press("A strange sender")
    gina.press("Done")
    gina.say("phishing")
    gina.press(answer)
    why = "A click can already install something."
    assert (why in gina.text) is why_shown  # only to who answers true, like an option's why
    if why_shown:
        assert gina.text.index(why) < gina.text.index("One click can be enough.")
