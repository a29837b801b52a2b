"""Fan-out: how long and how much memory planning one day takes for 100,000 learners.

Builds a SQLite database with N learners (default 100,000) spread over 200
organisations' worth of time zones and lesson times, then, in a fresh process
so the peak memory is the planner's own:

1. the worst tick: everybody's lesson time has come at once; a tick plans at
   most ``PLAN_PER_TICK`` of them, so one-minute ticks run until all are
   planned, and the longest one is the figure;
2. a whole day of one-minute ticks (1,440), as `digicoach run` does it;
3. the same day in a database that keeps two working weeks of invitations
   sent before it, as one that has run a while does (pushes are kept).

Then the SQL statements of one whole tick (planned and sent) with 10 and with
100 invitations due, in one organisation (its holidays, its language), as
the issue counted them: a statement costs a round trip on PostgreSQL, however
little it does.

Prints the figures, CPU time as well as wall time (the machine may be busy);
the test suite asserts none of the times (tests/engine/test_tick_statements.py
pins the statements).
Run: .venv/bin/python benchmarks/fanout.py [--learners N]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from lessons.engine import Coach  # noqa: E402
from lessons.loader import load_library  # noqa: E402
from storage.models import LearnerRow, OrganisationRow, PushRow  # noqa: E402
from storage.unit_of_work import Store  # noqa: E402
from tests.support.database import counting  # noqa: E402

TIMEZONES = ["Europe/Brussels", "Europe/Amsterdam", "Europe/Berlin", "Europe/Paris", "Europe/London",
             "Europe/Copenhagen", "Europe/Oslo", "Europe/Stockholm"]  # fmt: skip
DAY = datetime(2026, 3, 3, tzinfo=UTC)  # a Tuesday, no public holiday in Belgium
KEPT_DAYS = 10  # working days of invitations sent before DAY, in the third run


def build(path: Path, learners: int) -> None:
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    rng = random.Random(7)
    rows = [
        {
            "platform": "telegram",
            "platform_user_id": str(100_000_000 + n),
            "chat_id": str(100_000_000 + n),
            "display_name": None,
            "locale": rng.choice(["nl", "nl", "fr", "en", "de"]),
            # 200 organisations, each in one time zone with its own usual lesson time
            "timezone": TIMEZONES[(n % 200) % len(TIMEZONES)],
            "delivery_time": time(8 + (n % 200) % 2, rng.choice([0, 15, 30, 45])),
            "weekdays": "12345",
            "stage": "ready",
            "active": True,
            "created_at": DAY,
        }
        for n in range(learners)
    ]
    with store.engine.begin() as connection:
        connection.execute(insert(LearnerRow), rows)
    store.close()


def keep_sent_invitations(path: Path, days: int) -> None:
    """Every learner's invitation on each of ``days`` working days before DAY, sent."""
    store = Store(f"sqlite:///{path}")
    with store.engine.begin() as connection:
        learners = connection.execute(select(LearnerRow.id)).scalars().all()
        day = DAY.date()
        for _ in range(days):
            day -= timedelta(days=3 if day.isoweekday() == 1 else 1)
            at = datetime.combine(day, time(8, 0), tzinfo=UTC)
            connection.execute(
                insert(PushRow),
                [{"learner_id": learner, "local_date": day, "kind": "lesson", "due_at": at, "status": "sent",
                  "sent_at": at} for learner in learners],
            )  # fmt: skip
    store.close()


