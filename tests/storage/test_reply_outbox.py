"""The reply outbox and the handled events, on every database: ids never return, old ids are pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.records import NewReply
from storage.replies import HOLD
from storage.states import ReplyStatus
from storage.unit_of_work import Store
from tests.support.database import every_row

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def _add(tx, chat: str = "c1", learner_id: int | None = None) -> int:
    [stored] = tx.replies.add([NewReply(learner_id, "telegram", chat, '{"text": "hi"}', None, LATER)], NOW)
    return stored


def test_a_reply_id_is_never_used_again_after_the_reply_was_sent(store):
    """Regression: SQLite reused the highest id once its row was deleted; Matrix then kept
    the earlier message for that transaction id and dropped the new one."""
    with store.transaction() as tx:
        first = _add(tx)
    with store.transaction() as tx:
        tx.replies.delivered([first])
    with store.transaction() as tx:
        second = _add(tx)
    assert second > first


def test_waiting_replies_come_oldest_first_per_platform_and_leave_once_delivered_or_settled(store):
    with store.transaction() as tx:
        ids = [_add(tx, chat) for chat in ("a", "b", "a", "c")]
        tx.replies.add([NewReply(None, "matrix", "!room", "{}", None, LATER)], NOW)
    with store.transaction() as tx:
        assert [r.id for r in tx.replies.waiting("telegram", 10, NOW)] == ids
        assert [r.id for r in tx.replies.waiting("telegram", 2, NOW, after=ids[1])] == ids[2:]
        tx.replies.delivered(ids[:1])
        tx.replies.settle(ids[1:2], ReplyStatus.EXPIRED)
    with store.transaction() as tx:
        assert [r.id for r in tx.replies.waiting("telegram", 10, NOW)] == ids[2:]
        tx.replies.prune(NOW + timedelta(seconds=1))  # the expired one goes; waiting ones stay
    with store.transaction() as tx:
        assert [r.id for r in tx.replies.waiting("telegram", 10, NOW)] == ids[2:]
        assert [r.status for r in tx.personal.of(0)["messages_waiting"]] == []


def test_handled_events_are_forgotten_some_time_after_the_newest_not_after_now(store):
    with store.transaction() as tx:
        assert tx.events.claim("telegram", "old", NOW)
        assert tx.events.claim("telegram", "newer", NOW + timedelta(hours=30))
        assert tx.events.claim("matrix", "other", NOW)
    with store.transaction() as tx:
        tx.events.prune("telegram", timedelta(hours=24))
        tx.events.prune("matrix", timedelta(hours=24))
    with store.transaction() as tx:
        assert tx.events.claim("telegram", "old", NOW)  # forgotten: 30 h before the newest
        assert not tx.events.claim("telegram", "newer", NOW)
        # Down for a week: nothing newer came, so the last ones are still known when replayed.
        assert not tx.events.claim("matrix", "other", NOW)


def test_a_reply_owed_to_nobody_on_record_is_not_kept_unsent_and_its_removal_is_scrubbed(store, monkeypatch):
    """The goodbye after /forget names the chat of someone who asked to be forgotten."""
    scrubbed: list[str] = []
    monkeypatch.setattr("storage.unit_of_work.scrub", lambda engine: scrubbed.append(engine.dialect.name))
    with store.transaction() as tx:
        learner = tx.learners.add(
            platform="telegram", platform_user_id="7", chat_id="7", display_name=None, locale="en", now=NOW
        )
    with store.transaction() as tx:
        owned, goodbye = _add(tx, "7", learner.id), _add(tx, "8")
    with store.transaction() as tx:
        tx.replies.settle([owned, goodbye], ReplyStatus.EXPIRED)
    assert scrubbed == [store.engine.dialect.name]
    assert [row[0] for table, row in every_row(store) if table == "replies"] == [owned]  # the goodbye went
    with store.transaction() as tx:
        assert [r.id for r in tx.personal.of(learner.id)["messages_waiting"]] == [owned]  # kept a week
        tx.replies.delivered([owned])
    assert len(scrubbed) == 1  # a learner's own reply: nothing to scrub
    with store.transaction() as tx:
        tx.replies.delivered([_add(tx, "9")])
    assert len(scrubbed) == 2


@pytest.fixture
def two_processes(store):
    """Two coach processes on one database, each holding the replies it sends by its own name."""
    first, second = Store(store.url, holder="host-a:/srv/a"), Store(store.url, holder="host-b:/srv/b")
    yield first, second
    first.close()
    second.close()


def _waiting(process: Store, platform: str = "telegram", now: datetime = NOW) -> list[int]:
    with process.transaction() as tx:
        return [r.id for r in tx.replies.waiting(platform, 10, now)]


def test_a_reply_is_sent_by_the_process_that_stored_it_until_its_hold_lapses(two_processes):
    a, b = two_processes
    with a.transaction() as tx:
        mine = _add(tx)
    assert _waiting(b) == []  # a sends it
    assert _waiting(a) == [mine]  # also after a restart: a process's name is its host and data folder
    assert _waiting(b, now=NOW + HOLD / 2) == []
    with a.transaction() as tx:
        tx.replies.keep_holding(["telegram"], NOW + HOLD / 2)  # a lives: renewed
    assert _waiting(b, now=NOW + HOLD) == []
    # a died: nobody renewed, so once the hold lapsed b takes the reply, and holds it from then on.
    assert _waiting(b, now=NOW + 2 * HOLD) == [mine]
    assert _waiting(a, now=NOW + 2 * HOLD) == []


def test_a_process_lets_go_of_the_replies_to_platforms_it_does_not_send(two_processes):
    """The planner of one process stores Matrix invitations; another process serves Matrix."""
    a, b = two_processes
    with a.transaction() as tx:
        invitation = tx.replies.add([NewReply(None, "matrix", "!room", "{}", None, LATER)], NOW)[0]
    assert _waiting(b, "matrix") == []
    with a.transaction() as tx:
        tx.replies.keep_holding(["telegram"], NOW)
    assert _waiting(b, "matrix") == [invitation]


def test_replies_stored_by_a_command_line_tool_are_free_for_any_process(store, two_processes):
    a, b = two_processes
    with store.transaction() as tx:
        free = _add(tx)
    assert _waiting(b) == [free]
    assert _waiting(a) == []


@pytest.mark.parametrize("database", ["postgresql"])
def test_two_processes_sweeping_at_the_same_moment_never_take_the_same_reply(two_processes):
    a, b = two_processes
    with a.transaction() as tx:
        ids = tx.replies.add([NewReply(None, "telegram", str(n), "{}", None, LATER) for n in range(6)], NOW)
    later = NOW + 2 * HOLD  # every hold lapsed: both may take any of them
    with a.transaction() as tx_a:
        taken_by_a = [r.id for r in tx_a.replies.waiting("telegram", 3, later)]
        # a's transaction is still open and holds its rows: b passes over them instead of waiting.
        taken_by_b = _waiting(b, now=later)
    assert taken_by_a == ids[:3]
    assert taken_by_b == ids[3:]


def test_a_ticks_replies_stored_at_once_get_their_ids_in_the_order_given(store):
    """The id orders a chat's replies: stored in one statement per thousand rows (a tick's
    thousands of invitations), each id still names the reply given at its place."""
    chats = [f"chat-{n}" for n in range(2500)]
    with store.transaction() as tx:
        ids = tx.replies.add([NewReply(None, "telegram", chat, "{}", None, LATER) for chat in chats], NOW)
    assert ids == sorted(ids)
    with store.transaction() as tx:
        stored = {r.id: r.chat_id for r in tx.replies.waiting("telegram", 5000, NOW)}
    assert [stored[i] for i in ids] == chats
