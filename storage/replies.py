"""The reply outbox: what the coach decided to say and no platform has taken yet.

The engine adds a handled event's replies in that event's transaction; the
sender (``bot.courier``) takes them in order per chat and deletes each one the
platform took, so after a crash or a restart exactly the replies not yet out
are left to send.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from storage.erasure import owe_scrub
from storage.models import ReplyRow
from storage.records import StoredReply
from storage.repositories import to_record
from storage.states import ReplyStatus


class Replies:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(
        self,
        learner_id: int | None,
        replies: Sequence[tuple[str, str, str, str | None]],
        now: datetime,
        expires_at: datetime,
    ) -> list[int]:
        """Store (platform, chat id, content, origin) replies in one statement; their ids, in order."""
        if not replies:
            return []
        rows = [
            {
                "learner_id": learner_id,
                "platform": platform,
                "chat_id": chat_id,
                "content": content,
                "origin": origin,
                "created_at": now,
                "expires_at": expires_at,
                "status": ReplyStatus.PENDING,
            }
            for platform, chat_id, content, origin in replies
        ]
        # The id orders a chat's replies and names a message to its platform: in the order given.
        table = cast(Table, ReplyRow.__table__)
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(self._s.scalars(statement, rows))

    def waiting(self, platform: str, limit: int, after: int = 0) -> list[StoredReply]:
        """Replies still to send on ``platform``, oldest first, from id ``after`` on."""
        rows = self._s.scalars(
            select(ReplyRow)
            .where(ReplyRow.platform == platform, ReplyRow.status == ReplyStatus.PENDING, ReplyRow.id > after)
            .order_by(ReplyRow.id)
            .limit(limit)
        )
        return [to_record(StoredReply, row) for row in rows]

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
            owners = self._s.scalars(
                delete(ReplyRow).where(ReplyRow.id.in_(ids)).returning(ReplyRow.learner_id)
            )
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
