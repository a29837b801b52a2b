"""How much the coach costs on top of python-telegram-bot itself, against the same emulator.

Bots in turn serve the Bot API emulator (tools/telegram-emulator):

- **the fair peer**, a bare PTB quiz bot (PTB's own Updater): a learner's
  ``/quiz`` gets a question with two buttons; a press is answered with the
  same three Bot API calls the coach makes (answer the press, edit the
  question to show the feedback, send the next question), with no database;
- a bare PTB echo bot, as a second reference: one call per text message;
- the coach (`digicoach run`), grading quiz answers pressed by button: update ->
  grade -> store in SQLite -> the question edited to show the feedback, the
  next question.

The quiz bot and the coach answer the same 100 learners, two answers each.
Printed, for each: CPU per answer, read from the bot process's own CPU time
(``/proc/PID/stat``) over the answering phase only, which the emulator's
speed does not distort; answers a second; and the ratios coach / quiz bot
(targets: CPU per answer at most 1.3x, throughput at least 0.9x). One round's
ratio varies by about a third on a shared 2-core machine, so the pair runs in
several rounds, each on a new emulator, and the medians are printed. The coach's
own sending limits are lifted here: this measures its code, not Telegram's
policy. Run: .venv/bin/python benchmarks/telegram_overhead.py
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).parents[1]
# ``--profile``'s sampler, from the ``bench`` extra.
PY_SPY = Path(sys.executable).parent / "py-spy"
sys.path.insert(0, str(ROOT))

from tests.e2e.telegram.emulator import Coach, Emulator, Learner, running_emulator, wait_until  # noqa: E402
from tests.support.synapse import free_port  # noqa: E402


def echo_bot(api: str, token: str) -> None:
    """The bare PTB echo bot, run in its own process."""
    from telegram import Update
    from telegram.ext import Application, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application = Application.builder().token(token).base_url(f"{api}/bot").build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(poll_interval=0, timeout=5)


def quiz_bot(api: str, token: str) -> None:
    """The bare PTB quiz bot, run in its own process: the coach's three calls per answer, no database."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

    questions = ["Which is strongest?", "The same password everywhere is safe."]

    def keyboard(number: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=f"{number}:{label}")] for label in ("Yes", "No")]
        )

    async def quiz(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await update.effective_chat.send_message(f"Question 1: {questions[0]}", reply_markup=keyboard(0))

    async def answer(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None and update.effective_chat is not None
        number, label = query.data.split(":", 1)
        await query.answer()
        await query.edit_message_text(f"{questions[int(number)]}\n\n→ {label}\n\n✅ Right!")
        following = int(number) + 1
        if following < len(questions):
            text, markup = f"Question {following + 1}: {questions[following]}", keyboard(following)
            await update.effective_chat.send_message(text, reply_markup=markup)
        else:
            await update.effective_chat.send_message("Quiz finished")

    application = Application.builder().token(token).base_url(f"{api}/bot").build()
    application.add_handler(CommandHandler("quiz", quiz))
    application.add_handler(CallbackQueryHandler(answer))
    application.run_polling(poll_interval=0, timeout=5)


# With --pin: the bot being measured on a core of its own, the emulator and the learners on the others.
PINNED: set[int] = set()


def pin(process: subprocess.Popen[Any] | None) -> None:
    if PINNED and process is not None:
        os.sched_setaffinity(process.pid, PINNED)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (its children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Answering:
    answers: int
    seconds: float
    cpu: float
    calls: dict[str, int]  # Bot API calls made while answering, by method (the emulator counts them)
    # The coach's turns at the database while answering (its /metrics), by work: CPU seconds, how many.
    turn_cpu: dict[str, float] = field(default_factory=dict)
    turn_count: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.answers / self.seconds

    @property
    def cpu_per_answer_ms(self) -> float:
        return 1000 * self.cpu / self.answers

    def turn_ms_per_answer(self, work: str) -> float:
        return 1000 * self.turn_cpu.get(work, 0.0) / self.answers

    def turn_cpu_ms_per_answer(self) -> float:
        return 1000 * sum(self.turn_cpu.values()) / self.answers

    def turns_per_answer(self, work: str) -> float:
        return self.turn_count.get(work, 0.0) / self.answers

    def calls_per_answer(self) -> str:
        return ", ".join(f"{method} {n / self.answers:.2f}" for method, n in sorted(self.calls.items()))


def calls(emulator: Emulator, token: str) -> dict[str, int]:
    counted: dict[str, int] = emulator.control("stats", token)["calls"]
    return counted


class Profile:
    """py-spy sampling a bot process over the answering phase (``--profile``): the thread holding the GIL, so
    the samples follow Python's CPU time, not threads waiting; the process is never paused."""

    def __init__(self, pid: int, file: Path | None) -> None:
        self.file = file
        self.spy: subprocess.Popen[bytes] | None = None
        if file is not None:
            spy = [
                str(PY_SPY),
                "record",
                "--nonblocking",
                "--gil",
                "--rate",
                "1000",
            ]
            self.spy = subprocess.Popen(
                [*spy, "--format", "raw", "--output", str(file), "--pid", str(pid)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1)  # attached before the first press

    def stop(self) -> None:
        if self.spy is not None:
            self.spy.send_signal(signal.SIGINT)
            self.spy.wait(60)


def top_frames(file: Path, count: int = 18) -> list[tuple[float, str]]:
    """The frames on most sampled stacks (inclusive share), from py-spy's collapsed stacks."""
    samples: Counter[str] = Counter()
    total = 0
    for line in file.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        total += int(number)
        for frame in set(stack.split(";")[1:]):  # the first is the thread
            samples[frame] += int(number)
    return [(100 * n / total, frame) for frame, n in samples.most_common(count)]


def turns_so_far(metrics: str) -> tuple[dict[str, float], dict[str, float]]:
    """The coach's turns at the database so far, by work, from its /metrics: CPU seconds, and how many."""
    cpu: dict[str, float] = {}
    count: dict[str, float] = {}
    for family in text_string_to_metric_families(httpx.get(f"http://{metrics}/metrics", timeout=10).text):
        if family.name == "digicoach_turn_cpu_seconds":
            for sample in family.samples:
                if sample.name.endswith("_sum"):
                    cpu[sample.labels["work"]] = sample.value
                elif sample.name.endswith("_count"):
                    count[sample.labels["work"]] = sample.value
    return cpu, count


def since(now: dict[str, float], before: dict[str, float]) -> dict[str, float]:
    return {work: total - before.get(work, 0.0) for work, total in now.items()}


def answer_twice(
    people: list[Learner],
    pid: int,
    first: str,
    second: str,
    done: str,
    profile: Path | None = None,
    metrics: str | None = None,
) -> Answering:
    """Everyone presses ``first``, then ``second``: the time and the bot's CPU until all say ``done``."""
    emulator, token = people[0].emulator, people[0].token
    spy = Profile(pid, profile)
    before = calls(emulator, token)
    turns_before = turns_so_far(metrics) if metrics else ({}, {})
    cpu, start = cpu_seconds(pid), time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda person: person.press(first), people))
    wait_until(
        lambda: all(p.messages()[-1].get("text", "").startswith("Question 2") for p in people),
        "every first answer",
        300,
    )
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda person: person.press(second), people))
    wait_until(
        lambda: all(done in p.messages()[-1].get("text", "") for p in people), "every second answer", 300
    )
    seconds, cpu = time.perf_counter() - start, cpu_seconds(pid) - cpu
    turn_cpu, turn_count = turns_before
    if metrics:
        cpu_now, count_now = turns_so_far(metrics)
        turn_cpu, turn_count = since(cpu_now, turn_cpu), since(count_now, turn_count)
    made = {method: n - before.get(method, 0) for method, n in calls(emulator, token).items()}
    answering = Answering(
        2 * len(people), seconds, cpu, {m: n for m, n in made.items() if n}, turn_cpu, turn_count
    )
    spy.stop()
    return answering


