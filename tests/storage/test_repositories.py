"""Repositories: records come back as plain objects; answers and events count once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from storage.records import Learner

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _learner(tx, user: str = "u1") -> Learner:
    return tx.learners.add(
        platform="test", platform_user_id=user, chat_id=user, display_name=None, locale="nl", now=NOW
    )


def test_times_come_back_aware_and_in_utc(store):
    with store.transaction() as tx:
        learner_id = _learner(tx).id
    with store.transaction() as tx:
        assert tx.learners.get(learner_id).created_at == NOW


def test_a_naive_datetime_is_refused(store):
    with pytest.raises(Exception, match="naive datetime"), store.transaction() as tx:
        tx.learners.add(
            platform="t",
            platform_user_id="x",
            chat_id="x",
            display_name=None,
            locale=None,
            now=datetime(2026, 1, 1),
        )


def test_an_answer_is_recorded_once_per_question_and_delivery(store):
    with store.transaction() as tx:
        learner = _learner(tx)
        delivery = tx.deliveries.add(
            learner_id=learner.id,
            local_date=date(2026, 3, 2),
            slot=0,
            lesson_id="l",
            lesson_version=1,
            topic="security",
            now=NOW,
        )
        assert tx.answers.record(
            delivery=delivery,
            lesson_id="l",
            question_id="q1",
            topic="security",
            correct=True,
            response="a",
            now=NOW,
        )
        assert not tx.answers.record(
            delivery=delivery,
            lesson_id="l",
            question_id="q1",
            topic="security",
            correct=False,
            response="b",
            now=NOW,
        )
    with store.transaction() as tx:
        answers = tx.answers.for_delivery(delivery.id)
        assert [(a.question_id, a.correct) for a in answers] == [("q1", True)]
        assert [(s.topic, s.right, s.total) for s in tx.answers.scores_by_topic(learner.id)] == [
            ("security", 1, 1)
        ]


def test_a_rolled_back_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.transaction() as tx:
        _learner(tx)
        raise RuntimeError("crash mid-event")
    with store.transaction() as tx:
        assert tx.learners.find("test", "u1") is None


def test_concurrent_writers_wait_for_each_other_instead_of_failing(store):
    with store.transaction() as tx:
        learner_id = _learner(tx).id
    errors: list[BaseException] = []

    def claim_many(worker: int) -> None:
        try:
            for n in range(25):
                with store.transaction() as tx:
                    tx.events.claim("test", f"{worker}-{n}", NOW + timedelta(seconds=n))
                    tx.learners.update(learner_id, display_name=f"w{worker}")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=claim_many, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.transaction() as tx:
        assert not tx.events.claim("test", "5-24", NOW)


def test_a_misspelt_field_in_a_write_is_refused_not_ignored(store):
    with store.transaction() as tx:
        learner_id = _learner(tx).id
    for update, row_id in (
        (lambda tx, i: tx.learners.update(i, stagee="ready"), learner_id),
        (lambda tx, i: tx.deliveries.update(i, stepp="done"), 1),
        (lambda tx, i: tx.pushes.update(i, statuss="sent"), 1),
    ):
        with pytest.raises(TypeError, match="no field"), store.transaction() as tx:
            update(tx, row_id)


def test_a_state_that_does_not_exist_is_refused(store):
    with store.transaction() as tx:
        learner_id = _learner(tx).id
    with pytest.raises(Exception, match="'redy' is not a valid Stage"), store.transaction() as tx:
        tx.learners.update(learner_id, stage="redy")
    with store.transaction() as tx:
        assert tx.learners.get(learner_id).stage == "new"
