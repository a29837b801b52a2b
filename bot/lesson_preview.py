"""``digicoach lessons preview``: a lesson as a learner sees it, quiz feedback included.

The lesson runs through the real coach on a throw-away database, twice: one
learner answers every question right and another answers every question
wrong, so the admin reads both kinds of feedback. The replies are rendered by
the console adapter, so the preview looks exactly like ``digicoach chat``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.adapters.console import render
from bot.adapters.memory import MemoryChat
from lessons.chat import Choice, Reply
from lessons.engine import Coach
from lessons.lesson_library import Library
from lessons.model import FreeText, Lesson, MultipleChoice, Question, SingleChoice, TrueFalse, iter_texts
from storage.states import Stage
from storage.unit_of_work import Store

PLATFORM = "preview"
# A Monday morning: a lesson day for every learner, so the preview is the same
# whichever day the admin runs it.
MONDAY_MORNING = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _monday_morning() -> datetime:
    return MONDAY_MORNING


@dataclass(frozen=True)
class Answered:
    """What a learner gave for one question, and the coach's feedback."""

    given: str
    feedback: Reply


@dataclass(frozen=True)
class Walkthrough:
    """Everything one learner saw, from the first card to the closing summary."""

    cards: list[Reply]
    questions: list[Reply]
    answers: list[Answered]
    summary: Reply


def _unticked(label: str) -> str:
    return label.removeprefix("☐ ").removeprefix("☑ ")


def _answer(chat: MemoryChat, question: Question, language: str, right: bool) -> tuple[str, list[Reply]]:
    """Answer the question on screen right or wrong, the way a learner would."""
    choices = chat.choices
    if isinstance(question, TrueFalse):
        choice = choices[0 if question.answer == right else 1]
        return choice.label, chat.choose(choice.id)
    if isinstance(question, SingleChoice):
        choice = choices[next(i for i, o in enumerate(question.options) if o.correct == right)]
        return choice.label, chat.choose(choice.id)
    if isinstance(question, MultipleChoice):
        correct = [i for i, o in enumerate(question.options) if o.correct]
        wrong = [i for i, o in enumerate(question.options) if not o.correct]
        # When every option is right, ticking only the first one is a wrong answer.
        ticks = correct if right else wrong[:1] or correct[:1]
        for i in ticks:
            chat.choose(chat.choices[i].id)
        labels = [_unticked(chat.choices[i].label) for i in ticks]
        return "; ".join(labels), chat.choose(chat.choices[-1].id)
    assert isinstance(question, FreeText)
    if right:
        accepted = question.accepted.get(language) or [a for lst in question.accepted.values() for a in lst]  # type: ignore[call-overload]
        return accepted[0], chat.say(accepted[0])
    dont_know: Choice = choices[-1]
    return dont_know.label, chat.choose(dont_know.id)


def _walk(coach: Coach, store: Store, lesson: Lesson, language: str, right: bool) -> Walkthrough:
    user = "right" if right else "wrong"
    with store.transaction() as tx:
        learner = tx.learners.add(
            platform=PLATFORM,
            platform_user_id=user,
            chat_id=f"chat-{user}",
            display_name=None,
            locale=language,
            now=MONDAY_MORNING,
        )
        tx.learners.update(learner.id, stage=Stage.READY)
    chat = MemoryChat(coach, user, language, platform=PLATFORM)
    replies = chat.command("/lesson")
    cards: list[Reply] = []
    while replies[-1].choices and replies[-1].choices[0].id.startswith("next:"):
        cards.append(replies[-1])
        replies = chat.choose(replies[-1].choices[0].id)
    questions: list[Reply] = []
    answers: list[Answered] = []
    for question in lesson.quiz:
        questions.append(replies[-1])
        given, replies = _answer(chat, question, language, right)
        answers.append(Answered(given, replies[0]))
    return Walkthrough(cards, questions, answers, replies[-1])


def walk_through(lesson: Lesson, language: str) -> tuple[Walkthrough, Walkthrough]:
    """The lesson as a learner who knows every answer and one who knows none sees it."""
    with tempfile.TemporaryDirectory(prefix="digicoach-preview-") as folder:
        store = Store(f"sqlite:///{Path(folder) / 'preview.sqlite3'}")
        try:
            store.upgrade()
            coach = Coach(store, Library(lessons={lesson.id: lesson}), _monday_morning)
            return _walk(coach, store, lesson, language, True), _walk(coach, store, lesson, language, False)
        finally:
            store.close()


def preview(lesson: Lesson, language: str) -> str:
    """The preview as text: cards, each question with both feedbacks, the summary."""
    right, wrong = walk_through(lesson, language)
    missing = sum(1 for _path, text in iter_texts(lesson) if language not in text.languages)
    parts = [f"Preview of '{lesson.id}' (version {lesson.version}) in '{language}', as a learner sees it:"]
    if missing:
        parts[0] += (
            f"\n(note: {missing} text(s) have no '{language}' version; "
            "the learner reads another language there)"
        )
    parts += [render(card) for card in right.cards]
    for question, good, bad in zip(right.questions, right.answers, wrong.answers, strict=True):
        parts.append(render(question))
        parts.append(f"(if the learner answers right: {good.given})\n{render(good.feedback)}")
        parts.append(f"(if the learner answers wrong: {bad.given})\n{render(bad.feedback)}")
    parts.append(render(right.summary))
    return "\n\n".join(parts)
