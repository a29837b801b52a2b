"""The reply outbox: what the coach decided to say and no platform has taken yet.

The engine adds a handled event's replies in that event's transaction; the
sender (``bot.courier``) takes them in order per chat and deletes each one the
platform took, so after a crash or a restart exactly the replies not yet out
are left to send.

Several coach processes may share one outbox (on PostgreSQL): each reply is
held by the process that sends it (``Store.holder``) until ``held_until``.
A living process renews its holds at every sweep; the replies of one that
died become free when its hold lapses, and another process takes them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, delete, func, or_, select, update
from sqlalchemy.orm import Session

from storage import prepared
from storage.erasure import owe_scrub
from storage.models import ReplyRow
from storage.records import NewReply, StoredReply
from storage.repositories import to_record
from storage.states import ReplyStatus

_REPLIES = cast(Table, ReplyRow.__table__)
# A hold lapses this long after its process last renewed it (the courier renews every few seconds).
HOLD = timedelta(seconds=30)


class Replies:
    def __init__(self, session: Session, holder: str | None = None) -> None:
        self._s = session
        # This process's name in ``held_by``; None (a command-line tool): replies stored free for any sender.
        self._holder = holder

    def add(self, replies: Sequence[NewReply], now: datetime) -> list[int]:
        """Store replies, of one learner or of a whole tick's, in one statement (one per
        thousand rows); their ids, in the order given."""
        if not replies:
            return []
        rows = [
            reply._asdict()
            | {
                "created_at": now,
                "status": ReplyStatus.PENDING,
                # The process that stored a reply sends it: no other may take it meanwhile.
                "held_by": self._holder,
                "held_until": now + HOLD if self._holder else None,
            }
            for reply in replies
        ]
        # The id orders a chat's replies and names a message to its platform: in the order given.
        if self._s.get_bind().dialect.name == "sqlite":
            # SQLite numbers the rows of an INSERT in the order given (AUTOINCREMENT, one writer
            # at a time) but returns them in no promised order, and SQLAlchemy's ordered RETURNING
            # would send one statement per row there: sorted, the new ids are in the order given.
            return sorted(self._s.scalars(prepared.insert_rows(_REPLIES, "id", ordered=False), rows))
        return list(self._s.scalars(prepared.insert_rows(_REPLIES, "id"), rows))

    def waiting(self, platform: str, limit: int, now: datetime, after: int = 0) -> list[StoredReply]:
        """Replies to ``platform`` this process may send, oldest first, from id ``after`` on.

        Those are its own, free ones and those whose hold lapsed; they become
        this process's to send. A row another process is taking right now is
        passed over, not waited for.
        """
        table = cast(Table, ReplyRow.__table__)
        free = or_(table.c.held_by.is_(None), table.c.held_until < now)
        if self._holder is not None:
            free = or_(free, table.c.held_by == self._holder)
        ids = (
            select(table.c.id)
            .where(table.c.platform == platform, table.c.status == ReplyStatus.PENDING, table.c.id > after)
            .where(free)
            .order_by(table.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if self._holder is None:
            rows = self._s.execute(select(table).where(table.c.id.in_(ids.scalar_subquery())))
        else:
            rows = self._s.execute(
                update(table)
                .where(table.c.id.in_(ids.scalar_subquery()))
                .values(held_by=self._holder, held_until=now + HOLD)
                .returning(*table.c)
            )
        return [to_record(StoredReply, row) for row in sorted(rows.all(), key=lambda row: row.id)]

    def keep_holding(self, platforms: Collection[str], now: datetime) -> None:
        """Renew this process's holds on ``platforms``; let go of the rest for a process that sends them."""
        if self._holder is None:
            return
        mine = (ReplyRow.held_by == self._holder, ReplyRow.status == ReplyStatus.PENDING)
        self._s.execute(
            update(ReplyRow).where(*mine, ReplyRow.platform.in_(platforms)).values(held_until=now + HOLD)
        )
        self._s.execute(
            update(ReplyRow)
            .where(*mine, ReplyRow.platform.not_in(platforms))
            .values(held_by=None, held_until=None)
        )

    def count_waiting(self) -> dict[str, int]:
        """How many replies are still to send, by platform."""
        rows = self._s.execute(
            select(ReplyRow.platform, func.count())
            .where(ReplyRow.status == ReplyStatus.PENDING)
            .group_by(ReplyRow.platform)
        )
        return {platform: count for platform, count in rows.all()}

    def delivered(self, ids: Collection[int]) -> None:
        """The platform took these: they leave the outbox."""
        if ids:
            owners = self._s.scalars(prepared.delete_keys(_REPLIES, "learner_id"), {"keys": list(ids)})
            self._scrub_if_ownerless(owners)

    def settle(self, ids: Collection[int], status: ReplyStatus) -> None:
        """These will not be sent (refused for good, or too late); kept a while for the operator.

        Not one owed to nobody on record: the goodbye after /forget names the
        chat of someone who asked to be forgotten, so it goes at once.
        """
        if ids:
            owners = self._s.scalars(
                delete(ReplyRow)
                .where(ReplyRow.id.in_(ids), ReplyRow.learner_id.is_(None))
                .returning(ReplyRow.learner_id)
            )
            self._scrub_if_ownerless(owners)
            self._s.execute(update(ReplyRow).where(ReplyRow.id.in_(ids)).values(status=status))

    def _scrub_if_ownerless(self, owners: Iterable[int | None]) -> None:
        # A reply owed to nobody on record (the goodbye after /forget, an apology) may be the
        # last trace of a forgotten person: it leaves no bytes behind either (storage.erasure).
        if any(owner is None for owner in owners):
            owe_scrub(self._s)

    def prune(self, before: datetime) -> None:
        """Forget replies that were refused or expired and are older than ``before``."""
        self._s.execute(
            delete(ReplyRow).where(ReplyRow.status != ReplyStatus.PENDING, ReplyRow.created_at < before)
        )
