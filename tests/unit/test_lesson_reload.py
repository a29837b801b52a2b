"""Live reload: a good edit takes effect without a restart, a broken one changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.adapters.memory import MemoryChat
from bot.app import App, build
from bot.cli import main
from bot.lesson_reload import read_status
from bot.settings import Settings
from tests.support import hostile_files
from tests.support.clock import FakeClock
from tests.support.flows import onboard, read_cards

FIXTURE_LIBRARY = Path(__file__).parents[1] / "fixtures" / "library"


@pytest.fixture
def lessons(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    shutil.copytree(FIXTURE_LIBRARY, folder)
    return folder


@pytest.fixture
def app(tmp_path: Path, lessons: Path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'coach.sqlite3'}",
        lessons=str(lessons),
        data_dir=tmp_path / "data",
    )
    app = build(settings, FakeClock())
    yield app
    app.close()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_good_edit_is_served_after_reload_without_a_restart(app: App, lessons: Path):
    chat = MemoryChat(app.coach, "alice", "en")
    onboard(chat)
    chat.press("Start today's lesson")
    assert "Strong passwords (1/2)" in chat.text
    _edit(lessons / "passwords.yaml", "en: Strong passwords}", "en: Strong passphrases}")
    assert app.reload().library is not None
    chat.command("/lesson")
    assert "Strong passphrases (1/2)" in chat.text
    assert read_status(app.settings.data_dir).ok


def test_a_broken_edit_keeps_the_last_good_lessons_whole_and_reports_why(app: App, lessons: Path):
    chat = MemoryChat(app.coach, "alice", "en")
    onboard(chat)
    serving = app.library
    # Two edits at once, one of them broken: neither may reach a learner.
    _edit(lessons / "passwords.yaml", "en: Strong passwords}", "en: Strong passphrases}")
    _edit(lessons / "meetings.yaml", "topic: skills", "topic: skils")
    loaded = app.reload()
    assert loaded.library is None
    assert app.library is serving
    chat.press("Start today's lesson")
    assert "Strong passwords (1/2)" in chat.text
    status = read_status(app.settings.data_dir)
    assert status is not None and not status.ok and status.lessons == 2
    assert status.problems == [
        f"{lessons / 'meetings.yaml'}:3:8: unknown topic 'skils': use one of "
        "strategy, iot, skills, participation, business, security",
        f"{lessons / 'tracks.yaml'}:4:22: track 'general' names lesson 'meetings', which does not exist; "
        "check the spelling or add the lesson",
    ]


def test_a_learner_half_way_through_a_shorter_new_version_finishes_it(app: App, lessons: Path):
    chat = MemoryChat(app.coach, "alice", "en")
    onboard(chat)
    chat.press("Start today's lesson")
    read_cards(chat)
    chat.press("coffee-bike-rain-lamp")  # question 1 of 2 answered; question 2 on screen
    stale_buttons = chat.choices
    # Version 2 drops the second card and the second question.
    path = lessons / "passwords.yaml"
    text = path.read_text(encoding="utf-8").replace("version: 1", "version: 2")
    text = text.split("  - id: reuse")[0]
    text = "\n".join(line for line in text.splitlines() if "Never use the same password twice" not in line)
    path.write_text(text + "\n", encoding="utf-8")
    assert app.reload().library is not None
    chat.choose(stale_buttons[0].id)  # a button of the question that is gone
    assert "That was an earlier question" in chat.text
    assert "Lesson finished: Strong passwords" in chat.text
    assert "You answered 1 of 1 question correctly." in chat.text  # the earlier answer still counts
    chat.command("/lesson")
    assert "You have finished today's lesson" in chat.text


def test_a_lesson_taken_out_of_its_track_can_still_be_finished(app: App, lessons: Path):
    chat = MemoryChat(app.coach, "alice", "en")
    onboard(chat)
    chat.press("Start today's lesson")
    _edit(lessons / "tracks.yaml", "lessons: [passwords, meetings]", "lessons: [meetings]")
    assert app.reload().library is not None
    chat.command("/lesson")
    assert "Strong passwords (1/2)" in chat.text


def test_a_lesson_removed_while_a_learner_is_in_it_does_not_strand_them(app: App, lessons: Path):
    chat = MemoryChat(app.coach, "alice", "en")
    onboard(chat)
    chat.press("Start today's lesson")
    (lessons / "passwords.yaml").unlink()
    _edit(lessons / "tracks.yaml", "lessons: [passwords, meetings]", "lessons: [meetings]")
    assert app.reload().library is not None
    chat.command("/lesson")
    assert "no longer available" in chat.text
    chat.press("Next lesson")
    assert "Good video meetings (1/2)" in chat.text


class RunningChat:
    """`digicoach chat` as a separate process, reading what it prints as it goes."""

    def __init__(self, tmp_path: Path, env: dict[str, str], lessons: Path) -> None:
        database = f"sqlite:///{tmp_path / 'chat.sqlite3'}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                "chat",
                "--db",
                database,
                "--lessons",
                str(lessons),
                "--user",
                "saïd",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.output = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output += line

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait_for(self, text: str, after: int = 0, seconds: float = 30) -> int:
        """Wait until ``text`` is printed after position ``after``; return where it ends."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.output.find(text, after)
            if found >= 0:
                return found + len(text)
            assert self.process.poll() is None, f"the chat ended:\n{self.output}"
            time.sleep(0.02)
        raise AssertionError(f"{text!r} not printed within {seconds} s:\n{self.output[after:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


def test_a_running_coach_reloads_on_request_and_survives_a_broken_reload(tmp_path, lessons):
    data = tmp_path / "data"
    env = {**os.environ, "DIGICOACH_DATA_DIR": str(data), "DIGICOACH_LOG_LEVEL": "ERROR"}

    def reload() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "lessons", "reload", "--timeout", "30"],
            capture_output=True, text=True, env=env, timeout=60, check=False,
        )  # fmt: skip

    chat = RunningChat(tmp_path, env, lessons)
    try:
        for line in ("/start", "English", "OK, understood", "09:30", "Start today's lesson"):
            chat.send(line)
        at = chat.wait_for("Strong passwords (1/2)")
        assert (data / "coach.pid").read_text().strip() == str(chat.process.pid)

        _edit(lessons / "passwords.yaml", "en: Strong passwords}", "en: Strong passphrases}")
        done = reload()
        assert (done.returncode, done.stderr) == (0, "reloaded: the coach now serves 2 lesson(s)\n")
        chat.send("/lesson")
        at = chat.wait_for("Strong passphrases (1/2)", at)

        _edit(lessons / "passwords.yaml", "en: Strong passphrases}", "en: Strong pass phrases")
        done = reload()
        assert done.returncode == 1
        assert done.stdout.startswith(f"{lessons / 'passwords.yaml'}:")
        assert "not reloaded: the coach keeps serving its last good 2 lesson(s)" in done.stderr
        chat.wait_for("lessons not reloaded, 2 error(s)", at)  # the coach's own log says so too
        chat.send("/lesson")
        chat.wait_for("Strong passphrases (1/2)", at)
    finally:
        chat.stop()
    assert chat.process.returncode == 0
    assert not (data / "coach.pid").exists()


