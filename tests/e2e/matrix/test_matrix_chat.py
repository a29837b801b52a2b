"""The coach in Matrix DMs, against a real Synapse, with a real matrix-nio learner."""

from __future__ import annotations

import base64
import operator
import re
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
import yaml
from nio import RoomEncryptedImage
from nio.crypto.attachments import decrypt_attachment

from bot.adapters import Outcome
from bot.adapters.matrix.adapter import MatrixAdapter
from lessons.chat import Address, Choice, Outgoing, Picture, Reply
from tests.e2e.matrix.learner import Learner, Notice

pytestmark = pytest.mark.e2e

LIBRARY = Path(__file__).parents[3] / "lessons" / "library"
ONE = "1\ufe0f\u20e3"
# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def first_lesson() -> dict:
    track = yaml.safe_load((LIBRARY / "tracks" / "general.yaml").read_text(encoding="utf-8"))
    return yaml.safe_load(next(LIBRARY.rglob(f"{track['lessons'][0]}.yaml")).read_text(encoding="utf-8"))


def right_labels(lesson: dict) -> list[str]:
    labels = []
    for question in lesson["quiz"]:
        assert question["type"] in ("single", "true_false"), "this test answers one choice per question"
        if question["type"] == "single":
            labels.append(next(o["text"]["en"] for o in question["options"] if o.get("correct")))
        else:
            labels.append("True" if question["answer"] else "False")
    return labels


def number_of(notice: Notice, label: str) -> str:
    match = re.search(rf"^(\d+)\. {re.escape(label)}$", notice.body, re.MULTILINE)
    assert match, f"{label!r} not among the numbered choices of:\n{notice.body}"
    return match.group(1)


async def onboard(learner: Learner, room: str, bot_id: str) -> None:
    """The bot joins, greets with the language list; English, privacy by reaction, a time."""
    await learner.wait(lambda: learner.member(room, bot_id), "the bot to join")
    greeting = await learner.expect(room, "Hallo!")
    assert "2. English" in greeting.body  # the greeting leads the language question, in one notice
    await learner.say(room, "2")
    privacy = await learner.expect(room, "Your privacy")
    # The bot seeds the number reactions; tapping the same one answers.
    await learner.wait(lambda: (bot_id, privacy.event_id, ONE) in learner.reactions, "the seeded 1️⃣")
    await learner.react(room, privacy.event_id, ONE)
    await learner.expect(room, "At what time")
    await learner.say(room, "09:30")
    await learner.expect(room, "All set!")


async def onboard_to_first_card(learner: Learner, room: str, bot_id: str) -> Notice:
    await onboard(learner, room, bot_id)
    await learner.say(room, "Start today's lesson")  # a label, typed
    return await learner.expect(room, "(1/")


async def to_first_question(learner: Learner, room: str, bot_id: str, lesson: dict) -> Notice:
    """Onboarded, the lesson's cards read, the quiz started: its first question."""
    await onboard_to_first_card(learner, room, bot_id)
    cards = len(lesson["cards"])
    for card in range(2, cards + 1):
        await learner.say(room, "1")
        await learner.expect(room, f"({card}/{cards})")
    await learner.say(room, "1")
    return await learner.expect(room, "Question 1 of")


async def lesson_and_quiz(learner: Learner, room: str, lesson: dict) -> list[Notice]:
    """Read the cards, answer every question right, alternately in the poll and typed; the questions."""
    cards = len(lesson["cards"])
    for card in range(2, cards + 1):
        await learner.say(room, "1")
        await learner.expect(room, f"({card}/{cards})")
    await learner.say(room, "1")  # Start the quiz
    question = await learner.expect(room, "Question 1 of")
    questions = []
    for n, label in enumerate(right_labels(lesson)):
        assert f"Question {n + 1} of" in question.body
        assert question.kind == "poll" and label in [text for _id, text in question.answers]
        if n % 2:
            await learner.say(room, number_of(question, label))  # a client without polls types the number
        else:
            await learner.answer_poll(room, question, label)
        questions.append(question)
        # The feedback leads the next message: the next question, or the lesson's end.
        question = await learner.expect(room, "✅ Right!")
        ended = partial(operator.contains, learner.poll_ends, questions[-1].event_id)
        await learner.wait(ended, "the answered poll to end")
    return [*questions, question]


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "unencrypted"])
def test_a_learner_is_onboarded_takes_a_lesson_and_quiz_and_sees_progress(
    synapse, bot_process, tmp_path, encrypted
):
    bot = bot_process("coach")
    account = synapse.register("anna")
    lesson = first_lesson()
    total = len(lesson["quiz"])

    async def conversation() -> None:
        async with Learner(synapse.url, account, tmp_path / "anna") as learner:
            room = await learner.open_dm(bot.env["MATRIX_USER_ID"], encrypted=encrypted)
            await onboard_to_first_card(learner, room, bot.env["MATRIX_USER_ID"])
            *questions, finished = await lesson_and_quiz(learner, room, lesson)
            assert f"You answered {total} of {total} questions correctly" in finished.body
            # Answering an old poll again changes nothing.
            await learner.answer_poll(room, questions[0], right_labels(lesson)[0])
            await learner.expect(room, "You already answered that question. Your first answer counts.")
            # No reaction on a quiz question: reactions are not encrypted, an answer must be.
            polls = {q.event_id for q in questions}
            assert not [r for r in learner.reactions if r[1] in polls]
            await learner.say(room, "!progress")
            await learner.expect(room, "Lessons done: 1")
            assert learner.client.rooms[room].encrypted is encrypted

    bot.serve(conversation)
    assert "Traceback" not in bot.log, bot.log