def measure_quiz_bot(emulator: Emulator, learners: int, profile: Path | None) -> Answering:
    token = "3:quiz"
    bot = subprocess.Popen([sys.executable, __file__, "--quiz-bot", emulator.url, token])
    pin(bot)
    try:
        people = [Learner(emulator, token, 70_000 + n) for n in range(learners)]
        people[0].command("/quiz")
        wait_until(lambda: people[0].messages(), "the quiz bot to start", 60)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda person: person.command("/quiz"), people[1:]))
        wait_until(lambda: all(p.messages() for p in people), "every first question", 300)
        return answer_twice(people, bot.pid, "Yes", "No", "Quiz finished", profile)
    finally:
        bot.terminate()
        bot.wait()


def sent(emulator: Emulator, token: str) -> int:
    return int(emulator.control("stats", token)["sent"])


def measure_echo(emulator: Emulator, updates: int) -> float:
    token = "1:echo"
    bot = subprocess.Popen([sys.executable, __file__, "--echo-bot", emulator.url, token])
    pin(bot)
    try:
        people = [Learner(emulator, token, 50_000 + n) for n in range(updates)]
        people[0].say("warm-up")
        wait_until(lambda: sent(emulator, token) == 1, "the echo bot to start", 60)
        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda person: person.say(f"hello {person.user_id}"), people))
        wait_until(lambda: sent(emulator, token) == updates + 1, "every echo", 300)
        return updates / (time.perf_counter() - start)
    finally:
        bot.terminate()
        bot.wait()