def peak_rss_mb() -> float:
    """This process's peak resident memory.

    Read from /proc (VmHWM), not getrusage: Linux carries the parent's high
    water mark across fork and exec into ru_maxrss, which would count the
    database builder's memory as the planner's.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: Path, mode: str) -> None:
    store = Store(f"sqlite:///{path}")
    library = load_library().library
    assert library is not None
    coach = Coach(store, library)
    started, cpu_started = clock.perf_counter(), clock.process_time()
    longest, ticks = 0.0, 0
    if mode == "worst-tick":
        # 10:50 in Brussels, 09:50 in London: every lesson time (08:00-09:45) is due at once
        everyone = len(learner_ids(store))
        while planned_count(store) < everyone and ticks < 100:
            tick_started = clock.process_time()
            coach.plan_due(DAY + timedelta(hours=9, minutes=50 + ticks))
            longest, ticks = max(longest, clock.process_time() - tick_started), ticks + 1
    else:
        for minute in range(24 * 60):
            coach.plan_due(DAY + timedelta(minutes=minute))
    seconds, cpu = clock.perf_counter() - started, clock.process_time() - cpu_started
    planned = planned_count(store)
    peak_mb = peak_rss_mb()
    print(
        f"{mode:>10}: {planned:>7,} invitations planned in {cpu:6.2f} s of CPU ({seconds:6.2f} s wall), "
        f"peak RSS {peak_mb:6.1f} MB"
        + (f"; {ticks} ticks, the longest {longest:.2f} s of CPU (target at most 1 s)" if ticks else "")
    )


def planned_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(PushRow).where(PushRow.local_date >= DAY.date())
        ).scalar_one()


def learner_ids(store: Store) -> list[int]:
    with store.engine.connect() as connection:
        return list(connection.execute(select(LearnerRow.id)).scalars())


def statements_per_tick(folder: Path, invitations: int) -> int:
    """The SQL statements one tick runs that plans and sends ``invitations`` lesson invitations."""
    path = folder / f"statements-{invitations}.sqlite3"
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    with store.engine.begin() as connection:
        organisation = connection.execute(
            insert(OrganisationRow).returning(OrganisationRow.id),
            {"slug": "gent", "name": "Gent", "country": "BE", "subdivision": None,
             "timezone": "Europe/Brussels", "language": "nl", "archived": False},
        ).scalar_one()  # fmt: skip
        connection.execute(
            insert(LearnerRow),
            [
                {"platform": "telegram", "platform_user_id": str(n), "chat_id": str(n), "display_name": None,
                 "locale": None, "timezone": "Europe/Brussels", "delivery_time": time(8, 0),
                 "weekdays": "12345", "stage": "ready", "active": True, "organisation_id": organisation,
                 "created_at": DAY}
                for n in range(invitations)
            ],
        )  # fmt: skip
    library = load_library().library
    assert library is not None
    coach = Coach(store, library)
    with counting(store) as run:
        # 09:15 in Brussels: every 08:00 lesson time and its spread (10 minutes) has passed.
        sent = coach.deliver_due(DAY + timedelta(hours=8, minutes=15))
    store.close()
    assert len(sent) == invitations, f"{len(sent)} of {invitations} invitations sent"
    return len(run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--measure", choices=("worst-tick", "whole-day"))
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.measure:
        measure(args.db, args.measure)
        return
    with tempfile.TemporaryDirectory() as folder:
        for mode, kept_days in (("worst-tick", 0), ("whole-day", 0), ("whole-day", KEPT_DAYS)):
            db = Path(folder) / f"{mode}-{kept_days}.sqlite3"
            started = clock.perf_counter()
            build(db, args.learners)
            keep_sent_invitations(db, kept_days)
            kept = f", {kept_days} days of invitations kept" if kept_days else ""
            print(
                f"built {args.learners:,} learners in {clock.perf_counter() - started:.1f} s ({mode}{kept})"
            )
            subprocess.run([sys.executable, __file__, "--measure", mode, "--db", str(db)], check=True)
        counted = {n: statements_per_tick(Path(folder), n) for n in (10, 100)}
        each = ", ".join(f"{n} invitations {s} ({s / n:.2f} each)" for n, s in counted.items())
        further = (counted[100] - counted[10]) / 90
        print(f"statements in one tick: {each}; each further invitation {further:.2f}")


if __name__ == "__main__":
    main()
