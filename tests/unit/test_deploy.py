"""The service unit verifies with systemd, and the example environment file lists every setting."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from bot.adapters.matrix import MatrixSettings
from bot.adapters.telegram.config import TelegramSettings
from bot.settings import Settings

ROOT = Path(__file__).parents[2]
UNIT = ROOT / "deploy" / "digicoach.service"
ENV_FILE = ROOT / "deploy" / "digicoach.env"


def test_the_service_unit_verifies_without_a_single_warning(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: scripts/test-all.sh installs Debian's 'systemd'")
    # The unit names where the coach is installed; here it is this venv's command.
    here = Path(sys.prefix) / "bin" / "digicoach"
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/digicoach/bin/digicoach", str(here)))
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60
    )
    # verify exits 0 on a misspelt option, which it only mentions: every line about the unit counts.
    about_unit = [line for line in (done.stdout + done.stderr).splitlines() if unit.name in line]
    assert done.returncode == 0 and not about_unit, done.stdout + done.stderr


def test_a_misspelt_option_would_fail_that_test(tmp_path):
    unit = tmp_path / UNIT.name
    unit.write_text(
        UNIT.read_text()
        .replace("/opt/digicoach/bin/digicoach", str(Path(sys.prefix) / "bin" / "digicoach"))
        .replace("NoNewPrivileges=yes", "NoNewPrivilege=yes")
    )
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True
    )
    assert "Unknown key 'NoNewPrivilege'" in done.stderr


def test_the_unit_runs_as_its_own_user_with_its_state_folder_hardened_and_restarted():
    options = dict(
        re.findall(r"^([A-Za-z]+)=(.*)$", UNIT.read_text(), re.M),
    )
    assert options["EnvironmentFile"] == "/etc/digicoach/digicoach.env"
    assert options["User"] == "digicoach" and options["StateDirectory"] == "digicoach"
    assert options["ProtectSystem"] == "strict" and options["NoNewPrivileges"] == "yes"
    assert options["Restart"] == "on-failure" and options["KillSignal"] == "SIGTERM"
    # Longer than the coach takes to send what is waiting (DIGICOACH_STOP_SECONDS).
    assert int(options["TimeoutStopSec"]) > Settings.model_fields["stop_seconds"].default + 5


def _written(default: object) -> str:
    if default is None:
        return ""
    if isinstance(default, bool):
        return str(default).lower()  # as an environment variable is written
    if isinstance(default, float):
        return f"{default:g}"
    if isinstance(default, time):
        return f"{default:%H:%M}"
    return str(default)


def test_the_environment_file_lists_every_setting_with_its_default():
    listed = dict(re.findall(r"^#? ?([A-Z][A-Z_]+)=(.*)$", ENV_FILE.read_text(), re.M))
    expected = {
        **{f"DIGICOACH_{name.upper()}": f for name, f in Settings.model_fields.items()},
        **{f"TELEGRAM_{name.upper()}": f for name, f in TelegramSettings.model_fields.items()},
        **{f"MATRIX_{name.upper()}": f for name, f in MatrixSettings.model_fields.items()},
    }
    assert set(expected) <= set(listed), set(expected) - set(listed)
    commented = dict(re.findall(r"^# ([A-Z][A-Z_]+)=(.*)$", ENV_FILE.read_text(), re.M))
    for name, field in expected.items():
        if name in commented and not commented[name].startswith("("):
            # A commented line is the default, unless it is a second example (a PostgreSQL URL).
            if name == "DIGICOACH_DATABASE_URL":
                continue
            assert commented[name] == _written(field.default), name
    # The service runs in its state folder: its paths are absolute.
    chosen = dict(re.findall(r"^([A-Z][A-Z_]+)=(.*)$", ENV_FILE.read_text(), re.M))
    assert chosen["DIGICOACH_DATABASE_URL"] == "sqlite:////var/lib/digicoach/digicoach.sqlite3"
    assert chosen["DIGICOACH_DATA_DIR"] == "/var/lib/digicoach/data"
