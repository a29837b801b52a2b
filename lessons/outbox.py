"""The coach's replies, kept until a platform has taken them.

A handled event's replies are stored in that event's own transaction, a
scheduled message's in the tick's, so a crash right after the commit loses
no reply. The platform's sender (``bot.courier``) takes them in order per
chat and reports back: a reply the platform took leaves the outbox, one it
refused for good or that outlived its use is kept a while for the operator.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from lessons.chat import Address, Outgoing, Reply, decode, encode
from storage.records import StoredReply
from storage.unit_of_work import Transaction

# Replies that were refused or expired stay this long, for an operator to look into.
KEEP_UNSENT = timedelta(days=7)


def keep(
    tx: Transaction,
    learner_id: int | None,
    replies: Iterable[Reply],
    now: datetime,
    expires_at: datetime,
    origin: str | None = None,
) -> list[Outgoing]:
    """Store replies for sending, in order; the first carries the event's ``origin``."""
    replies = list(replies)
    origins = [origin, *[None] * (len(replies) - 1)] if replies else []
    ids = tx.replies.add(
        learner_id,
        [(r.to.platform, r.to.chat_id, encode(r), o) for r, o in zip(replies, origins, strict=True)],
        now,
        expires_at,
    )
    return [Outgoing(i, r, o, expires_at) for i, r, o in zip(ids, replies, origins, strict=True)]


def outgoing(stored: StoredReply) -> Outgoing:
    reply = decode(Address(stored.platform, stored.chat_id), stored.content)
    return Outgoing(stored.id, reply, stored.origin, stored.expires_at)
