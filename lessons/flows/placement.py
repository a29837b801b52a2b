"""The placement self-check: where does a learner start in each topic? (``/check``)

Two questions per topic. All right in a topic: the learner starts a step
further there (intermediate); otherwise with the basics. Retaking it later
shows growth per topic. The outcome only reorders the learner's path: nothing
is taken out of it.
"""

from __future__ import annotations

from collections import defaultdict

from lessons.chat import Choice
from lessons.i18n import _
from lessons.topics import topic_name
from lessons.turn import Turn
from storage.records import Delivery
from storage.states import SessionKind, Step

FOUNDATION, INTERMEDIATE = "foundation", "intermediate"


def start(turn: Turn) -> None:
    from lessons.flows import lesson  # the check runs on the lesson flow's question machinery

    check = turn.library.placement
    if check is None:
        turn.say(_("There is no check in this lesson library. Type /lesson to start learning."))
        return
    open_session = turn.tx.deliveries.latest_open(turn.learner.id)
    if open_session is not None:
        lesson.show(turn, open_session)
        return
    turn.say(check.summary.get(turn.language), title=check.title.get(turn.language))
    delivery = turn.tx.deliveries.add(
        learner_id=turn.learner.id,
        local_date=turn.today,
        slot=lesson.next_free_slot(turn),
        lesson_id=SessionKind.PLACEMENT,
        lesson_version=1,
        topic=SessionKind.PLACEMENT,
        now=turn.now,
        kind=SessionKind.PLACEMENT,
        items=";".join(f"{SessionKind.PLACEMENT}/{q.id}" for q in check.questions),
    )
    lesson.show(turn, turn.tx.deliveries.update(delivery.id, step=Step.QUIZ))


def results(turn: Turn, delivery: Delivery) -> None:
    """Score per topic, store it, and say in plain words where the learner starts."""
    scores: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for answer in turn.tx.answers.for_delivery(delivery.id):
        scores[answer.topic][0] += answer.correct
        scores[answer.topic][1] += 1
    before = turn.tx.placements.starts(turn.learner.id)
    found = {
        topic: INTERMEDIATE if right == total else FOUNDATION for topic, (right, total) in scores.items()
    }
    turn.tx.placements.add(
        turn.learner.id, [(t, r, n, found[t]) for t, (r, n) in sorted(scores.items())], turn.now
    )
    lines = [_("Thank you! This is where we start:")]
    for topic in sorted(found, key=topic_name):
        if found[topic] == INTERMEDIATE:
            lines.append(
                "• " + _("{topic}: you know the basics, so we start a step further.", topic=topic_name(topic))
            )
        else:
            lines.append("• " + _("{topic}: we start with the basics.", topic=topic_name(topic)))
    grown = [t for t in found if before.get(t) == FOUNDATION and found[t] == INTERMEDIATE]
    if grown:
        lines.append(
            _(
                "You have grown since last time in: {topics}.",
                topics=", ".join(sorted(map(topic_name, grown))),
            )
        )
    turn.say("\n".join(lines), [Choice("go:lesson", _("Start today's lesson"))])
