"""How long `digicoach lessons check` takes on a library of 500 lesson files.

The target (issue 3) is under 2 s on a 2-core machine. The library is the
shipped lessons copied under new ids until there are 500, plus a track that
lists all of them, in a temporary folder. Prints the figures; asserts nothing.

    .venv/bin/python benchmarks/lesson_check.py [--files 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lessons.loader import LIBRARY_DIR, load_library

TARGET_SECONDS = 2.0


def make_library(folder: Path, files: int) -> None:
    # The lessons only: tracks and the placement check are one per library.
    shipped = sorted(
        p for p in LIBRARY_DIR.rglob("*.yaml") if p.parent.name not in ("tracks", LIBRARY_DIR.name)
    )
    ids: list[str] = []
    for n in range(files):
        source = shipped[n % len(shipped)]
        lesson_id = f"{source.stem[:40]}-{n}"
        text = re.sub(
            r"^id: .*$", f"id: {lesson_id}", source.read_text(encoding="utf-8"), count=1, flags=re.M
        )
        topic_folder = folder / source.parent.name
        topic_folder.mkdir(exist_ok=True)
        (topic_folder / f"{lesson_id}.yaml").write_text(text, encoding="utf-8")
        ids.append(lesson_id)
    track = "kind: track\nid: everything\ntitle: {nl: Alles, en: Everything}\n"
    track += "audience: [all, manager, helpdesk]\nlessons:\n"
    track += "".join(f"  - {i}\n" for i in ids)
    (folder / "everything.yaml").write_text(track, encoding="utf-8")


def time_command(folder: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU time of the real command, interpreter start and imports included.

    CPU time (user + system) is the steadier figure on a machine others share.
    """
    command = [sys.executable, "-m", "bot", "lessons", "check", "--strict", "--languages", "nl,en,fr,de"]
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([*command, str(folder)], capture_output=True, text=True, check=False)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            sys.exit(f"lessons check failed on the generated library:\n{done.stdout}{done.stderr}")
    return wall, cpu


def time_in_process(folder: Path, runs: int) -> list[float]:
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        loaded = load_library([folder], ("nl", "en", "fr", "de"))
        times.append(time.perf_counter() - start)
        assert loaded.library is not None
    return times


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--files", type=int, default=500)
    options.add_argument("--runs", type=int, default=5)
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_library(folder, args.files)
        size = sum(p.stat().st_size for p in folder.rglob("*.yaml"))
        print(f"library: {args.files} lessons + 1 track, {size / 1e6:.1f} MB, {os.cpu_count()} CPU(s)")
        loading = time_in_process(folder, args.runs)
        command, cpu = time_command(folder, args.runs)
    per_file = statistics.median(loading) / (args.files + 1) * 1000
    print(f"load_library:         median {statistics.median(loading):.2f} s ({per_file:.2f} ms per file)")
    best = statistics.median(command)
    verdict = "within" if best < TARGET_SECONDS else "OVER"
    print(
        f"digicoach lessons check: median {best:.2f} s, min {min(command):.2f} s, max {max(command):.2f} s "
        f"({verdict} the {TARGET_SECONDS:.0f} s target); CPU time median {statistics.median(cpu):.2f} s"
    )


if __name__ == "__main__":
    main()
