"""Every table that holds a person's data: the one list that /mydata reads and /forget erases.

A new table with a person's data is added here and nowhere else; the privacy
test fails for any table that names a learner and is in neither list below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.base import Base
from storage.erasure import owe_scrub
from storage.models import (
    AnswerRow,
    DeliveryRow,
    LearnerRow,
    PauseRow,
    PlacementResultRow,
    PushRow,
    ReplyRow,
    ReviewCardRow,
    RoleRow,
)
from storage.records import (
    Answer,
    Delivery,
    Learner,
    Pause,
    PlacementResult,
    Push,
    ReviewCard,
    Role,
    StoredReply,
)
from storage.repositories import to_record


@dataclass(frozen=True)
class PersonalTable:
    """One table of a person's data, and the name /mydata gives it."""

    key: str
    row: type[Base]
    record: type[Any]
    # The column that says whose a row is.
    owner: str = "learner_id"

    @property
    def name(self) -> str:
        return str(self.row.__tablename__)


# The learner first; /forget erases in reverse order, the learner's own row last.
PERSONAL_TABLES: tuple[PersonalTable, ...] = (
    PersonalTable("learner", LearnerRow, Learner, owner="id"),
    PersonalTable("lessons", DeliveryRow, Delivery),
    PersonalTable("answers", AnswerRow, Answer),
    PersonalTable("review_cards", ReviewCardRow, ReviewCard),
    PersonalTable("placement_checks", PlacementResultRow, PlacementResult),
    PersonalTable("scheduled_messages", PushRow, Push),
    # Replies decided but not yet taken by the platform (gone once sent).
    PersonalTable("messages_waiting", ReplyRow, StoredReply),
    PersonalTable("pauses", PauseRow, Pause),
    PersonalTable("roles", RoleRow, Role),
)

# Tables that hold nobody's data, and why: the privacy test holds every other table to the list above.
NOT_PERSONAL: dict[str, str] = {
    "alembic_version": "the schema's version",
    "regions": "the names of the regions the municipalities are in",
    "organisations": "the municipalities served",
    "teams": "their departments",
    "invites": "invite codes and how often they were used, not by whom; a staff list's codes keep "
    "their team only, never the name or e-mail address they were made for",
    "audit_log": "admin actions; /forget rewrites a learner's own entries to 'a forgotten learner'",
    "anonymous_totals": "what forgotten learners contributed to team figures, naming nobody",
    "handled_events": "digests of platform event ids, kept a day or so to drop a redelivered event",
    "send_budgets": "each bot's next free send slot, shared by the coach processes; names no person",
}


class PersonalData:
    def __init__(self, session: Session) -> None:
        self._s = session

    def of(self, learner_id: int) -> dict[str, list[Any]]:
        """Every row of every personal table that is this learner's, as plain records, by key."""
        found: dict[str, list[Any]] = {}
        for table in PERSONAL_TABLES:
            owner = getattr(table.row, table.owner)
            query = select(table.row).where(owner == learner_id)
            rows = self._s.scalars(query.order_by(*table.row.__table__.primary_key))
            found[table.key] = [to_record(table.record, row) for row in rows]
        return found

    def erase(self, learner_id: int) -> None:
        """Delete every row of every personal table that is this learner's, down to the bytes."""
        for table in reversed(PERSONAL_TABLES):
            owner = getattr(table.row, table.owner)
            self._s.execute(delete(table.row).where(owner == learner_id))
        owe_scrub(self._s)
