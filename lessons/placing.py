"""Where the placement check starts a learner in each topic: one pure rule, for the flow and the benchmark.

Each placement question measures one topic at one level. A learner starts a
level further only when every question of that topic up to that level is
right: the foundation questions are the gate, the intermediate ones grant
intermediate, the advanced ones advanced. "I don't know yet" is not known, so
one lucky guess never lifts anybody above the basics.
"""

from __future__ import annotations

from collections.abc import Mapping

from lessons.model import LEVELS, PlacementCheck

FOUNDATION = LEVELS[0]


def start_levels(check: PlacementCheck, right: Mapping[str, bool]) -> dict[str, str]:
    """The level each topic of the check starts at, from which questions (by id) were answered right."""
    levels: dict[str, str] = {}
    for topic in dict.fromkeys(q.topic for q in check.questions):
        asked = [q for q in check.questions if q.topic == topic]
        start = FOUNDATION
        for n, level in enumerate(LEVELS[1:], start=1):
            up_to = [q for q in asked if LEVELS.index(q.level) <= n]
            if any(q.level == level for q in asked) and all(right.get(q.id, False) for q in up_to):
                start = level
            else:
                break
        levels[topic] = start
    return levels
