"""One machine for every session: a lesson's cards and quiz, review questions, the placement check.

A session is a delivery row: its kind, its step (cards, quiz, done) and its
position. What differs between kinds (where the questions come from, the
title over a question, what the learner hears at the end) is a
``SessionType``, registered by the flow that starts that kind. What differs
between questions is their type (``lessons.questions``).

Every button names the delivery and the position it belongs to, so a stale or
forged press (an old message, someone else's quiz, garbage) is recognised and
changes nothing, and an answer given twice is counted once.

Help with reading keeps the learner's place: a card with a simpler version
offers "Simpler, please" (or shows that version first, for a learner who chose
"always simpler"), and a card or question that uses words of the glossary
offers "❓ Words"; both answer and then show the same card or question again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo

from lessons.buttons import Button, Position, RowId, on, read
from lessons.chat import Choice, Picture, Reply, Speech
from lessons.flows import help
from lessons.flows.navigation import GoTo, MoreLessons, StartReview
from lessons.glossary import Found, explained
from lessons.i18n import _, ngettext
from lessons.model import Card, CardText, Lesson, Question
from lessons.questions import (
    DONT_KNOW,
    NOT_KNOWN,
    AnswerButton,
    Asking,
    DoneButton,
    Graded,
    Pressed,
    Response,
    TickButton,
    Ticked,
    Typed,
    type_of,
)
from lessons.review import after_answer
from lessons.turn import Turn
from storage.records import Delivery, ReviewCard
from storage.states import SessionKind, Step


@dataclass(frozen=True)
class Asked:
    """One question of a session, with where it comes from: a lesson, or the placement check."""

    source: str  # the lesson id, or "placement"
    topic: str
    question: Question
    lesson: Lesson | None = None  # None for the placement check: it makes no review card

    @classmethod
    def of(cls, lesson: Lesson, question: Question) -> Asked:
        return cls(lesson.id, lesson.topic, question, lesson)

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.question.id


class SessionType:
    """What one kind of session does differently."""

    kind: ClassVar[SessionKind]

    def lesson(self, turn: Turn, delivery: Delivery) -> Lesson | None:
        """The lesson whose cards come before the questions; None for sessions of questions only."""
        return None

    def questions(self, turn: Turn, delivery: Delivery) -> list[Asked] | None:
        """The session's questions, or None when they are gone (the learner has been told)."""
        raise NotImplementedError

    # Every question of this kind offers "I don't know yet" (the placement check);
    # otherwise only a question with nothing to press offers "I don't know".
    always_dont_know: ClassVar[bool] = False

    def title(self, n: int, total: int) -> str:
        return _("Question {n} of {total}", n=n, total=total)

    def finished(self, turn: Turn, delivery: Delivery) -> None:
        """What the learner hears at the end."""
        raise NotImplementedError


_TYPES: dict[SessionKind, SessionType] = {}


def session_type(kind: type[SessionType]) -> type[SessionType]:
    """Register a kind of session (a class decorator in the flow that starts it)."""
    _TYPES[kind.kind] = kind()
    return kind


# --- starting and resuming ------------------------------------------------------------------------


def open_session(turn: Turn) -> Delivery | None:
    """The learner's unfinished session, moved to today if it was started earlier."""
    delivery = turn.tx.deliveries.latest_open(turn.learner.id)
    if delivery is None or delivery.local_date == turn.today:
        return delivery
    # An unfinished session from an earlier day becomes today's, so it counts
    # for today's streak instead of being stranded.
    slot = next_free_slot(turn) if any(d.slot == 0 for d in _today(turn)) else 0
    return turn.tx.deliveries.update(delivery.id, local_date=turn.today, slot=slot)


def _today(turn: Turn) -> list[Delivery]:
    return turn.tx.deliveries.on_day(turn.learner.id, turn.today)


def next_free_slot(turn: Turn) -> int:
    slots = [d.slot for d in _today(turn)]
    return max(slots) + 1 if slots else 0


