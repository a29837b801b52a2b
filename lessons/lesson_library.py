"""The loaded lessons and tracks, and which lesson a learner gets next."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from lessons.glossary import Glossary
from lessons.model import LEVELS, TOPICS, Lesson, PlacementCheck, Track

GENERAL_TRACK = "general"


@dataclass(frozen=True)
class Library:
    """An immutable, validated set of lessons and tracks, with the glossary.

    Reloading builds a new ``Library`` and swaps it in whole, so a learner never
    sees half of an edit.
    """

    lessons: Mapping[str, Lesson] = field(default_factory=dict)
    tracks: Mapping[str, Track] = field(default_factory=dict)
    placement: PlacementCheck | None = None
    # The words cards and questions may use that the coach can explain.
    glossary: Glossary = field(default_factory=Glossary)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lessons", MappingProxyType(dict(self.lessons)))
        object.__setattr__(self, "tracks", MappingProxyType(dict(self.tracks)))

    def lesson(self, lesson_id: str) -> Lesson | None:
        return self.lessons.get(lesson_id)

    def path(self, track_id: str = GENERAL_TRACK) -> list[Lesson]:
        """Lessons in the order a learner on ``track_id`` takes them.

        Without that track, every lesson: foundation before intermediate before
        advanced, and within a level the topics take turns so nobody gets six
        security lessons in a row.
        """
        track = self.tracks.get(track_id)
        if track is not None:
            return [self.lessons[i] for i in track.lessons if i in self.lessons]
        ordered: list[Lesson] = []
        for level in LEVELS:
            by_topic = {
                topic: sorted(
                    (x for x in self.lessons.values() if x.level == level and x.topic == topic),
                    key=lambda x: x.id,
                )
                for topic in TOPICS
            }
            while any(by_topic.values()):
                for topic in TOPICS:
                    if by_topic[topic]:
                        ordered.append(by_topic[topic].pop(0))
        return ordered

    def next_lesson(
        self,
        done: Iterable[str],
        track_id: str = GENERAL_TRACK,
        starts: Mapping[str, str] | None = None,
    ) -> Lesson | None:
        """The first lesson on the learner's personal path they have not finished.

        ``starts`` maps a topic to the level the placement check found: lessons
        below that level in that topic move to the end of the path (not out of
        it), so a learner who knows the basics meets new things first.
        """
        finished = set(done)
        rank = {level: n for n, level in enumerate(LEVELS)}
        start = {topic: rank[level] for topic, level in (starts or {}).items()}
        path = self.path(track_id)
        personal = sorted(path, key=lambda x: rank[x.level] < start.get(x.topic, 0))
        return next((x for x in personal if x.id not in finished), None)
