"""``digicoach lessons preview``: a lesson as a learner sees it, quiz feedback included.

The lesson runs through the real coach on a throw-away database, twice: one
learner answers every question right and another answers every question
wrong, so the admin reads both kinds of feedback. The replies are rendered by
the console adapter, so the preview looks exactly like ``digicoach chat``.
What "❓ Words" and "Simpler, please" show is printed under the card or
question that offers them (with the library's glossary).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.adapters.console import render
from bot.adapters.memory import MemoryChat
from lessons.chat import Reply
from lessons.engine import Coach
from lessons.glossary import Glossary
from lessons.i18n import _, use_locale
from lessons.lesson_library import Library
from lessons.model import Lesson, Question, iter_texts
from lessons.questions import Type, type_of
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
    # Per card, then per question: what "❓ Words" and "Simpler, please" showed there.
    card_help: list[list[Reply]]
    question_help: list[list[Reply]]


# The buttons that help with reading, by the kind their choice id starts with; the
# first reply each one causes is what the learner reads (then their place is shown again).
HELP_KINDS = ("words:", "simpler:")


def _help_with_reading(chat: MemoryChat, shown: Reply) -> list[Reply]:
    """Press each reading-help button of ``shown``; what each showed. The learner's place stays."""
    pressed = [c for c in shown.choices if c.id.startswith(HELP_KINDS)]
    return [chat.choose(choice.id)[0] for choice in pressed]


def _answer(chat: MemoryChat, question: Question, language: str, right: bool) -> tuple[str, list[Reply]]:
    """Answer the question on screen right or wrong, as a learner would; what they gave, and the replies."""
    with use_locale(language):
        steps = type_of(question).walkthrough(question, right, language)
        done = _("Done")
    given: list[str] = []
    replies: list[Reply] = []
    for step in steps:
        if isinstance(step, Type):
            given.append(step.text)
            replies = chat.say(step.text)
            continue
        choice = next(c for c in chat.choices if c.label == step.label)
        if choice.label != done:
            given.append(choice.label)
        replies = chat.choose(choice.id)
    return "; ".join(given), replies


def walk(
    coach: Coach, store: Store, lesson: Lesson, language: str, right: bool, user: str | None = None
) -> Walkthrough:
    """One new learner (``user``, else "right" or "wrong") takes ``lesson`` through ``coach``."""
    user = user or ("right" if right else "wrong")
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
    card_help: list[list[Reply]] = []
    while replies[-1].choices and replies[-1].choices[0].id.startswith("next:"):
        cards.append(replies[-1])
        card_help.append(_help_with_reading(chat, replies[-1]))
        replies = chat.choose(replies[-1].choices[0].id)
    questions: list[Reply] = []
    question_help: list[list[Reply]] = []
    answers: list[Answered] = []
    for question in lesson.quiz:
        questions.append(replies[-1])
        question_help.append(_help_with_reading(chat, replies[-1]))
        given, replies = _answer(chat, question, language, right)
        answers.append(Answered(given, replies[0]))
    return Walkthrough(cards, questions, answers, replies[-1], card_help, question_help)


def walk_through(
    lesson: Lesson,
    language: str,
    glossary: Glossary | None = None,
    read_aloud: frozenset[str] = frozenset(),
) -> tuple[Walkthrough, Walkthrough]:
    """The lesson as a learner who knows every answer and one who knows none sees it.

    ``read_aloud``: the languages this machine reads cards aloud in, so the
    cards show the button exactly where ``digicoach chat`` shows it.
    """
    with tempfile.TemporaryDirectory(prefix="digicoach-preview-") as folder:
        store = Store(f"sqlite:///{Path(folder) / 'preview.sqlite3'}")
        try:
            store.upgrade()
            library = Library(lessons={lesson.id: lesson}, glossary=glossary or Glossary())
            coach = Coach(store, library, _monday_morning, read_aloud=read_aloud)
            return walk(coach, store, lesson, language, True), walk(coach, store, lesson, language, False)
        finally:
            store.close()


def preview(
    lesson: Lesson, language: str, glossary: Glossary | None = None, read_aloud: frozenset[str] = frozenset()
) -> str:
    """The preview as text: cards, each question with both feedbacks, the summary."""
    right, wrong = walk_through(lesson, language, glossary, read_aloud)
    missing = sum(1 for _path, text in iter_texts(lesson) if language not in text.languages)
    parts = [f"Preview of '{lesson.id}' (version {lesson.version}) in '{language}', as a learner sees it:"]
    if missing:
        parts[0] += (
            f"\n(note: {missing} text(s) have no '{language}' version; "
            "the learner reads another language there)"
        )
    for card, shown in zip(right.cards, right.card_help, strict=True):
        parts += [render(card), *(_helped(reply) for reply in shown)]
    for question, shown, good, bad in zip(
        right.questions, right.question_help, right.answers, wrong.answers, strict=True
    ):
        parts += [render(question), *(_helped(reply) for reply in shown)]
        parts.append(f"(if the learner answers right: {good.given})\n{render(good.feedback)}")
        parts.append(f"(if the learner answers wrong: {bad.given})\n{render(bad.feedback)}")
    parts.append(render(right.summary))
    return "\n\n".join(parts)


def _helped(reply: Reply) -> str:
    """What a reading-help button showed, marked so it is not read as the next step."""
    return "\n".join(f"  | {line}".rstrip() for line in render(reply).split("\n"))
