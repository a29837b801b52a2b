"""The loaded lessons and tracks, and which lesson a learner gets next."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from lessons.model import LEVELS, TOPICS, Lesson, Track

GENERAL_TRACK = "general"


@dataclass(frozen=True)
class Library:
    """An immutable, validated set of lessons and tracks.

    Reloading builds a new ``Library`` and swaps it in whole, so a learner never
    sees half of an edit.
    """

    lessons: Mapping[str, Lesson] = field(default_factory=dict)
    tracks: Mapping[str, Track] = field(default_factory=dict)

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

    def next_lesson(self, done: Iterable[str], track_id: str = GENERAL_TRACK) -> Lesson | None:
        """The first lesson on the learner's path they have not finished."""
        finished = set(done)
        return next((x for x in self.path(track_id) if x.id not in finished), None)
