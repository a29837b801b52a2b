"""The engine's cost of one graded answer, in process: no chat platform, SQLite on disk.

N learners (default 300) are each taken to the first question of the same
lesson; then every learner answers both questions, the first by button, the
second by button too, as the Telegram overhead benchmark's learners do. Each
answer is handled as `digicoach run` handles it: the coach's turn (claim the
event, grade, record, keep the replies), then one "the platform took it"
record per reply, as the courier reports them.

Printed: CPU per graded answer (``time.process_time``; target at most 2 ms),
the SQL statements of one answer, turn and records apart, and with
``--profile`` the functions that took the most time (cProfile, own time and
cumulative). The test suite asserts none of these.
Run: .venv/bin/python benchmarks/answer_path.py [--learners N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from operator import itemgetter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.adapters.memory import MemoryChat  # noqa: E402
from lessons.chat import ChoiceSelected, Outgoing  # noqa: E402
from lessons.engine import Coach  # noqa: E402
from lessons.loader import load_library  # noqa: E402
from storage.unit_of_work import Store  # noqa: E402
from tests.support.clock import FakeClock  # noqa: E402
from tests.support.database import counting  # noqa: E402
from tests.support.flows import onboard, read_cards  # noqa: E402

LIBRARY = ROOT / "tests" / "fixtures" / "library"


def press(coach: Coach, chat: MemoryChat, label: str, number: int) -> list[Outgoing]:
    """The coach's turn for one press: the answer graded and its replies stored."""
    outgoing = coach.handle(ChoiceSelected(chat.sender, chat.find(label).id, f"press-{chat.user}-{number}"))
    chat.last = [o.reply for o in outgoing]
    return outgoing


def record_sent(coach: Coach, outgoing: list[Outgoing]) -> None:
    """Each reply recorded as sent on its own, as the courier reports them."""
    for sent in outgoing:
        coach.sent([sent.id])


def answer(coach: Coach, chat: MemoryChat, label: str, number: int) -> None:
    """One press handled as the app does: the turn, then the sent records."""
    record_sent(coach, press(coach, chat, label, number))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=300, help="learners answering two questions each")
    parser.add_argument("--profile", action="store_true", help="print where the answering time goes")
    args = parser.parse_args()

    loaded = load_library([LIBRARY], ("nl", "en"))
    assert loaded.library is not None, [str(p) for p in loaded.problems]
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/coach.sqlite3")
        store.upgrade()
        coach = Coach(store, loaded.library, FakeClock(), charts=Path(folder) / "charts")
        chats = [MemoryChat(coach, f"learner-{n}", "en") for n in range(args.learners)]
        for chat in chats:
            onboard(chat)
            chat.press("Start today's lesson")
            read_cards(chat)
        answer(coach, chats[0], "coffee", 0)  # warm: the first answer fills caches and compiles statements
        answer(coach, chats[0], "False", 1)

        def answer_all() -> None:
            for number, label in ((0, "coffee"), (1, "False")):
                for chat in chats[1:]:
                    answer(coach, chat, label, number)

        profiler = cProfile.Profile() if args.profile else None
        started = time.process_time()
        if profiler is not None:
            profiler.runcall(answer_all)
        else:
            answer_all()
        cpu = time.process_time() - started
        answers = 2 * (len(chats) - 1)

        probe = MemoryChat(coach, "probe", "en")
        onboard(probe)
        probe.press("Start today's lesson")
        read_cards(probe)
        with counting(store) as statements:
            outgoing = press(coach, probe, "coffee", 0)
        with counting(store) as records:
            record_sent(coach, outgoing)
        store.close()

    print(f"{answers} graded answers by {len(chats) - 1} learners, SQLite on disk")
    print(f"CPU per graded answer: {1000 * cpu / answers:.2f} ms (target at most 2 ms)")
    print(f"statements of one answer: {len(statements)} in the turn, {len(records)} recording its "
          f"{len(outgoing)} replies as sent")  # fmt: skip
    for statement in statements + records:
        print(f"  {' '.join(statement.split())[:150]}")
    if profiler is not None:
        report(profiler, answers)


def report(profiler: cProfile.Profile, answers: int) -> None:
    stats = pstats.Stats(profiler)
    rows: list[tuple[float, float, str]] = []
    for (file, line, name), (_calls, _real, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = file.replace(str(ROOT) + "/", "").split("site-packages/")[-1]
        rows.append((own, cumulative, f"{name} ({where}:{line})"))
    for title, key in (("own time", 0), ("cumulative", 1)):
        print(f"\ntop by {title}, µs per answer:")
        for own, cumulative, name in sorted(rows, key=itemgetter(key), reverse=True)[:15]:
            print(f"  {1e6 * own / answers:7.0f} own {1e6 * cumulative / answers:7.0f} cum  {name}")


if __name__ == "__main__":
    main()
