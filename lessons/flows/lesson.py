"""Today's session: a lesson's cards and quiz, or review questions from earlier lessons.

Every choice id names the delivery and the step it belongs to, so a stale or
forged button (an old message, someone else's quiz, garbage) is recognised and
changes nothing, and an answer given twice is counted once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from lessons.chat import Choice, Picture
from lessons.flows import help, onboarding, placement
from lessons.grading import grade
from lessons.i18n import _, ngettext
from lessons.model import FreeText, Lesson, MultipleChoice, Question, SingleChoice, TrueFalse
from lessons.review import after_answer, choose
from lessons.turn import Turn
from storage.records import Delivery, ReviewCard
from storage.states import SessionKind, Step

DONT_KNOW = "x"


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


def _open_delivery(turn: Turn) -> Delivery | None:
    """The learner's unfinished session, moved to today if it was started earlier."""
    delivery = turn.tx.deliveries.latest_open(turn.learner.id)
    if delivery is None or delivery.local_date == turn.today:
        return delivery
    today = turn.tx.deliveries.on_day(turn.learner.id, turn.today)
    # An unfinished lesson from an earlier day becomes today's, so it counts
    # for today's streak instead of being stranded.
    slot = 0 if not any(d.slot == 0 for d in today) else max(d.slot for d in today) + 1
    return turn.tx.deliveries.update(delivery.id, local_date=turn.today, slot=slot)


def _due_reviews(turn: Turn) -> int:
    return min(len(_reviews_due_today(turn)), turn.rhythm.review_questions)


def _reviews_due_today(turn: Turn) -> list[ReviewCard]:
    end_of_day = datetime.combine(turn.today + timedelta(days=1), time(0), ZoneInfo(turn.learner.timezone))
    return turn.tx.reviews.due(turn.learner.id, end_of_day)


def next_free_slot(turn: Turn) -> int:
    slots = [d.slot for d in turn.tx.deliveries.on_day(turn.learner.id, turn.today)]
    return max(slots) + 1 if slots else 0


def todays_lesson(turn: Turn) -> None:
    """``/lesson``: resume the open session, or start today's, or say today's is done."""
    if not turn.learner.set_up:
        turn.say(_("Let's finish setting up first."))
        onboarding.resume(turn)
        return
    delivery = _open_delivery(turn)
    if delivery is not None:
        show(turn, delivery)
        return
    if any(
        d.done and d.kind != SessionKind.PLACEMENT
        for d in turn.tx.deliveries.on_day(turn.learner.id, turn.today)
    ):
        turn.say(
            _("You have finished today's lesson. Well done! The next one comes on your next lesson day."),
            _after_choices(turn),
        )
        return
    # Usually slot 0; later if today already holds a lesson that was withdrawn.
    _start_new(turn, slot=next_free_slot(turn))


def another_lesson(turn: Turn) -> None:
    """An extra lesson on top of today's, for those who want to go faster."""
    delivery = _open_delivery(turn)
    if delivery is not None:
        show(turn, delivery)
        return
    _start_new(turn, slot=next_free_slot(turn))


def _start_new(turn: Turn, slot: int) -> None:
    lesson = turn.next_lesson()
    if lesson is None:
        if _due_reviews(turn):
            start_review(turn)
            return
        turn.say(_("You have done every lesson there is. Great work! New lessons will follow."))
        return
    delivery = turn.tx.deliveries.add(
        learner_id=turn.learner.id,
        local_date=turn.today,
        slot=slot,
        lesson_id=lesson.id,
        lesson_version=lesson.version,
        topic=lesson.topic,
        now=turn.now,
    )
    show(turn, delivery)


def start_review(turn: Turn) -> None:
    """Up to N questions from earlier lessons that are due today: the most forgotten first."""
    delivery = _open_delivery(turn)
    if delivery is not None:
        show(turn, delivery)
        return
    cards = choose(_reviews_due_today(turn), turn.now, turn.rhythm.review_questions)
    if not cards:
        turn.say(_("Nothing to repeat today. Well done!"))
        return
    delivery = turn.tx.deliveries.add(
        learner_id=turn.learner.id,
        local_date=turn.today,
        slot=next_free_slot(turn),
        lesson_id=SessionKind.REVIEW,
        lesson_version=0,
        topic=SessionKind.REVIEW,
        now=turn.now,
        kind=SessionKind.REVIEW,
        items=";".join(f"{c.lesson_id}/{c.question_id}" for c in cards),
    )
    turn.tx.deliveries.update(delivery.id, step=Step.QUIZ)
    show(turn, turn.tx.deliveries.get(delivery.id) or delivery)


