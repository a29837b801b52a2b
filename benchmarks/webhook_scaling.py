"""Webhook updates handled per second by 1, 2 and 3 coach processes sharing one PostgreSQL database.

For each number of processes, on a fresh database of one real PostgreSQL
server (``tests/support/postgresql.py``):

- a **receiver** stands in for the Telegram Bot API (its own process, aiohttp
  on 127.0.0.1): it answers every call at once with a plausible result, and
  notes each call's method and time, so it is never the limit and the replies
  the coaches send can be counted;
- N ``digicoach run`` processes serve it in webhook mode, each with its own
  data folder and webhook port, all with the same bot token, secret and
  database. The coach's sending limits are lifted (as in
  ``telegram_overhead.py``): this measures the coach, not Telegram's policy;
- a **driver** (this process, asyncio) plays what Telegram would POST for
  ``--learners`` learners, each in order: ``/start``, the language, "OK,
  understood", a lesson time, "Start today's lesson", ``/progress`` (button
  presses carry the pressed message, so the coach edits it as it would in
  Telegram). ``--in-flight`` learners go side by side; each update goes to the
  next process's port in turn, so a learner's updates land on every process.
  A 200 means the update was handled and its replies stored; anything else is
  counted and sent again, as Telegram would.

Measured over the steady phase (from the 10 % to the 90 % of updates
answered): updates answered a second, its ratio to one process, and the CPU
time per update of the coaches (``/proc/PID/stat``), of PostgreSQL (the server
and its backends) and of the driver and receiver, which share the machine's
cores with them; replies (Bot API sends and edits) the receiver got a second
in the same phase, and identical calls it got more than once (a reply sent
twice). The coaches' logs are scanned for warnings and errors.

    .venv/bin/python benchmarks/webhook_scaling.py [--learners 300] [--processes 1,2,3]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.postgresql import PostgreSQL  # noqa: E402
from tests.support.servers import stop_process  # noqa: E402
from tests.support.synapse import free_port  # noqa: E402

BOT_ID = 4242
TOKEN = f"{BOT_ID}:webhook-scaling"
SECRET = "webhook-scaling-secret"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Coach", "username": "digicoach_bench_bot"}
FIXTURE_LIBRARY = ROOT / "tests" / "fixtures" / "library"
# The steady phase: between these shares of the updates answered (start-up and tail left out).
STEADY = (0.1, 0.9)
# The receiver got nothing for this long: every stored reply is out.
QUIET_SECONDS = 3.0
ANSWER_WITHIN = 120.0
TRIES = 5
LOG_PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL)\b|Traceback")

JSON = dict[str, Any]


# --- the receiver: a fake Bot API, run in its own process ---------------------------------------


def serve_bot_api(port: int) -> None:
    """Answer every Bot API call at once; ``GET /_calls`` lists them (time, method), ``/_reset`` forgets."""
    from aiohttp import web

    calls: list[tuple[float, str]] = []
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    repeated: Counter[str] = Counter()
    message_ids = itertools.count(1)

    def message(message_id: int, params: dict[str, str]) -> JSON:
        chat = {"id": int(params.get("chat_id", "0")), "type": "private", "first_name": "Learner"}
        shown = {"text": params["text"]} if "text" in params else {}
        return {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER, **shown}

    def result(method: str, params: dict[str, str]) -> object:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return []
        if method.startswith("send"):
            return message(next(message_ids), params)
        if method.startswith("edit"):
            return message(int(params.get("message_id", "0")), params)
        # setWebhook, deleteWebhook, setMyCommands, answerCallbackQuery...
        return True

    async def bot_api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        # PTB posts form fields, JSON-encoded, or multipart with a file (sendVoice): files are left out.
        params = {name: value for name, value in (await request.post()).items() if isinstance(value, str)}
        calls.append((time.monotonic(), method))
        if method.startswith(("send", "edit")):
            key = (method, tuple(sorted(params.items())))
            if key in seen:
                repeated[method] += 1
            seen.add(key)
        return web.json_response({"ok": True, "result": result(method, params)})

    async def listed(_request: web.Request) -> web.Response:
        return web.json_response({"calls": calls, "repeated": repeated})

    async def reset(_request: web.Request) -> web.Response:
        calls.clear()
        seen.clear()
        repeated.clear()
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/_calls", listed)
    app.router.add_post("/_reset", reset)
    app.router.add_post("/bot{token}/{method}", bot_api)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


@dataclass
class Receiver:
    url: str
    process: subprocess.Popen[bytes]
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    def calls(self) -> list[tuple[float, str]]:
        return [(at, method) for at, method in self.client.get(f"{self.url}/_calls").json()["calls"]]

    def repeated(self) -> Counter[str]:
        return Counter(self.client.get(f"{self.url}/_calls").json()["repeated"])

    def reset(self) -> None:
        self.client.post(f"{self.url}/_reset")

    def count(self, method: str) -> int:
        return sum(1 for _at, called in self.calls() if called == method)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--receiver", str(port)])
    receiver = Receiver(f"http://127.0.0.1:{port}", process)
    try:
        wait_for(lambda: _answers(receiver), "the receiver to answer", 30)
        yield receiver
    finally:
        receiver.client.close()
        stop_process(process)


def _answers(receiver: Receiver) -> bool:
    try:
        receiver.calls()
    except httpx.TransportError:
        return False
    return True


def wait_for(condition: Callable[[], object], what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"webhook_scaling: timed out waiting for {what}")
        time.sleep(0.05)


# --- the coaches ---------------------------------------------------------------------------------


@dataclass
class CoachProcess:
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def problems(self) -> list[str]:
        lines = self.log.read_text(errors="replace").splitlines()
        return [line for line in lines if LOG_PROBLEM.search(line)]


def start_coach(folder: Path, database_url: str, receiver: Receiver, lessons: Path | None) -> CoachProcess:
    port = free_port()
    folder.mkdir(parents=True)
    environ = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": receiver.url,
        "TELEGRAM_WEBHOOK_URL": "https://coach.example.org/telegram",
        "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "TELEGRAM_WEBHOOK_PORT": str(port),
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_MAX_PER_SECOND": "100000",
        "TELEGRAM_MAX_PER_CHAT_PER_SECOND": "100000",
        "DIGICOACH_DATABASE_URL": database_url,
        "DIGICOACH_DATA_DIR": str(folder / "data"),
        "DIGICOACH_METRICS_ADDRESS": "",
        "DIGICOACH_LOG_LEVEL": "WARNING",
        **({"DIGICOACH_LESSONS": str(lessons)} if lessons else {}),
    }
    log = folder / "coach.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=environ, stdout=output, stderr=subprocess.STDOUT
        )
    return CoachProcess(port, log, process)


def start_coaches(
    count: int, folder: Path, database_url: str, receiver: Receiver, lessons: Path | None
) -> list[CoachProcess]:
    """The first coach migrates the empty database alone; the others start once it serves."""
    coaches: list[CoachProcess] = []

    def serving() -> bool:
        for coach in coaches:
            if coach.process.poll() is not None:
                raise SystemExit(f"a coach stopped while starting:\n{coach.log.read_text()[-3000:]}")
        return receiver.count("setWebhook") >= len(coaches)

    coaches.append(start_coach(folder / "coach-1", database_url, receiver, lessons))
    wait_for(serving, "the first coach to serve", 120)
    for n in range(2, count + 1):
        coaches.append(start_coach(folder / f"coach-{n}", database_url, receiver, lessons))
    wait_for(serving, f"{count} coaches to serve", 120)
    return coaches


# --- CPU time -------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    # The fields after the command name, which may hold spaces: field 3 of proc(5) is [0].
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK


def server_cpu_seconds(pid: int) -> float:
    """PostgreSQL's CPU time: the server, its live backends, and those that ended (its children's time)."""
    fields = _stat(pid)
    total = sum(int(f) for f in fields[11:15]) / TICK
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                child = _stat(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(child[1]) == pid:
                total += (int(child[11]) + int(child[12])) / TICK
    return total


def machine_busy_seconds() -> float:
    """CPU time spent by everything on the machine (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK


@dataclass(frozen=True)
class Sample:
    at: float
    answered: int
    coaches: float
    server: float
    load: float
    machine: float


@dataclass
class Processes:
    coaches: list[int]
    server: int
    load: list[int]

    def sample(self, answered: int) -> Sample:
        return Sample(
            time.monotonic(),
            answered,
            sum(cpu_seconds(pid) for pid in self.coaches),
            server_cpu_seconds(self.server),
            sum(cpu_seconds(pid) for pid in self.load),
            machine_busy_seconds(),
        )


# --- the driver: what Telegram would POST ---------------------------------------------------------


@dataclass(frozen=True)
class Command:
    text: str


@dataclass(frozen=True)
class Press:
    data: str
    label: str
    # The text of the message that carried the button (the coach edits it to show the choice).
    prompt: str


SCRIPT: tuple[Command | Press, ...] = (
    Command("/start"),
    Press("lang:en", "English", "Which language do you prefer?"),
    Press("ok:privacy", "OK, understood", "Before we start, this is what I keep about you: …"),
    Press("time:0930", "09:30", "At what time should your daily lesson arrive?"),
    Press("go:lesson", "Start today's lesson", "All set! Your lesson arrives at 09:30."),
    Command("/progress"),
)


def update(update_id: int, user_id: int, step: Command | Press) -> JSON:
    user = {"id": user_id, "is_bot": False, "first_name": f"Learner {user_id}", "language_code": "en"}
    chat = {"id": user_id, "type": "private", "first_name": user["first_name"]}
    now = int(time.time())
    if isinstance(step, Command):
        command = {"type": "bot_command", "offset": 0, "length": len(step.text.split(" ", 1)[0])}
        message = {"message_id": update_id, "date": now, "chat": chat, "from": user, "text": step.text}
        return {"update_id": update_id, "message": message | {"entities": [command]}}
    keyboard = {"inline_keyboard": [[{"text": step.label, "callback_data": step.data}]]}
    pressed = {
        "message_id": update_id,
        "date": now,
        "chat": chat,
        "from": BOT_USER,
        "text": step.prompt,
        "reply_markup": keyboard,
    }
    query = {"id": str(update_id), "from": user, "chat_instance": str(user_id), "data": step.data}
    return {"update_id": update_id, "callback_query": query | {"message": pressed}}


async def post(port: int, body: bytes) -> int:
    """POST one update to a coach's webhook as Telegram does; the answer's status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            f"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nX-Telegram-Bot-Api-Secret-Token: {SECRET}\r\n"
            "Connection: close\r\n\r\n".encode()
            + body
        )
        status = await asyncio.wait_for(reader.readline(), ANSWER_WITHIN)
        return int(status.split()[1])
    finally:
        writer.close()
        # The answer is in: a reset while closing changes nothing.
        with suppress(ConnectionError):
            await writer.wait_closed()


@dataclass
class Drive:
    updates: int
    processes: Processes
    marks: tuple[int, int]
    answered: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    samples: list[Sample] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)


async def drive(ports: list[int], learners: int, in_flight: int, processes: Processes) -> Drive:
    """Every learner's script in order, ``in_flight`` learners at a time; samples at the steady marks."""
    total = learners * len(SCRIPT)
    run = Drive(total, processes, (max(1, int(STEADY[0] * total)), int(STEADY[1] * total)))
    next_port = itertools.cycle(ports)
    update_ids = itertools.count(1)
    waiting = iter(range(1, learners + 1))

    async def send(body: bytes) -> None:
        for _try in range(TRIES):
            started = time.monotonic()
            try:
                status = await post(next(next_port), body)
            except (OSError, TimeoutError, IndexError, ValueError):
                status = 0
            run.statuses[status] += 1
            if status == 200:
                run.seconds.append(time.monotonic() - started)
                break
            await asyncio.sleep(0.5)
        run.answered += 1
        if run.answered in run.marks:
            run.samples.append(processes.sample(run.answered))

    async def learner_after_learner() -> None:
        for user_id in waiting:
            for step in SCRIPT:
                await send(json.dumps(update(next(update_ids), 900_000 + user_id, step)).encode())

    await asyncio.gather(*(learner_after_learner() for _ in range(in_flight)))
    return run


# --- one run: N processes on a fresh database ----------------------------------------------------


@dataclass(frozen=True)
class Result:
    processes: int
    updates: int
    per_second: float
    coach_ms: float
    server_ms: float
    load_ms: float
    busy_cores: float
    others_cores: float
    replies_per_second: float
    calls: Counter[str]
    repeated: Counter[str]
    statuses: Counter[int]
    median_ms: float
    p95_ms: float
    drain_seconds: float
    problems: list[str]


def measure(
    count: int,
    server: PostgreSQL,
    receiver: Receiver,
    learners: int,
    in_flight: int,
    lessons: Path | None,
    folder: Path,
) -> Result:
    receiver.reset()
    database_url = server.new_database()
    coaches = start_coaches(count, folder / f"{count}-processes", database_url, receiver, lessons)
    try:
        assert server.process is not None
        processes = Processes(
            [c.process.pid for c in coaches], server.process.pid, [os.getpid(), receiver.process.pid]
        )
        run = asyncio.run(drive([c.port for c in coaches], learners, in_flight, processes))
        last_answer = time.monotonic()
        wait_for(
            lambda: time.monotonic() - max(at for at, _m in receiver.calls()) > QUIET_SECONDS,
            "the replies to go out",
            300,
        )
        calls = receiver.calls()
        repeated = receiver.repeated()
        # Read before they are stopped: stopping logs a warning of its own.
        problems = [line for coach in coaches for line in coach.problems()]
    finally:
        for coach in coaches:
            stop_process(coach.process, timeout=30)
    server.drop_database(database_url)
    first, last = run.samples
    seconds = last.at - first.at
    steady = last.answered - first.answered
    replies = [at for at, method in calls if method.startswith(("send", "edit"))]
    durations = sorted(run.seconds)
    ours = (last.coaches - first.coaches) + (last.server - first.server) + (last.load - first.load)
    return Result(
        processes=count,
        updates=run.updates,
        per_second=steady / seconds,
        coach_ms=1000 * (last.coaches - first.coaches) / steady,
        server_ms=1000 * (last.server - first.server) / steady,
        load_ms=1000 * (last.load - first.load) / steady,
        busy_cores=ours / seconds,
        others_cores=max(0.0, (last.machine - first.machine) - ours) / seconds,
        replies_per_second=sum(1 for at in replies if first.at <= at <= last.at) / seconds,
        calls=Counter(method for _at, method in calls),
        repeated=repeated,
        statuses=run.statuses,
        median_ms=1000 * durations[len(durations) // 2],
        p95_ms=1000 * durations[int(0.95 * (len(durations) - 1))],
        drain_seconds=max(0.0, max(replies, default=last_answer) - last_answer),
        problems=problems,
    )


def report(results: list[Result], learners: int, in_flight: int) -> None:
    cores = os.cpu_count() or 1
    usable = len(os.sched_getaffinity(0))
    allowed = f" ({usable} of them usable by this process)" if usable != cores else ""
    print(
        f"\n{learners} learners x {len(SCRIPT)} updates = {results[0].updates} webhook updates a run, "
        f"{in_flight} in flight, round-robin over the coaches' ports; steady phase: "
        f"{STEADY[0]:.0%}-{STEADY[1]:.0%} of them answered"
    )
    print(
        f"this machine has {cores} CPU core(s){allowed}: the coaches, PostgreSQL, this driver and the "
        "receiver all share them (and so does any other work on the machine: see 'rest'), so "
        "throughput cannot grow with processes once they are busy"
    )
    print(
        f"\n{'processes':>9} {'updates/s':>9} {'ratio':>5} | {'coaches':>7} {'PostgreSQL':>10} "
        f"{'drv+recv':>8} | {'ours':>5} {'rest':>5} | {'replies/s':>9} | {'p50 ms':>6} {'p95 ms':>6}"
    )
    one = results[0].per_second if results[0].processes == 1 else None
    for r in results:
        ratio = f"{r.per_second / one:5.2f}" if one else "    -"
        print(
            f"{r.processes:9d} {r.per_second:9.1f} {ratio} | {r.coach_ms:7.2f} {r.server_ms:10.2f} "
            f"{r.load_ms:8.2f} | {r.busy_cores:5.2f} {r.others_cores:5.2f} | {r.replies_per_second:9.1f} | "
            f"{r.median_ms:6.0f} {r.p95_ms:6.0f}"
        )
    print(
        "ratio: updates/s against 1 process; coaches, PostgreSQL, drv+recv (this driver and the receiver):\n"
        "CPU ms per update; ours, rest: cores kept busy by these processes and by the rest of the machine;\n"
        "replies/s: Bot API sends and edits received; p50, p95: time from POST to the 200 answer"
    )
    for r in results:
        answers = ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(r.statuses.items()))
        calls = ", ".join(f"{method} {n}" for method, n in sorted(r.calls.items()))
        repeated = ", ".join(f"{method} {n}" for method, n in sorted(r.repeated.items())) or "none"
        print(f"\n{r.processes} process(es): webhook answers {answers}")
        print(f"  Bot API calls: {calls}")
        print(f"  identical sends or edits received more than once: {repeated}")
        print(f"  last reply out {r.drain_seconds:.1f} s after the last update was answered")
        print(f"  warnings and errors in the coaches' logs: {len(r.problems)}")
        for line in r.problems[:5]:
            print(f"    {line[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=300, help="learners, six updates each")
    parser.add_argument("--processes", default="1,2,3", help="coach processes per run, e.g. 1,2,3")
    parser.add_argument("--in-flight", type=int, default=24, help="updates POSTed at once")
    parser.add_argument(
        "--fixture-lessons", action="store_true", help="serve tests/fixtures/library, not the shipped lessons"
    )
    parser.add_argument("--receiver", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        serve_bot_api(args.receiver)
        return
    counts = [int(n) for n in args.processes.split(",")]
    lessons = FIXTURE_LIBRARY if args.fixture_lessons else None
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    server = PostgreSQL()
    server.start()
    try:
        with running_receiver() as receiver, tempfile.TemporaryDirectory() as folder:
            results = []
            for count in counts:
                print(f"{count} process(es)...", flush=True)
                results.append(
                    measure(count, server, receiver, args.learners, args.in_flight, lessons, Path(folder))
                )
    finally:
        server.stop()
    report(results, args.learners, args.in_flight)


if __name__ == "__main__":
    main()
