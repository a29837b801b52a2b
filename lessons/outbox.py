"""The coach's replies, kept until a platform has taken them.

A handled event's replies are stored in that event's own transaction, a
scheduled message's in the tick's, so a crash right after the commit loses
no reply. The platform's sender (``bot.courier``) takes them in order per
chat and reports back: a reply the platform took leaves the outbox, one it
refused for good or that outlived its use is kept a while for the operator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lessons.chat import Address, Outgoing, Reply, decode, encode
from storage.records import NewReply, StoredReply
from storage.unit_of_work import Transaction

# Replies that were refused or expired stay this long, for an operator to look into.
KEEP_UNSENT = timedelta(days=7)


@dataclass(frozen=True)
class ToKeep:
    """One learner's replies to store, in order, and until when they are worth sending."""

    learner_id: int | None
    replies: Sequence[Reply]
    expires_at: datetime
    origin: str | None = None  # the event's, carried by the first reply


def keep(
    tx: Transaction,
    learner_id: int | None,
    replies: Iterable[Reply],
    now: datetime,
    expires_at: datetime,
    origin: str | None = None,
) -> list[Outgoing]:
    """Store one learner's replies for sending, in order; the first carries the event's ``origin``."""
    return keep_all(tx, [ToKeep(learner_id, list(replies), expires_at, origin)], now)


def keep_all(tx: Transaction, batches: Sequence[ToKeep], now: datetime) -> list[Outgoing]:
    """Store many learners' replies at once (a tick's: one statement, not one per learner)."""
    rows: list[NewReply] = []
    kept: list[tuple[Reply, str | None, datetime]] = []
    for batch in batches:
        for n, reply in enumerate(batch.replies):
            origin = batch.origin if n == 0 else None
            rows.append(
                NewReply(
                    batch.learner_id,
                    reply.to.platform,
                    reply.to.chat_id,
                    encode(reply),
                    origin,
                    batch.expires_at,
                )
            )
            kept.append((reply, origin, batch.expires_at))
    ids = tx.replies.add(rows, now)
    return [Outgoing(i, *what) for i, what in zip(ids, kept, strict=True)]


def outgoing(stored: StoredReply) -> Outgoing:
    reply = decode(Address(stored.platform, stored.chat_id), stored.content)
    return Outgoing(stored.id, reply, stored.origin, stored.expires_at)
