"""Faults against the Telegram emulator: floods, a 60 s outage, a 60 s stall, and random kills.

Prints, per scenario, what a learner would miss and how long it took; asserts
nothing (the test suite asserts the rules on shorter runs).

- **Flood**: 200 lesson invitations due at once while the emulator answers 429
  under two rules: "window" (more than 10 sends in a second are refused with
  retry_after 30 s; the minimum is 20 s) and "penalty" (more than 25 in a
  second, and then every send is refused until retry_after 5 s has passed,
  as Telegram treats a flooding bot; the minimum is 8 s). Printed: the time
  from the first send to the last invitation delivered, its ratio to the
  minimum, invitations delivered twice, and retries sent before their
  retry_after.
- **Outage**: the Bot API refuses connections for 60 s while eight replies
  wait to go out; replies lost, replies twice, and how soon after the API
  came back a new message was answered.
- **Stall**: the Bot API stops answering (SIGSTOP) for 60 s while eight
  replies wait: copies of each that arrived.
- **Kills**: ``--kills`` SIGKILLs at random moments while six learners answer
  (``tests/e2e/telegram/kills.py``); answers lost or counted twice, replies
  lost, messages sent twice, and the coach's own measure of the moment in
  which a kill sends a reply twice.

    .venv/bin/python benchmarks/telegram_faults.py [--kills 100] [--only flood,outage,stall,kills]
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parents[1]))

from bot.adapters.memory import MemoryChat
from lessons.chat import Sender
from lessons.engine import Coach as Engine
from lessons.loader import load_library
from storage.unit_of_work import Store
from tests.e2e.telegram.emulator import Coach, Emulator, Learner, running_emulator, wait_until
from tests.e2e.telegram.kills import kill_at_random
from tests.e2e.telegram.test_telegram_chat import onboard

INVITATIONS = 200
FLOOD_RULES = {
    "window": {"per_second": 10, "retry_after": 30, "mode": "window"},
    "penalty": {"per_second": 25, "retry_after": 5, "mode": "penalty"},
}


class TelegramChat(MemoryChat):
    """A learner set up through the engine directly, with a numeric Telegram chat."""

    @property
    def sender(self) -> Sender:
        return Sender("telegram", self.user, self.user, self.user, "en")


def learners_due_now(database: Path, count: int) -> list[int]:
    """``count`` onboarded Telegram learners whose lesson time was a minute ago, every day a lesson day."""
    store = Store(f"sqlite:///{database}")
    store.upgrade()
    library = load_library().library
    assert library is not None
    engine = Engine(store, library)
    users = [70_000 + n for n in range(count)]
    for user in users:
        chat = TelegramChat(engine, str(user), "en")
        chat.command("/start")
        chat.press("English")
        chat.choose("ok:privacy")
        chat.press("09:30")
    due = (datetime.now(ZoneInfo("Europe/Brussels")) - timedelta(minutes=1)).time().replace(microsecond=0)
    with store.engine.begin() as db:
        db.exec_driver_sql("UPDATE learners SET weekdays = '1234567', delivery_time = ?", (due.isoformat(),))
    store.close()
    return users


def flood(emulator: Emulator, rule: str) -> None:
    token = f"{8000 + len(rule)}:flood-{rule}"
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "coach.sqlite3"
        users = learners_due_now(database, INVITATIONS)
        emulator.control("limits", token, **FLOOD_RULES[rule])
        coach = Coach(
            emulator,
            token,
            database,
            DIGICOACH_LESSONS=str(Path(__file__).parents[1] / "lessons" / "library"),
            DIGICOACH_SPREAD_MINUTES="0",
            TELEGRAM_MAX_PER_CHAT_PER_SECOND="1",
            DIGICOACH_LOG_LEVEL="WARNING",
        )
        coach.start()
        try:
            wait_until(
                lambda: emulator.control("stats", token)["sent"] >= INVITATIONS,
                "every invitation",
                deadline=600,
            )
            time.sleep(2)  # a copy sent twice would have come by now
        finally:
            coach.terminate()
        sends = emulator.control("sends", token)
    accepted = [s for s in sends["accepted"] if s[2] == "sendMessage"]
    refusals = sends["refusals"]
    first = min([a[0] for a in accepted] + [r[0] for r in refusals])
    last = max(a[0] for a in accepted)
    per_chat = Counter(a[1] for a in accepted)
    early = 0
    for at, chat, retry_after in refusals:
        later = [a[0] for a in accepted if a[1] == chat and a[0] > at]
        retried = [r[0] for r in refusals if r[1] == chat and r[0] > at]
        nxt = min(later + retried, default=None)
        if nxt is not None and nxt < at + retry_after * 1000 - 50:  # 50 ms for the clocks' rounding
            early += 1
    limits = FLOOD_RULES[rule]
    rate, retry_after = limits["per_second"], limits["retry_after"]
    minimum = INVITATIONS / rate
    # A sender that learns the limit from its first 429 (one second's worth went through) waits
    # at least one retry_after: for the refused chat ("window"), or for everything ("penalty").
    bound = max(minimum, retry_after) if rule == "window" else minimum + retry_after
    took = (last - first) / 1000
    print(
        f"flood, rule '{rule}' ({rate}/s, retry_after {retry_after} s): "
        f"{len(per_chat)} of {len(users)} invitations delivered in {took:.1f} s "
        f"(minimum {minimum:.0f} s, {took / minimum:.2f}x; with one 429 at least {bound:.0f} s, "
        f"{took / bound:.2f}x that); {len(refusals)} refusals; "
        f"{sum(n - 1 for n in per_chat.values())} delivered twice; {early} retries before retry_after"
    )


def _pending_breaks(emulator: Emulator, token: str, folder: Path) -> tuple[Coach, Learner]:
    coach = Coach(emulator, token, folder / "coach.sqlite3", TELEGRAM_MAX_PER_CHAT_PER_SECOND="1")
    coach.start()
    georgette = Learner(emulator, token, 4711)
    onboard(georgette)
    for days in range(1, 9):
        georgette.command(f"/pause {days}")
    georgette.wait_until_confirmed()
    return coach, georgette


def _breaks(georgette: Learner) -> Counter[str]:
    return Counter(m["text"] for m in georgette.messages() if "break" in (m.get("text") or "").lower())


def outage(emulator: Emulator, seconds: float) -> None:
    token = "8101:outage"
    with tempfile.TemporaryDirectory() as folder:
        coach, georgette = _pending_breaks(emulator, token, Path(folder))
        before = sum(_breaks(georgette).values())
        emulator.control("outage", token, seconds=seconds)
        time.sleep(seconds + 0.2)
        back = time.monotonic()
        # Someone else writes: their answer waits behind nobody's, so this times polling alone.
        harry = Learner(emulator, token, 4712)
        harry.command("/help")
        harry.wait_for("/progress", deadline=120)
        answered_after = time.monotonic() - back
        wait_until(lambda: len(_breaks(georgette)) == 8, "every answer", deadline=120)
        time.sleep(2)
        copies = _breaks(georgette)
        coach.terminate()
    print(
        f"outage of {seconds:.0f} s ({8 - before} of 8 replies waiting when it began): "
        f"{8 - len(copies)} lost, {sum(n - 1 for n in copies.values())} twice; "
        f"a new message answered {answered_after:.1f} s after the API came back"
    )


def stall(emulator: Emulator, seconds: float) -> None:
    token = "8102:stall"
    with tempfile.TemporaryDirectory() as folder:
        coach, georgette = _pending_breaks(emulator, token, Path(folder))
        before = sum(_breaks(georgette).values())
        emulator.process.send_signal(signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            emulator.process.send_signal(signal.SIGCONT)
        wait_until(lambda: len(_breaks(georgette)) == 8, "every answer", deadline=120)
        time.sleep(3)
        copies = _breaks(georgette)
        coach.terminate()
    print(
        f"stall of {seconds:.0f} s ({8 - before} of 8 replies waiting when it began): "
        f"{8 - len(copies)} lost; copies per reply {sorted(copies.values())}"
    )


def kills(emulator: Emulator, count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "coach.sqlite3"
        figures = kill_at_random(emulator, "8103:kills", database, kills=count)
        log = (database.with_suffix(".log")).read_text()
    print(f"kills: {figures}")
    windows = re.findall(r"median ([\d.]+) ms, 99th percentile ([\d.]+) ms, longest ([\d.]+) ms", log)
    if windows:
        m, p99, longest = windows[-1]
        print(f"  from Telegram's answer to the record: median {m} ms, 99th {p99} ms, longest {longest} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the outage and of the stall")
    parser.add_argument("--only", default="flood,outage,stall,kills")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    started = datetime.now(UTC)
    with running_emulator() as emulator:
        if "flood" in wanted:
            for rule in FLOOD_RULES:
                flood(emulator, rule)
        if "outage" in wanted:
            outage(emulator, args.seconds)
        if "stall" in wanted:
            stall(emulator, args.seconds)
        if "kills" in wanted:
            kills(emulator, args.kills)
    print(f"({(datetime.now(UTC) - started).total_seconds():.0f} s in all)")


if __name__ == "__main__":
    main()
