"""The placement self-check reorders a learner's path by what they already know."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.adapters.memory import MemoryChat
from lessons.engine import Coach
from lessons.loader import load_library
from lessons.model import LEVELS, MultipleChoice, SingleChoice
from tests.support.flows import onboard
from tests.support.ticks import local

SHIPPED = load_library().library
A_YEAR_LATER = local(2027, 3, 2)


@pytest.fixture
def shipped_chat(store, clock):
    coach = Coach(store, SHIPPED, clock)
    return lambda user="alice": MemoryChat(coach, user, "en")


def take_check(chat: MemoryChat, knows: Mapping[str, str] | set[str], unsure: bool = False) -> None:
    """Answer every check question: right up to the level the learner knows a topic at, and beyond it
    wrong (or, ``unsure``, "I don't know yet"). A set of topics means: every level of those topics."""
    levels = knows if isinstance(knows, Mapping) else dict.fromkeys(knows, "advanced")
    for question in SHIPPED.placement.questions:
        assert "Check question" in chat.text, chat.text
        assert "I don't know yet" in [c.label for c in chat.choices]
        known = levels.get(question.topic)
        right = known is not None and LEVELS.index(question.level) <= LEVELS.index(known)
        if not right and unsure:
            chat.press("I don't know yet")
        elif isinstance(question, SingleChoice):
            option = next(o for o in question.options if o.correct == right)
            chat.choose(next(c.id for c in chat.choices if c.label == option.text.get("en")))
        elif isinstance(question, MultipleChoice):
            for option in question.options:
                if option.correct == right:
                    chat.press(option.text.get("en"))
            chat.press("Done")
        else:
            raise AssertionError(f"the check asks only single and select-all questions: {question.id}")


def test_onboarding_offers_the_check_of_three_levels_in_each_of_six_topics(shipped_chat):
    alice = shipped_chat()
    onboard(alice)
    assert "A short check first (18 questions)" in [c.label for c in alice.choices]
    alice.press("A short check first")
    assert "It is not an exam" in alice.text
    assert "Check question 1 of 18" in alice.text
    # The last answer; "❓ Words" may follow it when the question uses a glossary word.
    assert [c.label for c in alice.choices if c.id.startswith("ans:")][-1] == "I don't know yet"
    asked = sorted((q.topic, q.level) for q in SHIPPED.placement.questions)
    topics = ("strategy", "iot", "skills", "participation", "business", "security")
    assert asked == sorted((t, level) for t in topics for level in LEVELS)


def _first_lesson(chat: MemoryChat):
    chat.press("Start today's lesson")
    title = chat.text.split("\n")[0].rsplit(" (1/", 1)[0]
    return next(x for x in SHIPPED.lessons.values() if x.title.get("en") == title)


def test_acing_security_starts_it_at_the_advanced_lessons(shipped_chat):
    alice = shipped_chat()
    onboard(alice)
    alice.command("/check")
    take_check(alice, knows={"security"})
    assert "Cyber security: you know a lot already, so we start with the advanced lessons." in alice.text
    assert "Digital skills: we start with the basics." in alice.text
    lesson = _first_lesson(alice)
    assert lesson.topic != "security" or lesson.level == "advanced"


def test_the_basics_and_the_intermediate_question_right_start_a_step_further(shipped_chat):
    alice = shipped_chat()
    onboard(alice)
    alice.command("/check")
    take_check(alice, knows={"security": "intermediate"})
    assert "Cyber security: you know the basics, so we start a step further." in alice.text
    lesson = _first_lesson(alice)
    assert (lesson.topic, lesson.level) != ("security", "foundation")


def test_one_right_answer_in_a_topic_is_not_enough_and_not_knowing_is_no_failure(shipped_chat):
    carla = shipped_chat("carla")
    onboard(carla)
    carla.command("/check")
    take_check(carla, knows={"security": "foundation"}, unsure=True)
    assert "❌" not in carla.transcript[-2].text  # "I don't know yet" is never called wrong
    assert "That is fine: this is what the lessons are for." in carla.transcript[-2].text
    assert "Cyber security: we start with the basics." in carla.text


def test_failing_security_starts_with_its_foundation_lesson(shipped_chat):
    bob = shipped_chat("bob")
    onboard(bob)
    bob.command("/check")
    take_check(bob, knows=set())
    assert "Cyber security: we start with the basics." in bob.text
    bob.press("Start today's lesson")
    assert bob.text.startswith("Spot a phishing e-mail (1/")


def test_retaking_the_check_shows_growth_and_check_answers_make_no_review_cards(shipped_chat, store):
    alice = shipped_chat()
    onboard(alice)
    alice.command("/check")
    take_check(alice, knows=set())
    alice.command("/check")
    take_check(alice, knows={"iot", "skills"})
    assert "You have grown since last time in: Digital skills, Smart devices and IoT." in alice.text
    with store.transaction() as tx:
        learner = tx.learners.find("memory", "alice")
        assert (
            tx.reviews.due(learner.id, alice.coach._clock() + __import__("datetime").timedelta(days=400))
            == []
        )
        assert len(tx.placements.history(learner.id)) == 12


def test_check_answers_are_no_quiz_results_in_progress(shipped_chat):
    """Regression: /progress counted the placement check's answers as quiz results."""
    alice = shipped_chat()
    onboard(alice)
    alice.command("/check")
    take_check(alice, knows={"security"})
    alice.command("/progress")
    assert "No lessons done yet" in alice.text
