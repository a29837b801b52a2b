"""A manager in an encrypted Matrix DM asks for the digest and gets its chart as an encrypted image."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from nio import RoomEncryptedImage
from nio.crypto.attachments import decrypt_attachment

from tests.e2e.matrix.learner import Learner
from tests.support.cli import digicoach, invite_code

pytestmark = pytest.mark.e2e

ORG = Path(__file__).parents[2] / "fixtures" / "org" / "westhoek.yaml"


async def _join(learner: Learner, room: str, bot_id: str, code: str) -> None:
    await learner.wait(lambda: learner.member(room, bot_id), "the bot to join")
    await learner.expect(room, "2. English")
    await learner.say(room, f"!start {code}")
    # No language from Matrix: the organisation's (Dutch) until the learner picks one.
    await learner.expect(room, "Welkom! Je hoort nu bij Burgerzaken van Stad Poperinge.")
    await learner.say(room, "2")
    await learner.expect(room, "Your privacy")
    await learner.say(room, "1")
    await learner.expect(room, "At what time")
    await learner.say(room, "09:30")
    await learner.expect(room, "All set!")


def test_a_manager_gets_the_digest_with_its_chart_as_an_encrypted_image(synapse, bot_process, tmp_path):
    bot = bot_process("coach")
    bot.env["DIGICOACH_SMALLEST_GROUP"] = "2"
    bot_id = bot.env["MATRIX_USER_ID"]
    database = tmp_path / "coach.sqlite3"
    digicoach(database, "org", "apply", str(ORG))
    members = invite_code(database, "--team", "poperinge/burgerzaken", "--uses", "2")
    manager_code = invite_code(database, "--team", "poperinge/burgerzaken", "--role", "manager")

    async def conversation() -> None:
        async with (
            Learner(synapse.url, synapse.register("anke"), tmp_path / "anke") as anke,
            Learner(synapse.url, synapse.register("marie"), tmp_path / "marie") as marie,
        ):
            anke_room = await anke.open_dm(bot_id, encrypted=True)
            await _join(anke, anke_room, bot_id, members)
            room = await marie.open_dm(bot_id, encrypted=True)
            await _join(marie, room, bot_id, members)
            await marie.say(room, f"!start {manager_code}")
            await marie.expect(room, "You are now a manager of Burgerzaken (Stad Poperinge).")
            await marie.say(room, "!digest")
            digest = await marie.expect(room, "Weekly digest: Burgerzaken (Stad Poperinge)")
            assert "Members: 2 · active this week: 0" in digest.body
            await marie.wait(lambda: marie.images, "the chart")
            image = marie.images[0]
            assert isinstance(image, RoomEncryptedImage), image
            assert image.body.startswith("Chart: lessons completed per week")
            server, _slash, media = image.url.removeprefix("mxc://").partition("/")
            request = urllib.request.Request(
                f"{synapse.url}/_matrix/client/v1/media/download/{server}/{media}",
                headers={"Authorization": f"Bearer {marie.client.access_token}"},
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                chart = decrypt_attachment(response.read(), image.key["k"], image.hashes["sha256"], image.iv)
            assert chart[:8] == b"\x89PNG\r\n\x1a\n" and len(chart) > 5_000

    bot.serve(conversation)
    assert "Traceback" not in bot.log, bot.log