def test_a_hostile_file_in_a_reload_leaves_the_running_coach_serving_its_last_good_lessons(tmp_path, lessons):
    """100,000 levels of nesting once crashed the process that read them; aliases took gigabytes."""
    data = tmp_path / "data"
    env = {**os.environ, "DIGICOACH_DATA_DIR": str(data), "DIGICOACH_LOG_LEVEL": "ERROR"}
    chat = RunningChat(tmp_path, env, lessons)
    try:
        for line in ("/start", "English", "OK, understood", "09:30", "Start today's lesson"):
            chat.send(line)
        at = chat.wait_for("Strong passwords (1/2)")
        (lessons / "deep.yaml").write_text(hostile_files.deep_lesson(100_000), encoding="utf-8")
        (lessons / "laughs.yaml").write_text(hostile_files.laughing_lesson(), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "bot", "lessons", "reload", "--timeout", "30"],
            capture_output=True, text=True, env=env, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert done.stdout.splitlines() == [
            f"{lessons / 'deep.yaml'}:7:27: YAML syntax error: lists and mappings nest more than 20 deep "
            "here; a lesson needs 6: check the brackets and the indentation",
            f"{lessons / 'laughs.yaml'}:7:15: YAML syntax error: the file holds more than 20,000 values "
            "with every alias (*name) written out; a lesson holds a few hundred: split the file, "
            "or repeat fewer aliases",
        ]
        assert "not reloaded: the coach keeps serving its last good 2 lesson(s)" in done.stderr
        chat.send("/lesson")
        chat.wait_for("Strong passwords (1/2)", at)
    finally:
        chat.stop()
    assert chat.process.returncode == 0


def test_reload_without_a_running_coach_says_how_to_start_one(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DIGICOACH_DATA_DIR", str(tmp_path))
    assert main(["lessons", "reload"]) == 2
    assert "no running coach found" in capsys.readouterr().err


def test_a_pid_file_left_by_a_crash_never_gets_another_process_signalled(capsys, tmp_path, monkeypatch):
    # The number now belongs to this test process: signalling it would end the test run.
    (tmp_path / "coach.pid").write_text(f"{os.getpid()}\n")
    monkeypatch.setenv("DIGICOACH_DATA_DIR", str(tmp_path))
    assert main(["lessons", "reload"]) == 2
    assert "no running coach found" in capsys.readouterr().err