def start(
    turn: Turn,
    kind: SessionKind,
    *,
    lesson_id: str,
    lesson_version: int,
    topic: str,
    items: str = "",
    slot: int | None = None,
) -> None:
    """Begin a session and show its first card or question."""
    delivery = turn.tx.deliveries.add(
        learner_id=turn.learner.id,
        local_date=turn.today,
        slot=next_free_slot(turn) if slot is None else slot,
        lesson_id=lesson_id,
        lesson_version=lesson_version,
        topic=topic,
        now=turn.now,
        kind=kind,
        items=items,
        step=Step.CARDS if kind is SessionKind.LESSON else Step.QUIZ,
    )
    show(turn, delivery)


def reviews_due_today(turn: Turn) -> list[ReviewCard]:
    end_of_day = datetime.combine(turn.today + timedelta(days=1), time(0), ZoneInfo(turn.learner.timezone))
    return turn.tx.reviews.due(turn.learner.id, end_of_day)


def due_reviews(turn: Turn) -> int:
    """How many review questions today's review would ask."""
    return min(len(reviews_due_today(turn)), turn.rhythm.review_questions)


def after_session_choices(turn: Turn) -> list[Choice]:
    """What a learner can do once the day's session is done: review, see progress, go on."""
    reviews = due_reviews(turn)
    review = (
        [StartReview().choice(ngettext("Repeat {n} question", "Repeat {n} questions", reviews))]
        if reviews
        else []
    )
    return [*review, GoTo("progress").choice(_("My progress")), MoreLessons().choice(_("One more lesson"))]


# --- showing ----------------------------------------------------------------------------------------


def show(turn: Turn, delivery: Delivery) -> None:
    """Show where the learner is in ``delivery``: a card, a question, or the summary."""
    kind = _TYPES[delivery.kind]
    if delivery.step is Step.CARDS:
        lesson = kind.lesson(turn, delivery)
        if lesson is None:
            return
        if delivery.position < len(lesson.cards):
            _show_card(turn, lesson, delivery)
            return
        delivery = turn.tx.deliveries.update(delivery.id, step=Step.QUIZ, position=0)
    questions = kind.questions(turn, delivery)
    if questions is None:
        return
    if delivery.position >= len(questions):
        _finish(turn, delivery)
    else:
        _ask(turn, kind, delivery, questions)


@dataclass(frozen=True)
class NextCard(Button, kind="next"):
    delivery: RowId
    position: Position


@dataclass(frozen=True)
class SimplerCard(Button, kind="simpler"):
    """The card at ``position`` in its simpler version ("Simpler, please")."""

    delivery: RowId
    position: Position


@dataclass(frozen=True)
class WordsButton(Button, kind="words"):
    """What the glossary words on the card or question at ``position`` mean ("❓ Words")."""

    delivery: RowId
    position: Position
    # What the learner was reading: a card, its simpler version, or a question.
    on: Literal["card", "simple", "quiz"]


def _simple(turn: Turn, card: Card, asked: bool | None) -> bool:
    """Whether to show the card's simpler version: asked for, or the learner's setting."""
    return card.simple is not None and (turn.learner.always_simpler if asked is None else asked)


def _version(card: Card, simple: bool) -> CardText:
    """The card's text in its simpler version if ``simple`` and it has one, else its own."""
    return card.simple if simple and card.simple else card.text


def _card_text(turn: Turn, card: Card, simple: bool) -> str:
    return _version(card, simple).get(turn.language)


def _show_card(turn: Turn, lesson: Lesson, delivery: Delivery, simple: bool | None = None) -> None:
    """The card the learner is at; ``simple`` asks for one version, else the learner's setting decides."""
    n, total = delivery.position, len(lesson.cards)
    card = lesson.cards[n]
    shown_simple = _simple(turn, card, simple)
    text = _card_text(turn, card, shown_simple)
    label = _("Start the quiz") if n == total - 1 else _("Next")
    choices = [NextCard(delivery.id, n).choice(label)]
    if card.simple is not None and not shown_simple:
        choices.append(SimplerCard(delivery.id, n).choice(_("Simpler, please")))
    if turn.library.glossary.find(text, turn.language):
        choices.append(
            WordsButton(delivery.id, n, "simple" if shown_simple else "card").choice(_("❓ Words"))
        )
    # Offered only where the bot can speak the card's language: no button that fails.
    if _version(card, shown_simple).language_of(turn.language) in turn.read_aloud:
        version: Literal["card", "simple"] = "simple" if shown_simple else "card"
        choices.append(ReadAloud(delivery.id, n, version).choice(_("🔊 Read it aloud")))
    title = f"{lesson.title.get(turn.language)} ({n + 1}/{total})"
    picture = Picture(card.image.src, card.image.alt.get(turn.language)) if card.image else None
    turn.say(text, choices, title=title, picture=picture)


