"""How much the coach costs on top of python-telegram-bot itself, against the same emulator.

Two bots in turn serve the Bot API emulator (tools/telegram-emulator):

- a bare PTB echo bot (PTB's own Updater, ``run_polling(poll_interval=0)``),
  which answers each text message with the same text; PTB's default of one
  update at a time, which measured faster here than ``concurrent_updates``;
- the coach (`digicoach run`), grading quiz answers pressed by button: update ->
  grade -> store in SQLite -> reply (the question edited to show the feedback, the next question).

For each, all updates are sent at once and the clock runs until the last reply
has arrived. Printed: updates a second for both and the ratio coach / echo.
The coach's own sending limits are lifted here: this measures its code, not
Telegram's policy. Run: .venv/bin/python benchmarks/telegram_overhead.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.telegram.emulator import Coach, Emulator, Learner, running_emulator, wait_until  # noqa: E402


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


def sent(emulator: Emulator, token: str) -> int:
    return int(emulator.control("stats", token)["sent"])


def measure_echo(emulator: Emulator, updates: int) -> float:
    token = "1:echo"
    bot = subprocess.Popen([sys.executable, __file__, "--echo-bot", emulator.url, token])
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


def measure_coach(emulator: Emulator, learners: int, folder: Path) -> float:
    token = "2:coach"
    coach = Coach(
        emulator,
        token,
        folder / "coach.sqlite3",
        TELEGRAM_MAX_PER_SECOND="100000",
        TELEGRAM_MAX_PER_CHAT_PER_SECOND="100000",
        DIGICOACH_LOG_LEVEL="WARNING",
    )
    coach.start()
    try:
        people = [Learner(emulator, token, 60_000 + n) for n in range(learners)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(to_first_question, people))
        # Telegram would refuse a bot this fast; the emulator does not, and neither does the coach here.
        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda person: person.press("coffee-bike-rain-lamp"), people))
        wait_until(
            lambda: all(p.messages()[-1].get("text", "").startswith("Question 2") for p in people),
            "every first answer graded",
            300,
        )
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda person: person.press("False"), people))
        wait_until(
            lambda: all("Lesson finished" in p.messages()[-1].get("text", "") for p in people),
            "every second answer graded",
            300,
        )
        return 2 * learners / (time.perf_counter() - start)
    finally:
        coach.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100, help="learners answering two questions each")
    parser.add_argument("--echo-bot", nargs=2, metavar=("API", "TOKEN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo_bot:
        echo_bot(*args.echo_bot)
        return
    os.environ.setdefault("CI", "")
    with running_emulator() as emulator, tempfile.TemporaryDirectory() as folder:
        updates = 2 * args.learners
        echo = measure_echo(emulator, updates)
        coach = measure_coach(emulator, args.learners, Path(folder))
    # Per update the echo bot makes one Bot API call; the coach three: answerCallbackQuery,
    # the edit of the question that adds the feedback, and the next question (or the summary).
    print(
        f"bare PTB echo bot:   {echo:7.1f} updates/s  {echo:7.1f} Bot API calls/s ({updates} text messages)"
    )
    print(
        f"coach, quiz answers: {coach:7.1f} updates/s  {3 * coach:7.1f} Bot API calls/s "
        f"({updates} button presses)"
    )
    print(
        f"ratio coach / echo:  {coach / echo:7.2f} in updates (target ≥ 0.80), "
        f"{3 * coach / echo:.2f} in calls"
    )


if __name__ == "__main__":
    main()
