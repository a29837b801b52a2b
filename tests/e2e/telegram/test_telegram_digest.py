"""A manager on Telegram asks for the digest and gets its chart as an uploaded photo."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import digicoach, invite_code

pytestmark = pytest.mark.e2e

ORG = Path(__file__).parents[2] / "fixtures" / "org" / "westhoek.yaml"


def _join(person, code: str) -> None:
    person.command(f"/start {code}")
    person.wait_for("Which language do you prefer?")
    person.press("English")
    person.wait_for("Before we start")
    person.press("OK, understood")
    person.wait_for("At what time")
    person.press("09:30")
    person.wait_for("All set!")


def test_a_manager_gets_the_digest_with_its_chart_as_a_photo(coach, learner, tmp_path):
    database = tmp_path / "coach.sqlite3"
    digicoach(database, "org", "apply", str(ORG))
    members = invite_code(database, "--team", "poperinge/burgerzaken", "--uses", "2")
    manager_code = invite_code(database, "--team", "poperinge/burgerzaken", "--role", "manager")
    running = coach(DIGICOACH_SMALLEST_GROUP="2", DIGICOACH_DATA_DIR=str(tmp_path / "data"))
    for name in ("Ann", "Bart"):
        _join(learner(first_name=name), members)
    manager = learner(first_name="Marie")
    _join(manager, manager_code)

    manager.command("/digest")
    (photo,) = [m for m in manager.wait_for("Weekly digest: Burgerzaken") if "photo" in m]
    assert "Members: 2 · active this week: 0" in photo["caption"]
    uploaded = photo["photo"][0]["url"]
    assert uploaded.startswith("upload:digest-for-") and "-team-" in uploaded and uploaded.endswith(":png"), (
        uploaded
    )
    assert int(uploaded.split(":")[2]) > 5_000  # bytes of a real chart
    assert {"type": "bold", "offset": 0, "length": len("Weekly digest: Burgerzaken (Stad Poperinge)")} in (
        photo["caption_entities"]
    )
    assert "Traceback" not in running.output()