def _question_words(turn: Turn, question: Question) -> tuple[Found, ...]:
    """The glossary words of a question and of its options: the learner reads both."""
    lang, glossary = turn.language, turn.library.glossary
    texts = [question.question.get(lang), *(o.text.get(lang) for o in getattr(question, "options", []))]
    found: dict[str, Found] = {}
    for text in texts:
        for f in glossary.find(text, lang):
            found.setdefault(f.term.id, f)
    return tuple(found.values())


def _at_card(turn: Turn, delivery_id: int, position: int) -> tuple[Delivery, Lesson] | None:
    """The session and lesson if the learner is at this card; otherwise say where they are."""
    delivery = _own(turn, delivery_id)
    if delivery is None:
        return None
    if delivery.step is not Step.CARDS or delivery.position != position:
        _stale(turn, delivery)
        return None
    lesson = _TYPES[delivery.kind].lesson(turn, delivery)
    if lesson is None:  # the learner has been told
        return None
    if position >= len(lesson.cards):  # a new version of the lesson has fewer cards
        show(turn, delivery)
        return None
    return delivery, lesson


@on(SimplerCard)
def simpler(turn: Turn, press: SimplerCard) -> None:
    found = _at_card(turn, press.delivery, press.position)
    if found is not None:
        _show_card(turn, found[1], found[0], simple=True)


@on(WordsButton)
def words(turn: Turn, press: WordsButton) -> None:
    """Explain the words, then show the same card or question again: the learner keeps their place."""
    if press.on == "quiz":
        asked = _current_question(turn, press.delivery, press.position)
        if asked is None:
            return
        delivery, question = asked
        if found := _question_words(turn, question.question):
            turn.say(explained(found, turn.language), title=_("What the words mean"))
        show(turn, delivery)
        return
    at_card = _at_card(turn, press.delivery, press.position)
    if at_card is None:
        return
    delivery, lesson = at_card
    simple = press.on == "simple"
    text = _card_text(turn, lesson.cards[press.position], simple)
    if found := turn.library.glossary.find(text, turn.language):
        turn.say(explained(found, turn.language), title=_("What the words mean"))
    _show_card(turn, lesson, delivery, simple=simple)


@on(NextCard)
def next_card(turn: Turn, press: NextCard) -> None:
    delivery = _own(turn, press.delivery)
    if delivery is None:
        return
    if delivery.step is not Step.CARDS or delivery.position != press.position:
        _stale(turn, delivery)
        return
    lesson = _TYPES[delivery.kind].lesson(turn, delivery)
    if lesson is None:
        return
    if press.position + 1 < len(lesson.cards):
        delivery = turn.tx.deliveries.update(delivery.id, position=press.position + 1)
    else:
        delivery = turn.tx.deliveries.update(delivery.id, step=Step.QUIZ, position=0)
    show(turn, delivery)


# --- reading a card aloud -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadAloud(Button, kind="aloud"):
    """The card at ``position`` as a voice message; ``text``: the version the learner is reading."""

    delivery: RowId
    position: Position
    text: Literal["card", "simple"]


@on(ReadAloud)
def read_aloud(turn: Turn, press: ReadAloud) -> None:
    """The card read aloud, with the card's own buttons under it: the learner keeps their place."""
    at_card = _at_card(turn, press.delivery, press.position)
    if at_card is None:
        return
    delivery, lesson = at_card
    card = lesson.cards[press.position]
    simple = press.text == "simple" and card.simple is not None
    text = _version(card, simple)
    # A card without this translation is shown in another language: it is read in that one.
    spoken = text.language_of(turn.language)
    if spoken not in turn.read_aloud:
        # The bot lost its voice since the button was shown (a restart without espeak-ng).
        _show_card(turn, lesson, delivery, simple=simple)
        return
    words = text.get(spoken)
    # Under the sound, the buttons of the version being read, so the learner goes on from there.
    said = len(turn.replies)
    _show_card(turn, lesson, delivery, simple=simple)
    shown = turn.replies.pop()
    del turn.replies[said:]
    again = [c for c in shown.choices if not isinstance(read(c.id), ReadAloud)]
    fallback = _("Sorry, I cannot read it aloud right now. Here is the text:") + "\n\n" + words
    version = "simple" if simple else "card"
    turn.say(
        _("🔊 This card, read aloud."),
        again,
        title=shown.title,
        speech=Speech(words, spoken, f"{lesson.id}/{press.position}/v{lesson.version}/{version}", fallback),
    )


