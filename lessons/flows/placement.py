"""The placement self-check: where does a learner start in each topic? (``/check``)

Questions per topic at each level (``lessons.placing`` holds the rule: a
level is granted only when that topic's questions up to it are all right),
each with "I don't know yet". Retaking it later shows growth per topic. The
outcome only reorders the learner's path: nothing is taken out of it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import ClassVar

from lessons.buttons import on
from lessons.commands import command
from lessons.flows import onboarding, session
from lessons.flows.navigation import GoTo, StartCheck
from lessons.flows.session import Asked, SessionType, session_type
from lessons.i18n import N_, _
from lessons.model import LEVELS
from lessons.placing import start_levels
from lessons.topics import topic_name
from lessons.turn import Turn
from storage.records import Delivery
from storage.states import SessionKind

PLACEMENT = SessionKind.PLACEMENT.value
FOUNDATION, INTERMEDIATE, ADVANCED = LEVELS


@command("check", place=30, help=N_("a short check of where you stand, to choose your lessons"))
def check(turn: Turn, _args: str = "") -> None:
    if turn.learner.set_up:
        start(turn)
    else:
        onboarding.resume(turn)


@on(StartCheck)
def start_check(turn: Turn, _press: StartCheck) -> None:
    check(turn)


def start(turn: Turn) -> None:
    placement = turn.library.placement
    if placement is None:
        turn.say(_("There is no check in this lesson library. Type /lesson to start learning."))
        return
    open_session = turn.tx.deliveries.latest_open(turn.learner.id)
    if open_session is not None:
        session.show(turn, open_session)
        return
    turn.say(placement.summary.get(turn.language), title=placement.title.get(turn.language))
    session.start(
        turn,
        SessionKind.PLACEMENT,
        lesson_id=PLACEMENT,
        lesson_version=1,
        topic=PLACEMENT,
        items=";".join(f"{PLACEMENT}/{q.id}" for q in placement.questions),
    )


@session_type
class PlacementSession(SessionType):
    kind: ClassVar[SessionKind] = SessionKind.PLACEMENT

    def questions(self, turn: Turn, delivery: Delivery) -> list[Asked] | None:
        placement = turn.library.placement
        placed = [placement.question(q) for _source, q in delivery.review_items] if placement else []
        return [Asked(PLACEMENT, q.topic, q) for q in placed if q is not None]

    always_dont_know: ClassVar[bool] = True

    def title(self, n: int, total: int) -> str:
        return _("Check question {n} of {total}", n=n, total=total)

    def finished(self, turn: Turn, delivery: Delivery) -> None:
        results(turn, delivery)


def results(turn: Turn, delivery: Delivery) -> None:
    """Score per topic, store it, and say in plain words where the learner starts."""
    answers = turn.tx.answers.for_delivery(delivery.id)
    scores: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for answer in answers:
        scores[answer.topic][0] += answer.correct
        scores[answer.topic][1] += 1
    before = turn.tx.placements.starts(turn.learner.id)
    check = turn.library.placement
    levels = start_levels(check, {a.question_id: a.correct for a in answers}) if check else {}
    found = {topic: levels.get(topic, FOUNDATION) for topic in scores}
    turn.tx.placements.add(
        turn.learner.id, [(t, r, n, found[t]) for t, (r, n) in sorted(scores.items())], turn.now
    )
    lines = [_("Thank you! This is where we start:")]
    for topic in sorted(found, key=topic_name):
        name = topic_name(topic)
        if found[topic] == ADVANCED:
            lines.append(
                "• "
                + _("{topic}: you know a lot already, so we start with the advanced lessons.", topic=name)
            )
        elif found[topic] == INTERMEDIATE:
            lines.append("• " + _("{topic}: you know the basics, so we start a step further.", topic=name))
        else:
            lines.append("• " + _("{topic}: we start with the basics.", topic=name))
    grown = [t for t in found if LEVELS.index(found[t]) > LEVELS.index(before.get(t, FOUNDATION))]
    if before and grown:
        lines.append(
            _(
                "You have grown since last time in: {topics}.",
                topics=", ".join(sorted(map(topic_name, grown))),
            )
        )
    turn.say("\n".join(lines), [GoTo("lesson").choice(_("Start today's lesson"))])
