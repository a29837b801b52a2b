"""`digicoach run` without any chat platform configured says what to set."""

from __future__ import annotations

from bot.cli import main


def test_run_without_a_platform_explains_what_to_configure(capsys):
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "no chat platform is configured" in err
    assert "digicoach chat" in err


def _run(tmp_path, **env):
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DIGICOACH_", "TELEGRAM_", "MATRIX_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", "--db", f"sqlite:///{tmp_path / 'c.sqlite3'}"],
        env={**clean, "DIGICOACH_DATA_DIR": str(tmp_path / "data"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_with_half_the_matrix_settings_names_the_missing_one(tmp_path):
    done = _run(tmp_path, MATRIX_USER_ID="@coach:example.org")
    assert done.returncode == 1
    assert done.stderr == (
        "digicoach: Matrix: MATRIX_HOMESERVER is not set: the homeserver's client URL, "
        "e.g. https://matrix.example.org\n"
    )


def test_run_without_matrix_credentials_says_so_before_anything_else(tmp_path):
    done = _run(tmp_path, MATRIX_USER_ID="@coach:example.org", MATRIX_HOMESERVER="http://127.0.0.1:9")
    assert done.returncode == 1
    assert done.stderr == (
        "digicoach: Matrix: no Matrix login: set MATRIX_ACCESS_TOKEN and MATRIX_DEVICE_ID, "
        "or MATRIX_PASSWORD for a first login (README, 'Matrix')\n"
    )
    assert not (tmp_path / "c.sqlite3").exists()  # it stopped before opening anything
