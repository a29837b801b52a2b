"""A small region to test digests on: who is in which team, who manages what, and a week of lessons.

westhoek.yaml has Stad Poperinge (teams burgerzaken and ict) and Stad Ieper
(team welzijn). ``Region.build`` fills them with learners who joined by
invite; the first week's lessons are taken on Monday 2 March 2026.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.adapters.memory import MemoryChat
from lessons.invites import create
from lessons.organisation_file import apply, load
from storage.unit_of_work import Store
from tests.support.clock import FakeClock
from tests.support.flows import read_cards

ORG = Path(__file__).parents[1] / "fixtures" / "org"
# Team sizes: burgerzaken is big enough to report on, ict and welzijn are not.
BURGERZAKEN = ("ann", "bart", "chloe", "dirk", "els", "frank")
ICT = ("gert", "hilde")
WELZIJN = ("ines", "jan", "karel")


def apply_region(store: Store, clock: FakeClock, path: Path = ORG / "westhoek.yaml") -> None:
    spec = load(path)
    assert not isinstance(spec, list), spec
    with store.transaction() as tx:
        apply(tx, spec, "cli:admin", clock())


def apply_region_file(store: Store, clock: FakeClock, text: str) -> None:
    """Apply an organisation file written out in the test."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "org.yaml"
        path.write_text(text, encoding="utf-8")
        apply_region(store, clock, path)


def invite(store: Store, clock: FakeClock, where: str, role: str = "member", uses: int = 20) -> str:
    with store.transaction() as tx:
        return create(
            tx, where=where, role=role, expires=timedelta(days=60), uses=uses, actor="cli:admin", now=clock()
        ).code


def join(chat: MemoryChat, code: str) -> MemoryChat:
    chat.command(f"/start {code}")
    chat.press("English")
    chat.choose("ok:privacy")
    chat.press("09:30")
    return chat


def passwords_lesson(chat: MemoryChat, right: bool = True) -> None:
    chat.command("/lesson")
    read_cards(chat)
    chat.press("coffee" if right else "Welcome1")
    chat.press("False" if right else "True")


def meetings_lesson(chat: MemoryChat, right: bool = True) -> None:
    """The second lesson, as 'one more lesson' after the first (topic: skills)."""
    chat.press("One more lesson")
    read_cards(chat)
    chat.press("Mute")
    if right:
        chat.press("Raise hand")
    chat.press("Done")
    chat.say("mute" if right else "no idea")


@dataclass
class Region:
    people: dict[str, MemoryChat] = field(default_factory=dict)

    def __getitem__(self, name: str) -> MemoryChat:
        return self.people[name]

    @classmethod
    def build(cls, store: Store, clock: FakeClock, chat: Callable[..., MemoryChat]) -> Region:
        apply_region(store, clock)
        region = cls()
        for where, names in (
            ("poperinge/burgerzaken", BURGERZAKEN),
            ("poperinge/ict", ICT),
            ("ieper/welzijn", WELZIJN),
        ):
            code = invite(store, clock, where)
            for name in names:
                region.people[name] = join(chat(name), code)
        for name, where, role in (
            ("manager_a", "poperinge/burgerzaken", "manager"),
            ("manager_b", "poperinge/ict", "manager"),
            ("org_admin", "poperinge", "org-admin"),
            ("other_admin", "ieper", "org-admin"),
            ("region_admin", "westhoek", "region-admin"),
        ):
            region.people[name] = join(chat(name), invite(store, clock, where, role))
        return region

    def first_week(self) -> None:
        """Monday 2 March: five of Burgerzaken take two lessons each; Dirk gets all four questions
        wrong, Bart and Els the second lesson's. One person of each small team takes a lesson."""
        for name in ("ann", "bart", "chloe", "els"):
            passwords_lesson(self[name])
        passwords_lesson(self["dirk"], right=False)
        for name, right in (("ann", True), ("bart", False), ("chloe", True), ("dirk", False), ("els", False)):
            meetings_lesson(self[name], right)
        passwords_lesson(self["gert"])
        passwords_lesson(self["ines"])
