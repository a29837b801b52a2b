"""Every message the renderers make of the shipped library, in four languages, fits its platform.

Each lesson is taken by a learner who answers everything right and one who
answers everything wrong, in each language, through the real coach: every
card, question, feedback and closing summary is rendered for Telegram (each
Bot API call's text or caption, measured in UTF-16 units after Telegram's
HTML parse, and the pressed question edited to show its feedback) and for
Matrix (each event, the feedback leading the next question as the adapter
sends them, measured as the homeserver stores it, with and without
encryption). So are ``/mydata`` after 48 lessons and the hostile strings of
issue 16. The largest of each is printed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest

from bot.adapters.matrix import render as matrix
from bot.adapters.memory import MemoryChat
from bot.adapters.telegram import render as telegram
from bot.lesson_preview import MONDAY_MORNING, Walkthrough, walk
from lessons.chat import Address, Choice, Picture, Reply
from lessons.engine import Coach
from lessons.lesson_library import Library
from lessons.loader import load_library
from lessons.model import LANGUAGES
from storage.states import Stage
from storage.unit_of_work import Store
from tests.support.history import give_history
from tests.support.limits import (
    MATRIX_EVENT_LIMIT,
    matrix_event_bytes,
    telegram_fits,
    telegram_length,
)

TELEGRAM = Address("telegram", "1001")
MATRIX = Address("matrix", "!room:localhost")
# Below the homeserver's 65,536: a margin for envelopes larger than the one measured.
MATRIX_MARGIN = 60_000

HOSTILE = [
    Reply(TELEGRAM, "😀" * 3000),
    Reply(TELEGRAM, "😀" * 12_000, title="😀" * 100),
    Reply(TELEGRAM, "&" * 5000),
    Reply(TELEGRAM, "<b>&amp;</b>" * 4000, title="Markup & more"),
    Reply(TELEGRAM, "x", title="A long title & more " * 300),
    Reply(TELEGRAM, "word " * 30_000),
    Reply(TELEGRAM, ("ë" * 99 + "\n") * 700, notify=True),
    Reply(TELEGRAM, "😀" * 3000, choices=(Choice("ans:1:0:0", "Yes"), Choice("ans:1:0:1", "No")), quiz=True),
    Reply(TELEGRAM, "&" * 2000, title="Card", picture=Picture("https://example.org/p.png", "A fake mail")),
    Reply(TELEGRAM, "😀" * 600, title="Card", picture=Picture("images/gone.png", "&" * 250)),
]


@pytest.fixture(scope="module")
def library() -> Library:
    loaded = load_library(required_languages=LANGUAGES).library
    assert loaded is not None
    return loaded


@pytest.fixture(scope="module")
def walkthroughs(library: Library) -> list[Walkthrough]:
    """Every lesson, in every language, answered right and answered wrong."""
    store = Store("sqlite://")
    store.upgrade()
    found = []
    try:
        for lesson in library.lessons.values():
            coach = Coach(store, Library(lessons={lesson.id: lesson}), lambda: MONDAY_MORNING)
            for language in LANGUAGES:
                for right in (True, False):
                    user = f"{lesson.id}-{language}-{right}"
                    found.append(walk(coach, store, lesson, language, right, user))
    finally:
        store.close()
    return found


@pytest.fixture(scope="module")
def my_data(library: Library) -> list[Reply]:
    """/mydata after 48 lessons, in every language."""
    store = Store("sqlite://")
    store.upgrade()
    coach = Coach(store, library, lambda: MONDAY_MORNING)
    lessons = sorted(library.lessons.values(), key=lambda lesson: lesson.id)[:48]
    replies = []
    try:
        for language in LANGUAGES:
            with store.transaction() as tx:
                learner = tx.learners.add(
                    platform="memory",
                    platform_user_id=language,
                    chat_id=language,
                    display_name="Georgette Vandenbroucke-Desmet",
                    locale=language,
                    now=MONDAY_MORNING,
                )
                tx.learners.update(learner.id, stage=Stage.READY)
            give_history(store, learner.id, lessons)
            replies += MemoryChat(coach, language, language).command("/mydata")
    finally:
        store.close()
    assert all(len(reply.document.data) > 100_000 for reply in replies if reply.document)
    return replies


def _batches(walkthrough: Walkthrough) -> Iterator[list[Reply]]:
    """The replies as the coach stores them per event: the feedback before what follows it."""
    yield from ([card] for card in walkthrough.cards)
    yield [walkthrough.questions[0]]
    following = [*walkthrough.questions[1:], walkthrough.summary]
    for answer, after in zip(walkthrough.answers, following, strict=True):
        yield [answer.feedback, after]


def _to(address: Address, batch: list[Reply]) -> list[Reply]:
    return [dataclasses.replace(reply, to=address) for reply in batch]


def _telegram_calls(batch: list[Reply]) -> list[telegram.Call]:
    calls = [call for reply in _to(TELEGRAM, batch) for call in telegram.render(reply)]
    if len(batch) == 2 and batch[1].choices and telegram.foldable(batch[0]):
        # The answered question is edited to show the choice and the feedback, when that fits.
        question = telegram.html(dataclasses.replace(batch[1], to=TELEGRAM))
        origin = {"chat": 1001, "message": 1, "part": "text", "html": question}
        shown = max((choice.label for choice in batch[1].choices), key=len)
        edit = telegram.pressed(json.dumps(origin | {"shown": shown}), _to(TELEGRAM, batch[:1])[0])
        calls += [edit] if edit is not None else []
    return calls


def _matrix_events(batch: list[Reply]) -> list[tuple[str, dict]]:
    return [
        event
        for lead, reply in matrix.with_leads(_to(MATRIX, batch))
        for event in matrix.messages(reply, lead)
    ]


def _check_telegram(batches: list[list[Reply]]) -> int:
    """The longest text or caption in UTF-16 units; fails on any call Telegram would refuse."""
    longest = 0
    for batch in batches:
        for call in _telegram_calls(batch):
            assert telegram_fits(call), (telegram_length(call), call.params)
            longest = max(longest, telegram.units(call.params.get(telegram_length(call)[0]) or ""))
    return longest


def _check_matrix(batches: list[list[Reply]]) -> int:
    """The largest event in bytes, encrypted or not; fails on any over the margin."""
    largest = 0
    for batch in batches:
        for event in _matrix_events(batch):
            size = max(matrix_event_bytes(*event))
            assert size <= MATRIX_MARGIN < MATRIX_EVENT_LIMIT, (size, event[1].get("body", "")[:80])
            largest = max(largest, size)
    return largest


def test_every_telegram_message_of_the_shipped_library_fits(walkthroughs, my_data, capsys):
    batches = [batch for w in walkthroughs for batch in _batches(w)]
    assert len(batches) > 2000
    longest = _check_telegram(batches)
    with capsys.disabled():
        print(f"\nTelegram, shipped library: longest message {longest} UTF-16 units of 4096")
    assert longest <= 4096
    for reply in my_data:
        [upload] = telegram.render(dataclasses.replace(reply, to=TELEGRAM))
        assert upload.method == "send_document" and telegram_fits(upload)  # the summary is the caption


def test_every_matrix_event_of_the_shipped_library_fits(walkthroughs, my_data, capsys):
    batches = [batch for w in walkthroughs for batch in _batches(w)] + [[reply] for reply in my_data]
    largest = _check_matrix(batches)
    with capsys.disabled():
        print(f"\nMatrix, shipped library: largest event {largest} bytes of 65,536")


@pytest.mark.parametrize("reply", HOSTILE, ids=range(len(HOSTILE)))
def test_every_message_made_of_a_hostile_string_fits_both_platforms(reply):
    assert _check_telegram([[reply]]) <= 4096
    assert _check_matrix([[reply]]) <= MATRIX_MARGIN
