"""How much slower is the coach than a bare nio echo bot, against one real Synapse?

Starts a Synapse (installed by scripts/test-all.sh into .venv-synapse), then in
one run and one event loop:

- a bare matrix-nio echo bot: every text gets one notice back;
- the coach (the real Matrix adapter, engine and SQLite database): every
  answer gets the coach's replies, up to the next numbered choices.

A learner (a real nio client) sends one message at a time in an encrypted DM
and waits for the answer. Prints messages per second for both, the ratio
(target: coach >= 0.8 x echo) and the median encrypted round-trip time.

    .venv/bin/python benchmarks/matrix_overhead.py [--messages 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, MatrixRoom, RoomMessageText

sys.path.insert(0, str(Path(__file__).parents[1]))

from bot.adapters.matrix.adapter import MatrixAdapter
from bot.app import build
from bot.settings import Settings
from tests.e2e.matrix.learner import Learner
from tests.support.synapse import Account, Synapse

CHOICE_LINE = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


async def echo_bot(url: str, account: Account, store: Path) -> tuple[AsyncClient, asyncio.Task[None]]:
    store.mkdir(parents=True)
    config = AsyncClientConfig(encryption_enabled=True)
    client = AsyncClient(url, account.user_id, store_path=str(store), config=config)
    client.restore_login(account.user_id, account.device_id, account.access_token)

    async def join(room: MatrixRoom, _event: object) -> None:
        await client.join(room.room_id)

    async def echo(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender != account.user_id:
            content = {"msgtype": "m.notice", "body": event.body}
            await client.room_send(room.room_id, "m.room.message", content, ignore_unverified_devices=True)

    client.add_event_callback(join, InviteMemberEvent)
    client.add_event_callback(echo, RoomMessageText)
    return client, asyncio.create_task(client.sync_forever(timeout=30_000, full_state=True))


def next_answer(body: str) -> str:
    """'1' for every prompt, except at a lesson's end: take one more lesson rather than stop."""
    choices = CHOICE_LINE.findall(body)
    more = [number for number, label in choices if label.startswith("One more lesson")]
    return more[0] if more else "1"


class Conversation:
    """One DM and what to say next in it; ``trip`` sends one message and waits for its answer."""

    def __init__(self, learner: Learner, room: str, coach: bool) -> None:
        self.learner, self.room, self.coach = learner, room, coach
        self.answer = "1"
        self.sent = 0
        self.round_trips: list[float] = []

    async def trip(self) -> None:
        started = time.perf_counter()
        if self.coach:
            await self.learner.say(self.room, self.answer)
            reply = await self.learner.expect(self.room, "\n1. ")
            self.answer = next_answer(reply.body)
            if reply.kind != "poll" and not {"☐", "☑"} & set(reply.body):
                # The turn ends when its number reactions are there too: they load
                # the same Synapse, and would otherwise be billed to the echo bot.
                # A quiz question is a poll, or a select-all list of boxes: without reactions.
                shown = len(CHOICE_LINE.findall(reply.body.rsplit("\n\n", 1)[-1]))
                seeded = lambda: sum(r[1] == reply.event_id for r in self.learner.reactions) >= min(shown, 10)  # noqa: E731
                await self.learner.wait(seeded, "the number reactions")
        else:
            self.sent += 1
            await self.learner.say(self.room, f"ping {self.sent}")
            await self.learner.expect(self.room, f"ping {self.sent}")
        self.round_trips.append(time.perf_counter() - started)

    @property
    def rate(self) -> float:
        return len(self.round_trips) / sum(self.round_trips)


async def run(synapse: Synapse, work: Path, messages: int) -> None:
    echo_account, coach_account = synapse.register("echo"), synapse.register("coach")
    echo_client, echo_task = await echo_bot(synapse.url, echo_account, work / "echo")

    os.environ["DIGICOACH_LOG_LEVEL"] = "ERROR"
    app = build(Settings(database_url=f"sqlite:///{work / 'coach.sqlite3'}", data_dir=work / "data"))
    adapter = MatrixAdapter(
        synapse.url,
        coach_account.user_id,
        work / "data" / "matrix",
        ("localhost",),
        access_token=coach_account.access_token,
        device_id=coach_account.device_id,
    )
    coach_task = asyncio.create_task(app.serve(adapter))

    async with Learner(synapse.url, synapse.register("learner"), work / "learner") as learner:
        echo_room = await learner.open_dm(echo_account.user_id, encrypted=True)
        await learner.wait(lambda: learner.member(echo_room, echo_account.user_id), "the echo bot to join")
        echo = Conversation(learner, echo_room, coach=False)
        for _warm_up in range(3):  # keys shared, caches filled
            await echo.trip()
        echo.round_trips.clear()

        coach_room = await learner.open_dm(coach_account.user_id, encrypted=True)
        await learner.expect(coach_room, "2. English")
        for step in ("2", "1", "09:30"):  # English, privacy notice, lesson time
            await learner.say(coach_room, step)
            await learner.expect(coach_room, "\n1. ")
        coach = Conversation(learner, coach_room, coach=True)
        # Taken in turns, so both see the same load on the machine.
        notices, reactions, ends = len(learner.notices), len(learner.reactions), len(learner.poll_ends)
        for _round in range(messages):
            await echo.trip()
            await coach.trip()
        await asyncio.sleep(1)  # poll ends and reactions still on their way
        coach_events = (
            sum(n.room_id == coach_room for n in learner.notices[notices:])
            + sum(sender == coach_account.user_id for sender, _to, _key in learner.reactions[reactions:])
            + len(learner.poll_ends[ends:])
        )
        polls = sum(n.kind == "poll" for n in learner.notices[notices:])

    app.stop()
    echo_task.cancel()
    await asyncio.gather(echo_task, coach_task, return_exceptions=True)
    await echo_client.close()
    app.close()

    print(f"messages per run:            {messages} per bot (one at a time, in turns, encrypted DMs)")
    print(f"echo bot:                    {echo.rate:6.1f} msg/s")
    print(f"coach (lessons and quiz):    {coach.rate:6.1f} msg/s")
    print(f"ratio coach / echo:          {coach.rate / echo.rate:6.2f}  (target >= 0.80)")
    print(
        f"events sent per message:     echo 1.0, coach {coach_events / messages:.1f} "
        f"(notices, polls and their ends, reactions; {polls} of {messages} answers were to quiz polls)"
    )
    print(f"encrypted round trip, echo:  median {statistics.median(echo.round_trips) * 1000:5.0f} ms")
    print(f"encrypted round trip, coach: median {statistics.median(coach.round_trips) * 1000:5.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        synapse = Synapse(work / "synapse")
        synapse.start()
        try:
            asyncio.run(run(synapse, work, args.messages))
        finally:
            synapse.stop()


if __name__ == "__main__":
    main()
