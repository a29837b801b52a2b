"""The placement self-check reorders a learner's path by what they already know."""

from __future__ import annotations

import pytest

from bot.adapters.memory import MemoryChat
from lessons.engine import Coach
from lessons.loader import load_library
from lessons.model import FreeText, MultipleChoice, SingleChoice, TrueFalse
from tests.support.flows import onboard
from tests.support.ticks import local

SHIPPED = load_library().library
A_YEAR_LATER = local(2027, 3, 2)


@pytest.fixture
def shipped_chat(store, clock):
    coach = Coach(store, SHIPPED, clock)
    return lambda user="alice": MemoryChat(coach, user, "en")


def take_check(chat: MemoryChat, knows: set[str]) -> None:
    """Answer every check question: right in the topics the learner knows, wrong elsewhere."""
    for question in SHIPPED.placement.questions:
        assert "Check question" in chat.text, chat.text
        right = question.topic in knows
        if isinstance(question, TrueFalse):
            chat.press("True" if question.answer == right else "False")
        elif isinstance(question, SingleChoice):
            option = next(o for o in question.options if o.correct == right)
            chat.choose(next(c.id for c in chat.choices if c.label == option.text.get("en")))
        elif isinstance(question, MultipleChoice):
            for option in question.options:
                if option.correct == right:
                    chat.press(option.text.get("en"))
            chat.press("Done")
        elif isinstance(question, FreeText):
            chat.say(question.accepted["en"][0] if right else "no idea")


def test_onboarding_offers_the_check_and_it_has_twelve_questions_over_six_topics(shipped_chat):
    alice = shipped_chat()
    onboard(alice)
    assert "A short check first (12 questions)" in [c.label for c in alice.choices]
    alice.press("A short check first")
    assert "It is not an exam" in alice.text
    assert "Check question 1 of 12" in alice.text
    assert {q.topic for q in SHIPPED.placement.questions} == {
        "strategy", "iot", "skills", "participation", "business", "security",
    }  # fmt: skip


def test_acing_security_skips_its_foundation_lessons_first(shipped_chat):
    alice = shipped_chat()
    onboard(alice)
    alice.command("/check")
    take_check(alice, knows={"security"})
    assert "Cyber security: you know the basics, so we start a step further." in alice.text
    assert "Digital skills: we start with the basics." in alice.text
    alice.press("Start today's lesson")
    title = alice.text.split("\n")[0].rsplit(" (1/", 1)[0]
    lesson = next(x for x in SHIPPED.lessons.values() if x.title.get("en") == title)
    assert (lesson.topic, lesson.level) != ("security", "foundation")


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
