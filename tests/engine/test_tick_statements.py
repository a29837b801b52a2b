"""What a scheduler tick costs the database: the same few statements however many invitations.

Each statement is a round trip to PostgreSQL, so a tick that asked per learner
(it used to ask six times) would take minutes at 100,000 learners. A count of
statements is deterministic where a time is not; ``benchmarks/fanout.py``
prints the times.
"""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from lessons import tick
from storage.models import PushRow
from storage.states import Stage
from storage.unit_of_work import Store
from tests.support.database import counting
from tests.support.ticks import local

# BEGIN (SQLite's own), the time zones, who is due, their organisations, the new
# pushes, reminders to decide, the pushes to send and the digests, their learners,
# their organisations' languages, finished lessons, placement results, the sent ones,
# and every invitation's reply, in one statement.
TICK = 14


def add_learners(store: Store, organisation: int, count: int, first: int) -> None:
    """Set-up learners of the organisation, lesson time 09:00, who chose no language (theirs is read)."""
    with store.transaction() as tx:
        for n in range(first, first + count):
            learner = tx.learners.add(
                platform="memory",
                platform_user_id=f"learner-{n}",
                chat_id=f"chat-{n}",
                display_name=None,
                locale=None,
                now=local(2026, 3, 2, 8, 0),
            )
            tx.learners.update(
                learner.id, stage=Stage.READY, delivery_time=time(9, 0), organisation_id=organisation
            )


def test_twice_the_invitations_cost_no_more_statements(store, coach):
    with store.transaction() as tx:
        gent = tx.organisations.add(
            "gent", name="Gent", country="BE", timezone="Europe/Brussels", language="nl"
        ).id
    add_learners(store, gent, 10, first=0)
    with counting(store) as tuesday:
        assert len(coach.deliver_due(local(2026, 3, 3, 9, 15))) == 10
    add_learners(store, gent, 10, first=10)
    with counting(store) as wednesday:
        assert len(coach.deliver_due(local(2026, 3, 4, 9, 15))) == 20
    assert len(wednesday) == len(tuesday), "\n".join(wednesday)
    assert len(tuesday) <= TICK, "\n".join(tuesday)


def test_a_tick_plans_its_share_of_a_crowd_and_the_next_tick_plans_on(store, coach, monkeypatch):
    """Planning 100,000 invitations at once held the database for over two seconds: a tick
    plans at most PLAN_PER_TICK, the next one the rest. Learners whose organisation has the
    day off are left out by the query itself, so they never fill a tick's share."""
    monkeypatch.setattr(tick, "PLAN_PER_TICK", 4)
    with store.transaction() as tx:
        gent = tx.organisations.add(
            "gent", name="Gent", country="BE", timezone="Europe/Brussels", language="nl"
        ).id
        utrecht = tx.organisations.add(
            "utrecht", name="Utrecht", country="NL", timezone="Europe/Brussels", language="nl"
        ).id
    add_learners(store, gent, 6, first=0)  # 21 July 2026, a Tuesday: Belgium's national day
    add_learners(store, utrecht, 6, first=6)

    def planned() -> list[int]:
        with store.engine.connect() as connection:
            return sorted(connection.execute(select(PushRow.learner_id)).scalars())

    with store.transaction() as tx:
        utrecht_ids = sorted(
            learner.id for learner in tx.learners.everyone() if learner.organisation_id == utrecht
        )
    coach.plan_due(local(2026, 7, 21, 9, 15))
    assert len(planned()) == 4
    coach.plan_due(local(2026, 7, 21, 9, 16))
    assert planned() == utrecht_ids
    coach.plan_due(local(2026, 7, 21, 9, 17))
    assert planned() == utrecht_ids
