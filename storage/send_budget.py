"""One send budget per bot, shared by every coach process that sends for it (PostgreSQL).

A platform limits a bot, not a process: Telegram takes about 30 messages a
second from one bot however many processes send them. The budget is the
bot's next free send slot, kept in one row; each send reserves the slot after
it, so the sends of all processes together are spaced at least ``1/rate``
seconds apart, on the database's clock, which all of them share.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

# greatest(): a budget nobody used for a while starts now, not at its old slot.
_RESERVE = text(
    """
    INSERT INTO send_budgets (name, next_slot)
    VALUES (:name, (clock_timestamp() AT TIME ZONE 'UTC') + make_interval(secs => :span))
    ON CONFLICT (name) DO UPDATE
    SET next_slot = greatest(send_budgets.next_slot, clock_timestamp() AT TIME ZONE 'UTC')
        + make_interval(secs => :span)
    RETURNING extract(epoch FROM next_slot - (clock_timestamp() AT TIME ZONE 'UTC')) - :span
    """
)


def reserve(engine: Engine, name: str, per_second: float, slots: int = 1) -> float:
    """Reserve the next ``slots`` send slots of the bot's budget ``name``, ``1/per_second`` apart.

    The seconds to wait for the first of them (0: now).
    """
    span = slots / per_second
    with engine.begin() as connection:
        wait = connection.execute(_RESERVE, {"name": name, "span": span}).scalar_one()
    return max(0.0, float(wait))