def _lesson_of(turn: Turn, delivery: Delivery) -> Lesson | None:
    lesson = turn.library.lesson(delivery.lesson_id)
    if lesson is None:
        # The lesson was removed from the library: close it without counting
        # it, so the learner simply moves on to the next one.
        turn.tx.deliveries.update(delivery.id, step=Step.DROPPED, completed_at=turn.now)
        turn.say(
            _("The lesson you started is no longer available. Type /lesson for the next one."),
            [Choice("go:lesson", _("Next lesson"))],
        )
    return lesson


def _questions(turn: Turn, delivery: Delivery) -> list[Asked] | None:
    """The questions of a session, or None if its lesson is gone (the learner is told)."""
    if delivery.kind == SessionKind.REVIEW:
        found = []
        for lesson_id, question_id in delivery.review_items:
            lesson = turn.library.lesson(lesson_id)
            question = lesson.question(question_id) if lesson else None
            if lesson is not None and question is not None:
                found.append(Asked.of(lesson, question))
        return found
    if delivery.kind == SessionKind.PLACEMENT:
        check = turn.library.placement
        placed = [check.question(q) for _source, q in delivery.review_items] if check else []
        return [Asked(SessionKind.PLACEMENT, q.topic, q) for q in placed if q is not None]
    lesson = _lesson_of(turn, delivery)
    return None if lesson is None else [Asked.of(lesson, q) for q in lesson.quiz]


def show(turn: Turn, delivery: Delivery) -> None:
    """Show where the learner is in ``delivery``: a card, a question, or the summary."""
    if delivery.kind == SessionKind.LESSON:
        lesson = _lesson_of(turn, delivery)
        if lesson is None:
            return
        if delivery.step == Step.CARDS and delivery.position >= len(lesson.cards):
            delivery = turn.tx.deliveries.update(delivery.id, step=Step.QUIZ, position=0)
        if delivery.step == Step.CARDS:
            _show_card(turn, lesson, delivery)
            return
    questions = _questions(turn, delivery)
    if questions is None:
        return
    if delivery.position >= len(questions):
        _finish(turn, delivery, questions)
    else:
        _ask(turn, delivery, questions)


def _show_card(turn: Turn, lesson: Lesson, delivery: Delivery) -> None:
    n, total = delivery.position, len(lesson.cards)
    card = lesson.cards[n]
    last = n == total - 1
    label = _("Start the quiz") if last else _("Next")
    title = f"{lesson.title.get(turn.language)} ({n + 1}/{total})"
    picture = Picture(card.image.src, card.image.alt.get(turn.language)) if card.image else None
    turn.say(
        card.text.get(turn.language), [Choice(f"next:{delivery.id}:{n}", label)], title=title, picture=picture
    )


def next_card(turn: Turn, delivery_id: int, position: int) -> None:
    delivery = _own(turn, delivery_id)
    if delivery is None:
        return
    if delivery.kind != SessionKind.LESSON or delivery.step != Step.CARDS or delivery.position != position:
        _stale(turn, delivery)
        return
    lesson = _lesson_of(turn, delivery)
    if lesson is None:
        return
    if position + 1 < len(lesson.cards):
        delivery = turn.tx.deliveries.update(delivery.id, position=position + 1)
    else:
        delivery = turn.tx.deliveries.update(delivery.id, step=Step.QUIZ, position=0)
    show(turn, delivery)


