"""Three `digicoach run` processes on one PostgreSQL, and the Telegram poller killed again and again.

A fleet of learners whose lesson time comes during the run is written into the
database; a few more take the placement check over and over through the
emulator. Meanwhile whichever process long-polls Telegram (it says so in its
log) is killed with SIGKILL and started again at once, as a supervisor would.
Afterwards: what each learner got, how long each takeover took, whether two
processes ever polled at once, and the most sends Telegram saw in one second.

Used by ``test_telegram_several_processes.py`` (which asserts) and
``benchmarks/several_processes.py`` (which prints the figures).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import holidays
from sqlalchemy import create_engine, insert, text

from storage.models import LearnerRow
from tests.e2e.telegram.emulator import Coach, Emulator, Learner
from tests.e2e.telegram.kills import PATIENCE, Answering, Examinee

SHIPPED_LESSONS = Path(__file__).parents[3] / "lessons" / "library"
POLLING = "polling Telegram for updates"
NOT_POLLING = "stopped polling Telegram for updates"
FLEET_IDS = 70_000_000


@dataclass
class FleetFigures:
    processes: int
    kills: int
    learners: int
    invitations_lost: int
    invitations_twice: int
    answers_given: int
    answers_lost: int
    answers_twice: int
    replies_lost: int
    takeovers: list[float]
    most_polling_at_once: int
    peak_sends_per_second: int
    limit_per_second: float
    seconds: float
    per_second: Counter[int] = field(default_factory=Counter)

    def __str__(self) -> str:
        takeovers = sorted(self.takeovers)
        return (
            f"{self.processes} processes, {self.kills} kills of the poller in {self.seconds:.0f} s; "
            f"{self.learners} invitations: {self.invitations_lost} lost, {self.invitations_twice} twice; "
            f"{self.answers_given} answers: {self.answers_lost} lost, {self.answers_twice} counted twice, "
            f"{self.replies_lost} replies lost; takeover {takeovers[0]:.1f}-{takeovers[-1]:.1f} s "
            f"(median {takeovers[len(takeovers) // 2]:.1f}); at most {self.most_polling_at_once} "
            f"process(es) polling at once; peak {self.peak_sends_per_second} sends in one second "
            f"(limit {self.limit_per_second:g})"
        )


class Process:
    """One `digicoach run` with its own data folder and log; started again after each kill."""

    def __init__(self, emulator: Emulator, token: str, folder: Path, url: str, env: dict[str, str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.coach = Coach(
            emulator,
            token,
            folder / "coach.sqlite3",  # names the log; the database is the shared one
            DIGICOACH_DATABASE_URL=url,
            DIGICOACH_DATA_DIR=str(folder / "data"),
            **env,
        )
        self.mark = 0

    def start(self) -> None:
        self.mark = len(self.coach.output())
        self.coach.start()

    def polling(self) -> bool:
        """Whether this run of the process says it polls now."""
        log = self.coach.output()[self.mark :]
        return log.rfind(POLLING) > log.rfind(NOT_POLLING)

    def kill_and_restart(self) -> None:
        self.coach.kill()
        self.start()


def free_of_holidays(today: date) -> str:
    """A country whose public holidays do not fall today or tomorrow, so every invitation is due."""
    for country in ("BE", "NL", "DE", "FR", "LU"):
        days = holidays.country_holidays(country, years=[today.year, today.year + 1])
        if today not in days and today + timedelta(days=1) not in days:
            return country
    raise AssertionError("every candidate country has a public holiday today")


def add_fleet(url: str, learners: int, due: datetime) -> None:
    """Learners set up with their lesson time at ``due`` (UTC), every day of the week."""
    rows = [
        {
            "platform": "telegram",
            "platform_user_id": str(FLEET_IDS + n),
            "chat_id": str(FLEET_IDS + n),
            "display_name": None,
            "locale": "en",
            "timezone": "UTC",
            "delivery_time": due.time().replace(tzinfo=None),
            "weekdays": "1234567",
            "stage": "ready",
            "active": True,
            "created_at": datetime.now(UTC),
        }
        for n in range(learners)
    ]
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(LearnerRow), rows)
    engine.dispose()


def run_fleet(
    emulator: Emulator,
    token: str,
    url: str,
    folder: Path,
    *,
    processes: int = 3,
    kills: int = 10,
    learners: int = 2000,
    examinees: int = 4,
    limit: float = 50.0,
    seed: int = 1,
) -> FleetFigures:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    # Far enough ahead that every process is up and polling is under way when it comes.
    due = (now + timedelta(seconds=60)).replace(second=0, microsecond=0)
    env = {
        "DIGICOACH_LESSONS": str(SHIPPED_LESSONS),
        "DIGICOACH_TICK_SECONDS": "5",
        # All at once, not spread over ten minutes: the send budget is what paces them.
        "DIGICOACH_SPREAD_MINUTES": "0",
        "DIGICOACH_HOLIDAY_COUNTRY": free_of_holidays(now.date()),
        "TELEGRAM_MAX_PER_SECOND": str(limit),
        "TELEGRAM_MAX_PER_CHAT_PER_SECOND": "50",
    }
    add_fleet(url, learners, due)
    fleet = [Process(emulator, token, folder / f"p{n + 1}", url, env) for n in range(processes)]
    for process in fleet:
        process.start()
    answering = Answering(
        [
            Examinee(Learner(emulator, token, 60_000 + n), random.Random(seed * 100 + n))
            for n in range(examinees)
        ]
    )
    answering.start()
    started = time.monotonic()
    takeovers: list[float] = []
    most_at_once = 0

    def holders() -> list[Process]:
        nonlocal most_at_once
        polling = [p for p in fleet if p.polling()]
        most_at_once = max(most_at_once, len(polling))
        return polling

    def wait_for_holder(since: float) -> Process:
        while time.monotonic() < since + PATIENCE:
            polling = holders()
            if polling:
                return polling[0]
            time.sleep(0.05)
        raise AssertionError(f"no process polled Telegram within {PATIENCE:.0f} s")

    try:
        holder = wait_for_holder(time.monotonic())
        # Kills go on while the invitations go out, at least ``kills`` of them: every learner's
        # invitation, before the limit's time to send them all is long past.
        deadline = time.monotonic() + 2 * PATIENCE + learners / (0.9 * limit)
        while len(takeovers) < kills or _invited(emulator, token) < learners:
            if time.monotonic() > deadline or answering.problems:
                break
            time.sleep(rng.uniform(0.5, 2.0))
            holders()
            killed = time.monotonic()
            holder.kill_and_restart()
            holder = wait_for_holder(killed)
            takeovers.append(time.monotonic() - killed)
    finally:
        try:
            replies_lost = answering.finish()
        finally:
            for process in fleet:
                # SIGTERM, as a supervisor stops it; SIGKILL if it has not stopped in time.
                process.coach.stop()
    seconds = time.monotonic() - started
    sends = emulator.control("sends", token)["accepted"]
    per_chat = Counter(int(chat) for _at, chat, method, _content in sends if method == "sendMessage")
    fleet_chats = [FLEET_IDS + n for n in range(learners)]
    per_second = Counter(int(at) // 1000 for at, _chat, _method, _content in sends)
    given = answering.given()
    lost, twice = answering.lost_and_twice(_answers_by_learner(url))
    return FleetFigures(
        processes=processes,
        kills=len(takeovers),
        learners=learners,
        invitations_lost=sum(per_chat[c] == 0 for c in fleet_chats),
        invitations_twice=sum(max(0, per_chat[c] - 1) for c in fleet_chats),
        answers_given=sum(given.values()),
        answers_lost=lost,
        answers_twice=twice,
        replies_lost=replies_lost,
        takeovers=takeovers,
        most_polling_at_once=most_at_once,
        peak_sends_per_second=max(per_second.values(), default=0),
        limit_per_second=limit,
        seconds=seconds,
        per_second=per_second,
    )


def _invited(emulator: Emulator, token: str) -> int:
    sends = emulator.control("sends", token)["accepted"]
    return len(
        {chat for _at, chat, method, _c in sends if method == "sendMessage" and int(chat) >= FLEET_IDS}
    )


def _answers_by_learner(url: str) -> Counter[int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT l.platform_user_id FROM answers a JOIN learners l ON l.id = a.learner_id")
        ).all()
    engine.dispose()
    return Counter(int(user) for (user,) in rows)
