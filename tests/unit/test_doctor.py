"""``digicoach doctor`` on broken installations: one line per check, the fix named, no secret shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.cli import digicoach
from tests.support.speech import need_espeak
from tests.unit.test_secrets_masked import TOKEN, refusing_bot_api  # noqa: F401 - a fixture

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def doctor(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DIGICOACH_", "TELEGRAM_", "MATRIX_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        env={
            **clean,
            "DIGICOACH_DATABASE_URL": f"sqlite:///{tmp_path / 'coach.sqlite3'}",
            "DIGICOACH_DATA_DIR": str(tmp_path / "data"),
            "DIGICOACH_LESSONS": str(FIXTURES / "library"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def lines(done: subprocess.CompletedProcess[str]) -> dict[str, list[str]]:
    """Each check's findings: ``{'database': ['ok ...'], ...}``."""
    found: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        verdict, _sep, rest = line.partition(" ")
        check, _sep, what = rest.strip().partition(": ")
        found.setdefault(check, []).append(f"{verdict} {what}")
    return found


def test_a_bad_setting_is_the_first_finding_not_a_crash(tmp_path):
    done = doctor(tmp_path, DIGICOACH_SMALLEST_GROUP="1")
    assert done.returncode == 1
    assert done.stdout == (
        "FAIL  configuration: bad setting: DIGICOACH_SMALLEST_GROUP: must be 2 or more: "
        "a group of one is a person\n"
    )
    assert "fix configuration" in done.stderr


def test_each_broken_part_is_named_with_what_to_do(tmp_path, refusing_bot_api):  # noqa: F811
    digicoach(tmp_path / "coach.sqlite3", "db", "upgrade")
    matrix = tmp_path / "data" / "matrix"
    matrix.mkdir(parents=True)
    (matrix / "login.json").write_text(json.dumps({"user_id": "@coach:example.org"}))
    (matrix / "login.json").chmod(0o644)  # in a folder others may enter: readable by anyone
    matrix.chmod(0o755)
    done = doctor(
        tmp_path,
        DIGICOACH_LESSONS=str(FIXTURES / "broken"),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=refusing_bot_api,
        MATRIX_USER_ID="@coach:example.org",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    found = lines(done)
    assert found["configuration"] == ["ok settings read; serving Telegram and Matrix"]
    assert found["database"][0].startswith("ok ") and "migrated to the newest" in found["database"][0]
    assert found["lessons"][0].startswith("FAIL ") and "run 'digicoach lessons check'" in found["lessons"][0]
    assert found["data folder"] == [
        f"FAIL 1 Matrix file(s) others may read, e.g. {matrix / 'login.json'}: chmod -R go-rwx {matrix}"
    ]
    assert found["telegram"] == [
        "FAIL the Bot API refused TELEGRAM_BOT_TOKEN (Unauthorized): copy the token again from @BotFather"
    ]
    assert found["matrix"] == [
        "FAIL MATRIX_HOMESERVER is not set: the homeserver's client URL, e.g. https://matrix.example.org"
    ]
    assert (
        done.stderr
        == "digicoach doctor: fix lessons, data folder, telegram, matrix (see the FAIL lines above)\n"
    )
    assert TOKEN.split(":")[1] not in done.stdout + done.stderr


def test_nothing_is_changed_not_even_an_empty_database_file(tmp_path):
    done = doctor(tmp_path, MATRIX_HOMESERVER="http://127.0.0.1:9", MATRIX_USER_ID="@coach:example.org")
    found = lines(done)
    assert found["database"] == [
        f"warn sqlite:///{tmp_path / 'coach.sqlite3'} does not exist yet: the coach creates its tables at "
        "its first start (or run 'digicoach db upgrade')"
    ]
    assert found["matrix"] == [
        "FAIL no Matrix login: set MATRIX_ACCESS_TOKEN and MATRIX_DEVICE_ID, or MATRIX_PASSWORD for a first "
        "login (README, 'Matrix')"
    ]
    assert not (tmp_path / "coach.sqlite3").exists() and not (tmp_path / "data").exists()


def test_read_aloud_says_which_engine_speaks_and_what_is_missing(tmp_path):
    need_espeak()
    assert lines(doctor(tmp_path))["read aloud"] == ["ok nl, en, fr, de by espeak-ng"]
    assert lines(doctor(tmp_path, DIGICOACH_READ_ALOUD="false"))["read aloud"] == [
        "ok off (DIGICOACH_READ_ALOUD=false)"
    ]
    bare = tmp_path / "bin"
    bare.mkdir()
    assert lines(doctor(tmp_path, PATH=str(bare)))["read aloud"] == [
        "warn cards are not offered read aloud: espeak-ng or opusenc is missing "
        "(apt-get install espeak-ng opus-tools)"
    ]
    missing = doctor(tmp_path, DIGICOACH_PIPER_MODELS=f"nl={tmp_path / 'nl.onnx'}")
    [piper] = lines(missing)["read aloud"]
    assert piper.startswith("FAIL DIGICOACH_PIPER_MODELS is set, but the 'piper' program is not on PATH")
    assert "fix " in missing.stderr and "read aloud" in missing.stderr