def _question_choices(turn: Turn, question: Question, delivery: Delivery) -> list[Choice]:
    prefix = f"{delivery.id}:{delivery.position}"
    lang = turn.language
    if isinstance(question, SingleChoice):
        return [Choice(f"ans:{prefix}:{i}", o.text.get(lang)) for i, o in enumerate(question.options)]
    if isinstance(question, TrueFalse):
        return [Choice(f"ans:{prefix}:1", _("True")), Choice(f"ans:{prefix}:0", _("False"))]
    if isinstance(question, MultipleChoice):
        ticked = _selection(delivery)
        boxes = [
            Choice(f"tick:{prefix}:{i}", ("☑ " if i in ticked else "☐ ") + o.text.get(lang))
            for i, o in enumerate(question.options)
        ]
        return [*boxes, Choice(f"done:{prefix}", _("Done"))]
    return [Choice(f"ans:{prefix}:{DONT_KNOW}", _("I don't know"))]


def _ask(turn: Turn, delivery: Delivery, questions: list[Asked]) -> None:
    question = questions[delivery.position].question
    text = question.question.get(turn.language)
    if isinstance(question, MultipleChoice):
        text += "\n" + _("Tick every right answer, then press Done.")
    elif isinstance(question, FreeText):
        text += "\n" + _("Type your answer.")
    n, total = delivery.position + 1, len(questions)
    titles = {
        SessionKind.REVIEW: _("Review question {n} of {total}", n=n, total=total),
        SessionKind.PLACEMENT: _("Check question {n} of {total}", n=n, total=total),
    }
    title = titles.get(delivery.kind, _("Question {n} of {total}", n=n, total=total))
    turn.say(text, _question_choices(turn, question, delivery), title=title)


def _selection(delivery: Delivery) -> set[int]:
    return {int(i) for i in delivery.selection.split(",") if i}


def _own(turn: Turn, delivery_id: int) -> Delivery | None:
    """The delivery if it is this learner's; otherwise say so and return None."""
    return help.owned(turn, turn.tx.deliveries.get(delivery_id))


def _stale(turn: Turn, delivery: Delivery) -> None:
    if delivery.step in (Step.DONE, Step.DROPPED):
        turn.say(_("You already finished that lesson. Type /lesson to continue."))
        return
    turn.say(_("That was an earlier question. Here is where you are now:"))
    show(turn, delivery)


def _current_question(turn: Turn, delivery_id: int, position: int) -> tuple[Delivery, Asked] | None:
    delivery = _own(turn, delivery_id)
    if delivery is None:
        return None
    if delivery.step != Step.QUIZ or delivery.position != position:
        answered = {(a.lesson_id, a.question_id) for a in turn.tx.answers.for_delivery(delivery.id)}
        questions = _questions(turn, delivery) if delivery.step != Step.DROPPED else None
        if questions and position < len(questions) and questions[position].key in answered:
            turn.say(_("You already answered that question. Your first answer counts."))
            if not delivery.done:
                show(turn, delivery)
        else:
            _stale(turn, delivery)
        return None
    questions = _questions(turn, delivery)
    if questions is None:
        return None
    if position >= len(questions):
        _stale(turn, delivery)
        return None
    return delivery, questions[position]


def answer(turn: Turn, delivery_id: int, position: int, value: str) -> None:
    """A button answer: an option index, 1/0 for true/false, or 'x' for I don't know."""
    found = _current_question(turn, delivery_id, position)
    if found is None:
        return
    delivery, asked = found
    question = asked.question
    if value == DONT_KNOW:
        _record(turn, delivery, asked, correct=False, response="")
    elif isinstance(question, TrueFalse) and value in ("0", "1"):
        _record(turn, delivery, asked, *grade(question, value == "1", turn.language))
    elif isinstance(question, SingleChoice) and value.isdigit() and int(value) < len(question.options):
        _record(turn, delivery, asked, *grade(question, int(value), turn.language))
    else:
        _stale(turn, delivery)


def tick(turn: Turn, delivery_id: int, position: int, option: int) -> None:
    found = _current_question(turn, delivery_id, position)
    if found is None:
        return
    delivery, asked = found
    if not isinstance(asked.question, MultipleChoice) or option >= len(asked.question.options):
        _stale(turn, delivery)
        return
    ticked = _selection(delivery) ^ {option}
    delivery = turn.tx.deliveries.update(delivery.id, selection=",".join(map(str, sorted(ticked))))
    show(turn, delivery)


