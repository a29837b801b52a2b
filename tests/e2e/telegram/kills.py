"""Kill the coach at random moments while learners answer, and count what a learner would miss.

Learners take the placement check (18 questions; again and again) through the
emulator, pressing a random answer and waiting until they see its feedback
and the next question, as a person would. Meanwhile the coach is killed with
SIGKILL at a random moment after it started serving, and started again at
once. Afterwards every answer a learner gave is looked up in the database:
lost, counted twice, or once as it should; a press whose feedback never came
is a lost reply; a message that arrived twice (the same text and the same
buttons) is counted.

Used by ``test_telegram_kills.py`` (which asserts) and by
``benchmarks/telegram_faults.py`` (which prints the figures).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.telegram.emulator import Coach, Emulator, Learner, Message

# How long a learner waits for an answer before calling it lost: restarts take a few seconds.
PATIENCE = 90.0
POLL = 0.1


@dataclass
class KillFigures:
    kills: int
    answers_given: int
    answers_recorded: int
    answers_lost: int
    answers_twice: int
    replies_lost: int
    messages_twice: int
    seconds: float
    per_learner: dict[int, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"{self.kills} kills in {self.seconds:.0f} s; {self.answers_given} answers given, "
            f"{self.answers_recorded} recorded, {self.answers_lost} lost, "
            f"{self.answers_twice} counted twice; {self.replies_lost} replies lost; "
            f"{self.messages_twice} messages arrived twice"
        )


class StuckError(Exception):
    """A learner waited ``PATIENCE`` seconds for the answer to what they did."""


def _buttons(message: Message) -> list[dict[str, Any]]:
    return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]


@dataclass
class Examinee:
    """A learner taking the check over and over; what they answered, by message id."""

    person: Learner
    rng: random.Random
    answered: list[int] = field(default_factory=list)
    # Questions answered, by the session and place their buttons name: a copy of one that
    # arrived twice is not answered again (the coach would say it was answered already).
    questions: set[str] = field(default_factory=set)

    def _messages(self) -> list[Message]:
        while True:
            try:
                return self.person.messages()
            except httpx.HTTPError:
                time.sleep(POLL)

    def _wait(self, found: Any, what: str) -> Any:
        end = time.monotonic() + PATIENCE
        while time.monotonic() < end:
            result = found(self._messages())
            if result:
                return result
            time.sleep(POLL)
        raise StuckError(f"learner {self.person.user_id} waited {PATIENCE:.0f} s for {what}")

    def take_the_check(self, stop: threading.Event) -> None:
        """One round of the check: /check, then a random answer to each question until the outcome."""
        before = max((m["message_id"] for m in self._messages()), default=0)
        self.person.command("/check")
        while not stop.is_set() or self.answered:
            question = self._wait(
                lambda ms, before=before: next(
                    (
                        m
                        for m in reversed(ms)
                        if m["message_id"] > before
                        and (
                            any(
                                b["callback_data"].startswith("ans:") and _question(b) not in self.questions
                                for b in _buttons(m)
                            )
                            or _done(m)
                        )
                    ),
                    None,
                ),
                "the next check question",
            )
            if _done(question):
                return
            choice = self.rng.choice([b for b in _buttons(question) if b["callback_data"].startswith("ans:")])
            self.person.press_data(choice["callback_data"], question["message_id"])
            self.answered.append(question["message_id"])
            self.questions.add(_question(choice))
            pressed = question["message_id"]
            # Its feedback (the question edited, the buttons gone) and whatever comes next.
            self._wait(
                lambda ms, pressed=pressed: (
                    any(
                        m["message_id"] == pressed and not _buttons(m) and "→" in (m.get("text") or "")
                        for m in ms
                    )
                    and any(m["message_id"] > pressed for m in ms)
                ),
                "the feedback on an answer",
            )
            before = pressed
            if stop.is_set():
                return


@dataclass
class Answering:
    """Examinees taking the check over and over, each in a thread of its own, until ``finish``."""

    people: list[Examinee]
    stop: threading.Event = field(default_factory=threading.Event)
    problems: list[BaseException] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        """Onboard everyone, then let them answer."""
        for examinee in self.people:
            _onboard(examinee.person)
        self._threads = [threading.Thread(target=self._keep_answering, args=(e,)) for e in self.people]
        for thread in self._threads:
            thread.start()

    def _keep_answering(self, examinee: Examinee) -> None:
        try:
            while not self.stop.is_set():
                examinee.take_the_check(self.stop)
        except BaseException as error:
            self.problems.append(error)

    def finish(self) -> int:
        """Stop answering; the replies a learner waited for in vain (any other problem is raised)."""
        self.stop.set()
        for thread in self._threads:
            thread.join(PATIENCE + 10)
        other = [p for p in self.problems if not isinstance(p, StuckError)]
        if other:
            raise other[0]
        return sum(isinstance(p, StuckError) for p in self.problems)

    def given(self) -> dict[int, int]:
        """Answers given, by learner."""
        return {e.person.user_id: len(e.answered) for e in self.people}

    def lost_and_twice(self, recorded: Counter[int]) -> tuple[int, int]:
        """Answers given but not recorded, and recorded more often than given."""
        given = self.given()
        lost = sum(max(0, given[u] - recorded.get(u, 0)) for u in given)
        twice = sum(max(0, recorded.get(u, 0) - given[u]) for u in given)
        return lost, twice


def _question(button: dict[str, Any]) -> str:
    """``ans:<session>:<place>:<option>`` -> ``<session>:<place>``."""
    return ":".join(str(button["callback_data"]).split(":")[1:3])


def _done(message: Message) -> bool:
    return "This is where we start" in (message.get("text") or "")


def _serving_since(coach: Coach, start: int) -> bool:
    return "getUpdates" in coach.output()[start:]


def kill_at_random(
    emulator: Emulator,
    token: str,
    database: Path,
    kills: int,
    learners: int = 6,
    seed: int = 1,
    env: dict[str, str] | None = None,
) -> KillFigures:
    rng = random.Random(seed)
    coach = Coach(
        emulator,
        token,
        database,
        DIGICOACH_LESSONS=str(Path(__file__).parents[3] / "lessons" / "library"),
        **(env or {}),
    )
    coach.start()
    people = [
        Examinee(Learner(emulator, token, 50_000 + n), random.Random(seed * 100 + n)) for n in range(learners)
    ]
    answering = Answering(people)
    answering.start()
    started = time.monotonic()
    try:
        for _ in range(kills):
            mark = len(coach.output())
            end = time.monotonic() + PATIENCE
            while not _serving_since(coach, mark) and time.monotonic() < end:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 1.5))
            coach.kill()
            coach.start()
            if answering.problems:
                break
    finally:
        replies_lost = answering.finish()
    seconds = time.monotonic() - started
    coach.terminate()
    recorded = _answers_by_learner(database)
    given = answering.given()
    lost, twice = answering.lost_and_twice(recorded)
    return KillFigures(
        kills=kills,
        answers_given=sum(given.values()),
        answers_recorded=sum(recorded.values()),
        answers_lost=lost,
        answers_twice=twice,
        replies_lost=replies_lost,
        messages_twice=sum(_twice(emulator, token, e.person.user_id) for e in people),
        seconds=seconds,
        per_learner=given,
    )


def _onboard(person: Learner) -> None:
    person.command("/start")
    person.wait_for("Which language do you prefer?", deadline=PATIENCE)
    person.press("English")
    person.wait_for("Before we start", deadline=PATIENCE)
    person.press("OK, understood")
    person.wait_for("At what time", deadline=PATIENCE)
    person.press("09:30")
    person.wait_for("All set!", deadline=PATIENCE)


def _answers_by_learner(database: Path) -> Counter[int]:
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT l.platform_user_id FROM answers a JOIN learners l ON l.id = a.learner_id"
        ).fetchall()
    return Counter(int(user) for (user,) in rows)


def _twice(emulator: Emulator, token: str, chat: int) -> int:
    """Questions that arrived again: sent to the chat with the same text and the same buttons."""
    sends = emulator.control("sends", token)["accepted"]
    seen = Counter(
        content
        for _at, chat_id, method, content in sends
        if chat_id == chat and method == "sendMessage" and not content.endswith("|")
    )
    return sum(n - 1 for n in seen.values())