def _ask(turn: Turn, kind: SessionType, delivery: Delivery, questions: list[Asked]) -> None:
    question = questions[delivery.position].question
    behaviour = type_of(question)
    text = question.question.get(turn.language)
    if hint := behaviour.hint(question):
        text += "\n" + hint
    asking = Asking(delivery.id, delivery.position, _ticked(delivery), shuffle=f"{delivery.id}/{question.id}")
    choices = behaviour.choices(question, asking, turn.language)
    if kind.always_dont_know:
        choices.append(asking.answer(DONT_KNOW, _("I don't know yet")))
    elif not choices:
        choices.append(asking.answer(DONT_KNOW, _("I don't know")))
    if _question_words(turn, question):
        choices.append(WordsButton(delivery.id, delivery.position, "quiz").choice(_("❓ Words")))
    turn.say(text, choices, title=kind.title(delivery.position + 1, len(questions)), quiz=True)


def shown_now(turn: Turn, delivery: Delivery) -> Reply | None:
    """The message with choices that ``show`` would send for ``delivery``, without sending it."""
    said = len(turn.replies)
    show(turn, delivery)
    shown = turn.replies[said:]
    del turn.replies[said:]
    return next((reply for reply in reversed(shown) if reply.choices), None)


def _ticked(delivery: Delivery) -> frozenset[int]:
    return frozenset(int(i) for i in delivery.selection.split(",") if i)


# --- answering --------------------------------------------------------------------------------------


def _own(turn: Turn, delivery_id: int) -> Delivery | None:
    """The delivery if it is this learner's; otherwise say so and return None."""
    return help.owned(turn, turn.tx.deliveries.get(delivery_id))


def _stale(turn: Turn, delivery: Delivery) -> None:
    if delivery.step.closed:
        turn.say(_("You already finished that lesson. Type /lesson to continue."))
        return
    turn.say(_("That was an earlier question. Here is where you are now:"))
    show(turn, delivery)


def _current_question(turn: Turn, delivery_id: int, position: int) -> tuple[Delivery, Asked] | None:
    """The question a button names, if it is the one being asked; otherwise say why and return None."""
    delivery = _own(turn, delivery_id)
    if delivery is None:
        return None
    kind = _TYPES[delivery.kind]
    if delivery.step is not Step.QUIZ or delivery.position != position:
        answered = {(a.lesson_id, a.question_id) for a in turn.tx.answers.for_delivery(delivery.id)}
        questions = kind.questions(turn, delivery) if delivery.step is not Step.DROPPED else None
        if questions and position < len(questions) and questions[position].key in answered:
            turn.say(_("You already answered that question. Your first answer counts."))
            if not delivery.done:
                show(turn, delivery)
        else:
            _stale(turn, delivery)
        return None
    questions = kind.questions(turn, delivery)
    if questions is None:
        return None
    if position >= len(questions):
        _stale(turn, delivery)
        return None
    return delivery, questions[position]


def _respond(turn: Turn, delivery_id: int, position: int, response: Response) -> None:
    found = _current_question(turn, delivery_id, position)
    if found is None:
        return
    delivery, asked = found
    graded = (
        NOT_KNOWN
        if response == Pressed(DONT_KNOW)
        else type_of(asked.question).grade(asked.question, response, turn.language)
    )
    if graded is None:
        _stale(turn, delivery)
    else:
        _record(turn, delivery, asked, graded)


@on(AnswerButton)
def answer(turn: Turn, press: AnswerButton) -> None:
    _respond(turn, press.delivery, press.position, Pressed(press.value))