def submit_ticks(turn: Turn, delivery_id: int, position: int) -> None:
    found = _current_question(turn, delivery_id, position)
    if found is None:
        return
    delivery, asked = found
    if not isinstance(asked.question, MultipleChoice):
        _stale(turn, delivery)
        return
    ticked = _selection(delivery)
    if not ticked:
        turn.say(_("Tick at least one answer first, then press Done."))
        show(turn, delivery)
        return
    _record(turn, delivery, asked, *grade(asked.question, ticked, turn.language))


def typed_answer(turn: Turn, text: str) -> bool:
    """Take typed text as the answer to an open free-text question, if there is one."""
    delivery = turn.tx.deliveries.latest_open(turn.learner.id)
    if delivery is None or delivery.step != Step.QUIZ:
        return False
    questions = _questions(turn, delivery)
    if not questions or delivery.position >= len(questions):
        return False
    asked = questions[delivery.position]
    if not isinstance(asked.question, FreeText):
        return False
    _record(turn, delivery, asked, *grade(asked.question, text, turn.language))
    return True


def _record(turn: Turn, delivery: Delivery, asked: Asked, correct: bool, response: str) -> None:
    question = asked.question
    first = turn.tx.answers.record(
        delivery=delivery,
        lesson_id=asked.source,
        question_id=question.id,
        topic=asked.topic,
        correct=correct,
        response=response,
        now=turn.now,
    )
    if not first:
        turn.say(_("You already answered that question. Your first answer counts."))
        return
    if asked.lesson is not None:
        _schedule_review(turn, asked.lesson, question, correct)
    lang = turn.language
    lines = [_("✅ Right!") if correct else _("❌ Not quite.")]
    if not correct:
        lines.append(_("The right answer: {answer}", answer=right_answer(question, lang)))
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
        learner_id=turn.learner.id,
        lesson_id=lesson.id,
        question_id=question.id,
        topic=lesson.topic,
        due=due,
        state=state,
    )


def right_answer(question: Question, language: str) -> str:
    if isinstance(question, TrueFalse):
        return _("True") if question.answer else _("False")
    if isinstance(question, (SingleChoice, MultipleChoice)):
        return "; ".join(o.text.get(language) for o in question.options if o.correct)
    accepted = question.accepted.get(language) or next(iter(question.accepted.values()), [])  # type: ignore[call-overload]
    return accepted[0] if accepted else ""


def _after_choices(turn: Turn) -> list[Choice]:
    """What a learner can do once the day's session is done: review, see progress, go on."""
    reviews = _due_reviews(turn)
    review = (
        [Choice("review:start", ngettext("Repeat {n} question", "Repeat {n} questions", reviews))]
        if reviews
        else []
    )
    return [*review, Choice("go:progress", _("My progress")), Choice("more:lesson", _("One more lesson"))]


def _finish(turn: Turn, delivery: Delivery, questions: list[Asked]) -> None:
    if not delivery.done:
        delivery = turn.tx.deliveries.update(delivery.id, step=Step.DONE, completed_at=turn.now)
    answers = turn.tx.answers.for_delivery(delivery.id)
    right = sum(a.correct for a in answers)
    score = ngettext(
        "You answered {right} of {n} question correctly.",
        "You answered {right} of {n} questions correctly.",
        len(answers),
        right=right,
    )
    if delivery.kind == SessionKind.PLACEMENT:
        placement.results(turn, delivery)
        return
    if delivery.kind == SessionKind.REVIEW:
        lines = [_("Review finished."), score]
    else:
        lesson = turn.library.lesson(delivery.lesson_id)
        title = lesson.title.get(turn.language) if lesson else delivery.lesson_id
        lines = [_("Lesson finished: {title}", title=title), score]
    current = turn.streak().current
    if current:
        lines.append(
            ngettext("🔥 Streak: {n} lesson day in a row", "🔥 Streak: {n} lesson days in a row", current)
        )
    lesson = turn.library.lesson(delivery.lesson_id) if delivery.kind == SessionKind.LESSON else None
    if lesson is not None and lesson.try_today:
        lines.append(_("💡 Try this today: {action}", action=lesson.try_today.get(turn.language)))
    turn.say("\n".join(lines), _after_choices(turn))