def test_a_group_room_invite_is_refused_politely(synapse, bot_process, tmp_path):
    bot = bot_process("coach")
    anna, ben = synapse.register("anna2"), synapse.register("ben")
    bot_id = bot.env["MATRIX_USER_ID"]

    async def conversation() -> None:
        async with Learner(synapse.url, anna, tmp_path / "anna") as learner:
            room = await learner.open_dm(bot_id, encrypted=True, also_invite=(ben.user_id,))
            await learner.expect(room, "one to one")
            await learner.wait(lambda: bot_id not in learner.client.rooms[room].users, "the bot to leave")

    bot.serve(conversation)


def test_a_message_from_a_server_not_allowed_is_ignored(synapse, bot_process, tmp_path):
    bot = bot_process("coach")
    bot_id = bot.env["MATRIX_USER_ID"]

    async def wait_for_log(learner: Learner, line: str) -> None:
        await learner.wait(lambda: line in bot.log, f"the bot to log {line!r}")

    async def conversation() -> None:
        async with Learner(synapse.url, synapse.register("outsider"), tmp_path / "learner") as learner:
            room = await learner.open_dm(bot_id, encrypted=True)
            await learner.expect(room, "2. English")
            bot.stop()
            # The same person, now from a server the coach no longer serves.
            bot.env["MATRIX_ALLOWED_SERVERS"] = "gent.example"
            bot.start()
            before = len(learner.notices)
            ignored = await learner.say(room, "!progress")
            await wait_for_log(learner, f"ignoring {ignored} from {learner.user_id}: server not allowed")
            bot.stop()
            del bot.env["MATRIX_ALLOWED_SERVERS"]
            bot.start()
            await learner.say(room, "!help")
            await learner.expect(room, "/progress")
            assert len(learner.notices) == before + 1, learner.bodies()  # the help, nothing for !progress

    bot.serve(conversation)


def test_a_wrong_password_stops_the_bot_with_a_clear_message(synapse, bot_process):
    bot = bot_process("coach", password_login=True)
    bot.env["MATRIX_PASSWORD"] = "not-the-password"
    bot.start()
    assert bot.process is not None
    assert bot.process.wait(timeout=60) != 0
    assert "digicoach: Matrix: the homeserver refused the login of @coach-" in bot.log, bot.log
    assert "Traceback" not in bot.log, bot.log


async def deliver(adapter: MatrixAdapter, number: int, reply: Reply) -> list[Outcome]:
    """Hand the adapter one stored reply, as the courier does; what it reported."""
    reported: list[Outcome] = []

    async def report(sent: Sequence[Outgoing], outcome: Outcome) -> None:
        reported.extend(outcome for _ in sent)

    await adapter.deliver([Outgoing(number, reply, None, datetime.now(UTC) + timedelta(minutes=5))], report)
    return reported


def test_scheduled_replies_and_pictures_are_sent_without_a_running_sync(synapse, bot_process, tmp_path):
    bot = bot_process("coach")
    bot_id = bot.env["MATRIX_USER_ID"]

    async def conversation() -> None:
        async with Learner(synapse.url, synapse.register("nele"), tmp_path / "learner") as learner:
            room = await learner.open_dm(bot_id, encrypted=True)
            await learner.expect(room, "2. English")
            bot.stop()
            # What the courier does for a scheduled lesson, in a fresh process.
            adapter = bot.adapter()
            start = Choice("go:lesson", "Start")
            ready = Reply(Address("matrix", room), "Your lesson is ready.", choices=(start,))
            assert await deliver(adapter, 901, ready) == [Outcome.SENT]
            ready = await learner.expect(room, "Your lesson is ready.\n\n1. Start")
            await learner.wait(lambda: (bot_id, ready.event_id, ONE) in learner.reactions, "the seeded 1️⃣")

            picture = tmp_path / "phishing.png"
            picture.write_bytes(PNG)
            drawn = Picture(str(picture), "A fake mail")
            card = Reply(Address("matrix", room), "Look at the sender.", picture=drawn)
            assert await deliver(adapter, 902, card) == [Outcome.SENT]
            await learner.wait(lambda: learner.images, "the picture")
            await learner.expect(room, "Look at the sender.")
            image = learner.images[0]
            assert isinstance(image, RoomEncryptedImage), image  # uploaded encrypted in an encrypted room
            assert image.body == "A fake mail"
            server, _slash, media = image.url.removeprefix("mxc://").partition("/")
            request = urllib.request.Request(
                f"{synapse.url}/_matrix/client/v1/media/download/{server}/{media}",
                headers={"Authorization": f"Bearer {learner.client.access_token}"},
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                ciphertext = response.read()
            assert decrypt_attachment(ciphertext, image.key["k"], image.hashes["sha256"], image.iv) == PNG
            await adapter.close()

    bot.serve(conversation)


def test_the_bot_waits_out_the_homeservers_rate_limit_and_delivers_everything(
    strict_synapse, bot_process, tmp_path
):
    bot = bot_process("coach", server=strict_synapse)
    bot_id = bot.env["MATRIX_USER_ID"]

    async def conversation() -> None:
        account = strict_synapse.register("jessy")
        async with Learner(strict_synapse.url, account, tmp_path / "learner") as learner:
            room = await learner.open_dm(bot_id, encrypted=True)
            # Greeting, language list and its four reactions: more than a burst of 3.
            languages = await learner.expect(room, "4. Deutsch")
            seeded = lambda: sum(r[0] == bot_id and r[1] == languages.event_id for r in learner.reactions)  # noqa: E731
            await learner.wait(lambda: seeded() == 4, "all four number reactions")
            await learner.say(room, "2")
            await learner.expect(room, "Your privacy")

    bot.serve(conversation)
    assert "rate limited by the homeserver; trying again in" in bot.log, bot.log
