"""Digests: how long the weekly digests of 5,000 teams take to compute, and to draw.

Builds a SQLite database with one region of 200 organisations, 25 teams each
(5,000 teams), 10 members per team (50,000 learners), each with lessons and
quiz answers over the last four weeks, then, in a fresh process so the peak
memory is the digests' own:

1. the figures of all 5,000 team digests (what a Monday morning computes);
2. the chart of a sample of them (drawing is the slow part), per chart;
3. the 200 organisation digests and the one region digest.

Prints CPU time (this process's own, the figure to compare on a busy machine)
and wall time, and the peak memory (VmHWM) so far after the team digests, after
the charts and at the end; the test suite asserts none of them.
Run: .venv/bin/python benchmarks/digests.py [--teams N] [--charts N]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from benchmarks.fanout import peak_rss_mb  # noqa: E402
from lessons import audience, digest_chart  # noqa: E402
from lessons.digest import Digest, compute  # noqa: E402
from lessons.loader import LIBRARY_DIR, load_library  # noqa: E402
from lessons.rhythm import Rhythm  # noqa: E402
from storage.models import (  # noqa: E402
    AnswerRow,
    DeliveryRow,
    LearnerRow,
    OrganisationRow,
    RoleRow,
    TeamRow,
)
from storage.unit_of_work import Store  # noqa: E402

TEAMS_PER_ORGANISATION = 25
MEMBERS_PER_TEAM = 10
TODAY = date(2026, 3, 30)  # a Monday: the digest reports on 23-29 March
NOW = datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


def build(path: Path, teams: int) -> None:
    store = Store(f"sqlite:///{path}")
    store.upgrade()
    library = load_library([LIBRARY_DIR], ("nl",)).library
    assert library is not None
    lessons = list(library.lessons.values())
    rng = random.Random(7)
    organisations = max(1, teams // TEAMS_PER_ORGANISATION)
    with store.engine.begin() as connection:
        connection.execute(
            insert(OrganisationRow),
            [
                {
                    "slug": f"gemeente-{o}",
                    "name": f"Gemeente {o}",
                    "region": "noordzee",
                    "country": "BE",
                    "subdivision": None,
                    "timezone": "Europe/Brussels",
                    "language": "nl",
                    "archived": False,
                }
                for o in range(organisations)
            ],
        )
        org_ids = list(connection.scalars(select(OrganisationRow.id).order_by(OrganisationRow.id)))
        connection.execute(
            insert(TeamRow),
            [
                {
                    "organisation_id": org_ids[t % organisations],
                    "slug": f"team-{t}",
                    "name": f"Team {t}",
                    "archived": False,
                }
                for t in range(teams)
            ],
        )
        team_ids = list(connection.scalars(select(TeamRow.id).order_by(TeamRow.id)))
        learners = teams * MEMBERS_PER_TEAM
        connection.execute(
            insert(LearnerRow),
            [
                {
                    "platform": "telegram",
                    "platform_user_id": str(n),
                    "chat_id": str(n),
                    "display_name": f"P{n}",
                    "locale": "nl",
                    "timezone": "Europe/Brussels",
                    "delivery_time": time(9, 30),
                    "weekdays": "12345",
                    "stage": "ready",
                    "active": True,
                    "reminders": True,
                    "share_name": n % 4 == 0,
                    "organisation_id": org_ids[(n // MEMBERS_PER_TEAM) % organisations],
                    "created_at": NOW,
                }
                for n in range(learners)
            ],
        )
        learner_ids = list(connection.scalars(select(LearnerRow.id).order_by(LearnerRow.id)))
        connection.execute(
            insert(RoleRow),
            [
                {
                    "learner_id": learner_id,
                    "role": "member",
                    "team_id": team_ids[n // MEMBERS_PER_TEAM],
                    "organisation_id": None,
                    "region": None,
                    "granted_at": NOW,
                }
                for n, learner_id in enumerate(learner_ids)
            ],
        )
        # Four weeks of lessons: each learner takes a lesson on about half the working days.
        deliveries = []
        for learner_id in learner_ids:
            taken = 0
            for day_offset in range(28):
                day = TODAY - timedelta(days=28 - day_offset)
                if day.weekday() < 5 and rng.random() < 0.5:
                    lesson = lessons[taken % len(lessons)]
                    taken += 1
                    deliveries.append(
                        {
                            "learner_id": learner_id,
                            "local_date": day,
                            "slot": 0,
                            "kind": "lesson",
                            "lesson_id": lesson.id,
                            "lesson_version": lesson.version,
                            "topic": lesson.topic,
                            "items": "",
                            "step": "done",
                            "position": 0,
                            "selection": "",
                            "started_at": NOW,
                            "completed_at": NOW,
                        }
                    )
        for chunk in range(0, len(deliveries), 20_000):
            connection.execute(insert(DeliveryRow), deliveries[chunk : chunk + 20_000])
        rows = connection.execute(
            select(DeliveryRow.id, DeliveryRow.learner_id, DeliveryRow.lesson_id, DeliveryRow.topic)
        ).all()
        answers = [
            {"delivery_id": d, "learner_id": learner, "lesson_id": lesson, "question_id": f"q{q}",
             "topic": topic, "correct": rng.random() < 0.75, "response": "0", "answered_at": NOW}
            for d, learner, lesson, topic in rows
            for q in range(2)
        ]  # fmt: skip
        for chunk in range(0, len(answers), 20_000):
            connection.execute(insert(AnswerRow), answers[chunk : chunk + 20_000])
    print(
        f"built: {teams:,} teams, {len(learner_ids):,} learners, {len(deliveries):,} lessons, "
        f"{len(answers):,} answers",
        file=sys.stderr,
    )
    store.close()


class Stopwatch:
    """Wall and CPU time since it started.

    The CPU time is this process's own (SQLite runs inside it): on a busy
    machine it is the figure to compare, wall time waits for other processes.
    """

    def __init__(self) -> None:
        self.wall, self.cpu = clock.perf_counter(), clock.process_time()

    def took(self) -> tuple[float, float]:
        return clock.perf_counter() - self.wall, clock.process_time() - self.cpu


def measure(path: Path, charts: int) -> None:
    store = Store(f"sqlite:///{path}")
    library = load_library([LIBRARY_DIR], ("nl",)).library
    assert library is not None
    rhythm = Rhythm()
    with store.transaction() as tx:
        team_ids = [t.id for o in tx.organisations.all() for t in tx.teams.of(o.id)]
        scopes = [audience.team_scope(tx, team_id) for team_id in team_ids]
    watch = Stopwatch()
    # In transactions of as many digests as one tick sends, as `digicoach run` does; like it,
    # the benchmark lets each tick's digests go (it keeps only those it draws charts of).
    drawn: list[Digest] = []
    for first in range(0, len(scopes), rhythm.digests_per_tick):
        with store.transaction() as tx:
            digests = [
                compute(tx, scope, TODAY, library, rhythm)
                for scope in scopes[first : first + rhythm.digests_per_tick]
            ]
        assert all(d.reported and d.lessons for d in digests)
        drawn += digests[: max(1, charts) - len(drawn)]
    wall, cpu = watch.took()
    print(
        f"figures of {len(scopes):,} team digests: {cpu:.1f} s CPU, {wall:.1f} s wall "
        f"({1000 * cpu / len(scopes):.1f} ms CPU per team); peak memory so far {peak_rss_mb():.0f} MB"
    )

    folder = Path(tempfile.mkdtemp())
    digest_chart.draw(drawn[0], folder / "warm-up.png")  # importing matplotlib is not drawing
    watch = Stopwatch()
    for n, digest in enumerate(drawn[:charts]):
        digest_chart.draw(digest, folder / f"{n}.png")
    wall, cpu = watch.took()
    per_chart, wall_per_chart = cpu / max(1, charts), wall / max(1, charts)
    print(
        f"charts: {charts} drawn, {1000 * per_chart:.0f} ms CPU each ({1000 * wall_per_chart:.0f} ms wall); "
        f"all {len(scopes):,} would take {per_chart * len(scopes) / 60:.1f} min of CPU; "
        f"peak memory so far {peak_rss_mb():.0f} MB"
    )

    watch = Stopwatch()
    with store.transaction() as tx:
        organisations = [audience.organisation_scope(tx, o) for o in tx.organisations.all()]
        for scope in organisations:
            compute(tx, scope, TODAY, library, rhythm)
    wall, cpu = watch.took()
    print(f"figures of {len(organisations)} organisation digests: {cpu:.1f} s CPU, {wall:.1f} s wall")
    watch = Stopwatch()
    with store.transaction() as tx:
        region = compute(tx, audience.region_scope(tx, "noordzee"), TODAY, library, rhythm)
    wall, cpu = watch.took()
    print(
        f"figures of the region digest ({region.members:,} members, {len(region.breakdown)} organisations): "
        f"{cpu:.1f} s CPU, {wall:.1f} s wall"
    )
    print(f"peak memory: {peak_rss_mb():.0f} MB")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teams", type=int, default=5000)
    parser.add_argument("--charts", type=int, default=50, help="how many charts to draw (default 50)")
    parser.add_argument("--measure", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure), args.charts)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "digests.sqlite3"
        build(path, args.teams)
        subprocess.run(
            [sys.executable, __file__, "--measure", str(path), "--charts", str(args.charts)], check=True
        )


if __name__ == "__main__":
    main()
