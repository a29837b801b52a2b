"""Several coach processes on one PostgreSQL: takeover time of the Telegram poller, peak send rate.

Runs the scenario of ``tests/e2e/telegram/test_telegram_several_processes.py``
(``tests/e2e/telegram/several.py``) and prints its figures: three `digicoach
run` processes against the Telegram emulator and a real PostgreSQL server,
``--learners`` learners whose lesson time comes during the run, a few more
answering the placement check throughout, and the process holding the
Telegram poller killed with SIGKILL at least ``--kills`` times (and until every
invitation is out). Takeover: from the kill to the moment another process
says it polls. Peak: the most sends the emulator accepted in one second.

    .venv/bin/python benchmarks/several_processes.py [--learners 2000] [--kills 10] [--limit 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.telegram.emulator import running_emulator  # noqa: E402
from tests.e2e.telegram.several import run_fleet  # noqa: E402
from tests.support.databases import PostgreSQLDatabases  # noqa: E402
from tests.support.postgresql import PostgreSQL  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--limit", type=float, default=50.0, help="TELEGRAM_MAX_PER_SECOND of each process")
    parser.add_argument("--processes", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    server = PostgreSQL()
    server.start()
    try:
        databases = PostgreSQLDatabases(server)
        with running_emulator() as emulator, tempfile.TemporaryDirectory() as folder:
            figures = run_fleet(
                emulator,
                "1:bench-token",
                databases.migrated(),
                Path(folder),
                processes=args.processes,
                kills=args.kills,
                learners=args.learners,
                limit=args.limit,
            )
    finally:
        server.stop()
    print(figures)
    takeovers = figures.takeovers
    print(
        f"takeover of the poller: min {min(takeovers):.1f} s, median {statistics.median(takeovers):.1f} s, "
        f"max {max(takeovers):.1f} s over {len(takeovers)} kills"
    )
    busiest = sorted(figures.per_second.values(), reverse=True)[:5]
    print(f"sends per second at the emulator, the five busiest seconds: {busiest} (limit {args.limit:g})")


if __name__ == "__main__":
    main()