@on(TickButton)
def tick(turn: Turn, press: TickButton) -> None:
    found = _current_question(turn, press.delivery, press.position)
    if found is None:
        return
    delivery, asked = found
    if not type_of(asked.question).tickable(asked.question, press.option):
        _stale(turn, delivery)
        return
    ticked = _ticked(delivery) ^ {press.option}
    delivery = turn.tx.deliveries.update(delivery.id, selection=",".join(map(str, sorted(ticked))))
    show(turn, delivery)


@on(DoneButton)
def done(turn: Turn, press: DoneButton) -> None:
    found = _current_question(turn, press.delivery, press.position)
    if found is None:
        return
    delivery, asked = found
    ticked = _ticked(delivery)
    if not ticked and type_of(asked.question).tickable(asked.question, 0):
        turn.say(_("Tick at least one answer first, then press Done."))
        show(turn, delivery)
        return
    # A question without boxes takes no ticks: grading refuses them as a stale press.
    _respond(turn, press.delivery, press.position, Ticked(ticked))


def typed_answer(turn: Turn, text: str) -> bool:
    """Take typed text as the answer to the open question, if it is one that takes typed text."""
    delivery = turn.tx.deliveries.latest_open(turn.learner.id)
    if delivery is None or delivery.step is not Step.QUIZ:
        return False
    questions = _TYPES[delivery.kind].questions(turn, delivery)
    if not questions or delivery.position >= len(questions):
        return False
    asked = questions[delivery.position]
    graded = type_of(asked.question).grade(asked.question, Typed(text), turn.language)
    if graded is None:
        return False
    _record(turn, delivery, asked, graded)
    return True


def _record(turn: Turn, delivery: Delivery, asked: Asked, graded: Graded) -> None:
    question = asked.question
    first = turn.tx.answers.record(
        delivery=delivery,
        lesson_id=asked.source,
        question_id=question.id,
        topic=asked.topic,
        correct=graded.correct,
        response=graded.response,
        choice=graded.choice,
        now=turn.now,
    )
    if not first:
        turn.say(_("You already answered that question. Your first answer counts."))
        return
    if asked.lesson is not None:
        _schedule_review(turn, asked.lesson, question, graded.correct)
    lang = turn.language
    if graded.unknown:
        lines = [_("That is fine: this is what the lessons are for.")]
    else:
        lines = [_("✅ Right!") if graded.correct else _("❌ Not quite.")]
    if graded.spelling is not None:
        lines.append(_("It is written like this: {spelling}", spelling=graded.spelling))
    if not graded.correct:
        lines.append(_("The right answer: {answer}", answer=type_of(question).right_answer(question, lang)))
    lines += graded.reasons
    lines.append(question.explanation.get(lang))
    turn.say("\n".join(lines))
    delivery = turn.tx.deliveries.update(delivery.id, position=delivery.position + 1, selection="")
    show(turn, delivery)


def _schedule_review(turn: Turn, lesson: Lesson, question: Question, correct: bool) -> None:
    card = turn.tx.reviews.get(turn.learner.id, lesson.id, question.id)
    due, state = after_answer(
        card.state if card else None, correct, turn.now, turn.rhythm.retention_for(lesson.topic)
    )
    turn.tx.reviews.save(
        card=card,
        learner_id=turn.learner.id,
        lesson_id=lesson.id,
        question_id=question.id,
        topic=lesson.topic,
        due=due,
        state=state,
    )


# --- finishing --------------------------------------------------------------------------------------


def _finish(turn: Turn, delivery: Delivery) -> None:
    if not delivery.done:
        delivery = turn.tx.deliveries.update(delivery.id, step=Step.DONE, completed_at=turn.now)
    _TYPES[delivery.kind].finished(turn, delivery)


def score_and_streak(turn: Turn, delivery: Delivery) -> list[str]:
    """The summary lines every day's session ends with: the score, and the streak."""
    answers = turn.tx.answers.for_delivery(delivery.id)
    lines = [
        ngettext(
            "You answered {right} of {n} question correctly.",
            "You answered {right} of {n} questions correctly.",
            len(answers),
            right=sum(a.correct for a in answers),
        )
    ]
    current = turn.streak().current
    if current:
        lines.append(
            ngettext("🔥 Streak: {n} lesson day in a row", "🔥 Streak: {n} lesson days in a row", current)
        )
    return lines