def to_first_question(person: Learner) -> None:
    person.command("/start")
    person.wait_for("Which language", 120)
    for button, then in [
        ("English", "Before we start"),
        ("OK, understood", "At what time"),
        ("09:30", "All set!"),
        ("Start today's lesson", "(1/2)"),
        ("Next", "(2/2)"),
        ("Start the quiz", "Which is strongest?"),
    ]:
        person.press(button)
        person.wait_for(then, 120)


def measure_coach(emulator: Emulator, learners: int, folder: Path, profile: Path | None) -> Answering:
    token = "2:coach"
    coach = Coach(
        emulator,
        token,
        folder / "coach.sqlite3",
        TELEGRAM_MAX_PER_SECOND="100000",
        TELEGRAM_MAX_PER_CHAT_PER_SECOND="100000",
        DIGICOACH_LOG_LEVEL="WARNING",
        DIGICOACH_METRICS_ADDRESS=(metrics := f"127.0.0.1:{free_port()}"),
    )
    coach.start()
    pin(coach.process)
    try:
        people = [Learner(emulator, token, 60_000 + n) for n in range(learners)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(to_first_question, people))
        # Telegram would refuse a bot this fast; the emulator does not, and neither does the coach here.
        assert coach.process is not None
        return answer_twice(
            people, coach.process.pid, "coffee-bike-rain-lamp", "False", "Lesson finished", profile, metrics
        )
    finally:
        coach.stop()


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} (range {min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100, help="learners answering two questions each")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds of quiz bot then coach, each on a new emulator (one round alone varies by a third)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample both bots with py-spy in an extra round; print the top frames, keep the stacks in DIR",
    )
    cores = sorted(os.sched_getaffinity(0))
    parser.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=len(cores) >= 2,
        help="the bot being measured on a core of its own, the emulator and the learners on the rest "
        "(default with two cores or more: they then do not take CPU from each other)",
    )
    parser.add_argument("--echo-bot", nargs=2, metavar=("API", "TOKEN"), help=argparse.SUPPRESS)
    parser.add_argument("--quiz-bot", nargs=2, metavar=("API", "TOKEN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_bot:
        echo_bot(*args.echo_bot)
        return
    if args.quiz_bot:
        quiz_bot(*args.quiz_bot)
        return
    if args.profile is not None and not PY_SPY.exists():
        parser.error(f"--profile needs py-spy: {Path(sys.executable).parent / 'pip'} install -e '.[bench]'")
    os.environ.setdefault("CI", "")
    if args.pin:
        PINNED.add(cores[-1])
        os.sched_setaffinity(0, cores[:-1])  # the emulator, started from here, stays with the learners
    profiles = (
        {"quiz bot": None, "coach": None}
        if args.profile is None
        else {name: args.profile / f"{name.replace(' ', '-')}.txt" for name in ("quiz bot", "coach")}
    )
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    print(
        f"answers: {2 * args.learners} per bot and round ({args.learners} learners, two each; "
        "three Bot API calls an answer); "
        + (f"each bot on core {cores[-1]} alone" if args.pin else "bots, emulator and learners on any core")
    )
    rounds: list[tuple[Answering, Answering]] = []
    echo = 0.0
    # A sampled round is slower (py-spy reads the bot's memory a thousand times a second): it comes
    # first, as round 0, and is left out of the figures.
    for number in range(0 if args.profile else 1, args.rounds + 1):
        sampled = number == 0
        with running_emulator() as emulator, tempfile.TemporaryDirectory() as folder:
            if number == 1:
                echo = measure_echo(emulator, 2 * args.learners)
            quiz = measure_quiz_bot(emulator, args.learners, profiles["quiz bot"] if sampled else None)
            coach = measure_coach(
                emulator, args.learners, Path(folder), profiles["coach"] if sampled else None
            )
        if sampled:
            print("round 0: sampled by py-spy, not counted")
            continue
        rounds.append((quiz, coach))
        print(
            f"round {number}: quiz bot {quiz.cpu_per_answer_ms:5.2f} ms CPU per answer, "
            f"{quiz.per_second:6.1f} answers/s; coach {coach.cpu_per_answer_ms:5.2f} ms, "
            f"{coach.per_second:6.1f}/s; ratio {coach.cpu_per_answer_ms / quiz.cpu_per_answer_ms:4.2f}x CPU, "
            f"{coach.per_second / quiz.per_second:4.2f}x answers/s",
            flush=True,
        )
    quizzes, coaches = [q for q, _c in rounds], [c for _q, c in rounds]
    print(
        f"bare PTB quiz bot:   CPU per answer (ms) {spread([q.cpu_per_answer_ms for q in quizzes])}, "
        f"answers/s {spread([q.per_second for q in quizzes])}"
    )
    print(
        f"coach:               CPU per answer (ms) {spread([c.cpu_per_answer_ms for c in coaches])}, "
        f"answers/s {spread([c.per_second for c in coaches])}"
    )
    print(
        "ratio coach / quiz, each round's own: "
        f"CPU per answer {spread([c.cpu_per_answer_ms / q.cpu_per_answer_ms for q, c in rounds])} "
        f"(target at most 1.30); answers/s {spread([c.per_second / q.per_second for q, c in rounds])} "
        "(target at least 0.90)"
    )
    turns = [c.turn_cpu_ms_per_answer() for c in coaches]
    presses = [c.turn_ms_per_answer("event") for c in coaches]
    records = [c.turn_ms_per_answer("sent") for c in coaches]
    others = [max(0.0, t - p - r) for t, p, r in zip(turns, presses, records, strict=True)]
    print(
        "where the coach's CPU per answer goes (ms, from its /metrics): its turns at the database "
        f"for the presses {spread(presses)}, for recording the replies sent {spread(records)}, "
        f"for all else {spread(others)}; "
        "outside its turns (Telegram through PTB and httpx, courier, pacer, the loop) "
        f"{spread([c.cpu_per_answer_ms - t for c, t in zip(coaches, turns, strict=True)])}"
    )
    print(
        f"the coach's turns an answer: {spread([c.turns_per_answer('event') for c in coaches])} for presses, "
        f"{spread([c.turns_per_answer('sent') for c in coaches])} recording replies as sent"
    )
    allowance = [(1.3 - 1) * q.cpu_per_answer_ms for q in quizzes]
    print(
        f"the 1.3x target leaves the coach {spread(allowance)} ms per answer for all it adds to the quiz bot"
    )
    print(f"Bot API calls per answer, quiz bot: {quizzes[0].calls_per_answer()}")
    print(f"Bot API calls per answer, coach:    {coaches[0].calls_per_answer()}")
    print(
        f"bare PTB echo bot:   {echo:6.1f} updates/s (one call each; "
        f"coach/echo {statistics.median(c.per_second for c in coaches) / echo:.2f}x)"
    )
    for name, file in profiles.items():
        if file is not None:
            print(f"\n{name}: frames on the most sampled stacks while answering, round 0 ({file})")
            for share, frame in top_frames(file):
                print(f"  {share:5.1f} %  {frame}")


if __name__ == "__main__":
    main()
