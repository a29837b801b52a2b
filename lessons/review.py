"""Spaced repetition with FSRS-6 (the `fsrs` package, default parameters).

Every answered quiz question becomes a card: wrong is rated Again, right is
rated Good (answer speed cannot be measured the same way on every platform, so
there is no Easy). Sessions are daily, so there are no minute-long learning
steps: a card is due in a session when it falls due by the end of that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache

from fsrs import Card, Rating, Scheduler

from storage.records import ReviewCard


@cache
def _scheduler(retention: float) -> Scheduler:
    return Scheduler(
        desired_retention=retention, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )


def after_answer(state: str | None, correct: bool, now: datetime, retention: float) -> tuple[datetime, str]:
    """The card's next due time and state after this answer."""
    # An id of our own: without one, fsrs sleeps a millisecond to make its id unique, and
    # this runs inside the answer's write transaction. The id is never used here.
    card = Card.from_json(state) if state else Card(card_id=int(now.timestamp() * 1000), due=now)
    rating = Rating.Good if correct else Rating.Again
    card, _log = _scheduler(retention).review_card(card, rating, now.astimezone(UTC))
    return card.due, card.to_json()


def choose(cards: Sequence[ReviewCard], now: datetime, limit: int) -> list[ReviewCard]:
    """The ``limit`` cards to ask: earliest due day first, then the most forgotten."""
    # Retrievability depends on the card alone, not on the desired retention.
    scheduler = _scheduler(0.9)

    def urgency(card: ReviewCard) -> tuple[str, float]:
        retrievability = scheduler.get_card_retrievability(Card.from_json(card.state), now.astimezone(UTC))
        return card.due.date().isoformat(), retrievability

    return sorted(cards, key=urgency)[:limit]
