"""`digicoach chat` as a newcomer runs it: a real process, piped input, a SQLite file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from lessons.loader import load_library
from storage.unit_of_work import Store
from tests.support.cli import digicoach, invite_code
from tests.support.history import give_history
from tests.support.speech import is_ogg_opus, need_espeak

LIBRARY = Path(__file__).parents[2] / "lessons" / "library"


def chat(tmp_path: Path, lines: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", f"sqlite:///{tmp_path / 'coach.sqlite3'}", *extra],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def _first_lesson() -> dict:
    track = yaml.safe_load((LIBRARY / "tracks" / "general.yaml").read_text(encoding="utf-8"))
    lesson_id = track["lessons"][0]
    path = next(LIBRARY.rglob(f"{lesson_id}.yaml"))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _right_answers(lesson: dict) -> list[str]:
    """What a learner who knows the answers types, question by question, in English."""
    typed: list[str] = []
    for question in lesson["quiz"]:
        if question["type"] == "single":
            typed.append(next(o["text"]["en"] for o in question["options"] if o.get("correct")))
        elif question["type"] == "true_false":
            typed.append("True" if question["answer"] else "False")
        elif question["type"] == "multiple":
            typed += [o["text"]["en"] for o in question["options"] if o.get("correct")] + ["Done"]
        else:
            typed.append(question["accepted"]["en"][0])
    return typed


def test_a_newcomer_completes_onboarding_a_lesson_and_sees_progress_and_it_is_remembered(tmp_path):
    lesson = _first_lesson()
    cards = ["Next"] * (len(lesson["cards"]) - 1) + ["Start the quiz"]
    script = ["/start", "2", "1", "09:30", "1", *cards, *_right_answers(lesson), "/progress"]
    first = chat(tmp_path, script, "--user", "georgette")
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "Traceback" not in out + first.stderr
    assert "  [1] Nederlands" in out and "  [2] English" in out
    assert "» Your privacy" in out
    assert f"» {lesson['title']['en']} (1/{len(lesson['cards'])})" in out
    assert out.count("✅ Right!") == len(lesson["quiz"])
    assert f"Lesson finished: {lesson['title']['en']}" in out
    total = len(lesson["quiz"])
    assert f"{total} of {total} right (100%)" in out
    assert "Lessons done: 1" in out

    again = chat(tmp_path, ["/progress", "/settings"], "--user", "georgette")
    assert again.returncode == 0, again.stderr
    assert "Lessons done: 1" in again.stdout
    assert "Lesson time: 09:30" in again.stdout

    other = chat(tmp_path, ["/progress"], "--user", "said", "--lang", "fr")
    assert "» Vos progrès" in other.stdout


def test_end_of_input_and_quit_exit_cleanly(tmp_path):
    assert chat(tmp_path, []).returncode == 0
    done = chat(tmp_path, ["/start", "/quit", "/help"])
    assert done.returncode == 0
    assert "/mydata" not in done.stdout  # /help came after /quit


def test_a_broken_database_url_is_a_clear_message(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", "sqlite:////nonexistent/dir/x.sqlite3"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "cannot open the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_reader_that_stops_reading_ends_the_chat_quietly(tmp_path):
    chat_command = f"{sys.executable} -m bot chat --db sqlite:///{tmp_path}/c.sqlite3"
    command = f"printf '/start\\n2\\n1\\n' | {chat_command} | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=60
    )
    # The greeting that opens the chat is its first line.
    assert result.stdout.startswith("Hallo! Ik ben je digitale coach.") and result.stdout.count("\n") == 1
    assert result.stderr == ""
    assert result.returncode == 0


def test_a_manager_in_the_console_gets_a_digest_with_a_chart(tmp_path):
    database = tmp_path / "coach.sqlite3"
    org = Path(__file__).parents[1] / "fixtures" / "org" / "westhoek.yaml"

    digicoach(database, "org", "apply", str(org))
    members = invite_code(database, "--team", "poperinge/burgerzaken", "--uses", "5")
    manager = invite_code(database, "--team", "poperinge/burgerzaken", "--role", "manager")
    for name in ("ann", "bart", "chloe", "dirk", "els"):
        assert chat(tmp_path, [f"/start {members}", "2", "1", "09:30"], "--user", name).returncode == 0
    done = chat(tmp_path, [f"/start {manager}", "2", "1", "09:30", "/digest"], "--user", "marie")
    assert done.returncode == 0, done.stderr
    # No language from the console: the organisation's (Dutch) until the manager picks English.
    assert "Je bent nu leidinggevende van Burgerzaken (Stad Poperinge)." in done.stdout
    assert "» Weekly digest: Burgerzaken (Stad Poperinge)" in done.stdout
    assert "Members: 5 · active this week: 0" in done.stdout
    picture = done.stdout.split("[picture: ")[1].split("]")[0].split(" – ")[1]
    assert Path(picture).is_absolute()
    assert Path(picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_opening_the_chat_greets_a_newcomer_and_tells_a_returning_learner_where_they_are(tmp_path):
    first = chat(tmp_path, ["2", "maybe", "1", "09:30"], "--user", "saïd")
    # Before anything is typed: the greeting and the language question, numbered.
    assert first.stdout.startswith("Hallo! Ik ben je digitale coach.")
    assert first.stdout.index("  [2] English") < first.stdout.index("> 2")
    # A wrong answer says what was not understood and shows the numbered choices again, once.
    after_maybe = first.stdout.split("> maybe\n", 1)[1].split("> 1\n", 1)[0]
    assert after_maybe == (
        "Sorry, I did not understand “maybe”. Please read the notice about your privacy above, then choose:\n"
        "  [1] OK, understood\n\n"
    )
    again = chat(tmp_path, [], "--user", "saïd")
    assert again.stdout.startswith("Welcome back! Next: “")
    assert "  [1] Today's lesson\n  [2] My progress" in again.stdout


def _at_a_terminal(tmp_path: Path, typed: bytes) -> bytes:
    """``digicoach chat`` on a pseudo-terminal, as a person runs it; everything it showed."""
    import os
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--db", f"sqlite:///{tmp_path / 'coach.sqlite3'}"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=tmp_path,
    )
    os.close(follower)
    shown = b""

    def read_until(wanted: bytes) -> None:
        nonlocal shown
        while wanted not in shown:
            shown += os.read(leader, 4096)

    read_until(b"> ")
    os.write(leader, typed)
    try:
        while True:
            shown += os.read(leader, 4096)
    except OSError:  # the chat ended and closed the terminal
        pass
    assert process.wait(30) == 0
    os.close(leader)
    return shown


def test_quit_and_ctrl_d_leave_the_terminal_on_a_new_line(tmp_path):
    assert _at_a_terminal(tmp_path, b"/quit\n").endswith(b"/quit\r\n")
    assert _at_a_terminal(tmp_path, b"\x04").endswith(b"> \r\n")


def test_mydata_after_48_lessons_is_a_file_in_the_current_folder(tmp_path):
    database = tmp_path / "coach.sqlite3"
    assert chat(tmp_path, ["/start", "2", "1", "09:30"], "--user", "georgette").returncode == 0
    store = Store(f"sqlite:///{database}")
    try:
        with store.transaction() as tx:
            learner = tx.learners.find("console", "georgette")
        assert learner is not None
        library = load_library().library
        assert library is not None
        give_history(store, learner.id, sorted(library.lessons.values(), key=lambda x: x.id)[:48])
    finally:
        store.close()
    done = chat(tmp_path, ["/mydata"], "--user", "georgette")
    assert done.returncode == 0, done.stderr
    [path] = tmp_path.glob("digicoach-mydata-*.json")
    assert f"[file: {path}]" in done.stdout
    assert "• 48 lessons and reviews you started." in done.stdout
    assert '"lessons"' not in done.stdout  # the file, not the screen, holds the data
    assert len(json.loads(path.read_text(encoding="utf-8"))["lessons"]) == 48


def test_a_card_read_aloud_is_a_sound_file_whose_path_is_printed_and_made_once(tmp_path):
    need_espeak()
    lesson = _first_lesson()
    script = ["/start", "2", "1", "09:30", "1", "🔊 Read it aloud", "/lesson", "🔊 Read it aloud", "Next"]
    done = chat(tmp_path, script, "--user", "georgette")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"» {lesson['title']['en']} (1/{len(lesson['cards'])})\n{lesson['cards'][0]['text']['en']}" in out
    assert re.search(r"^  \[\d\] 🔊 Read it aloud$", out, re.M)
    voices = re.findall(r"^🔊 This card, read aloud\.\n\[voice: (.+) \((\d+) s\)\]\n  \[1\] Next$", out, re.M)
    # Twice (the card shown again by /lesson): the same card, the same file.
    assert len(voices) == 2 and voices[0] == voices[1], out
    path, seconds = Path(voices[0][0]), int(voices[0][1])
    assert path.is_relative_to(tmp_path / "digicoach-data" / "speech")
    assert is_ogg_opus(path.read_bytes())
    assert 5 <= seconds <= 120
    assert len(list((tmp_path / "digicoach-data" / "speech").rglob("*.ogg"))) == 1
    # The learner goes on from the voice message.
    assert f"» {lesson['title']['en']} (2/{len(lesson['cards'])})" in out


def test_without_espeak_ng_the_console_offers_no_read_aloud(tmp_path):
    lesson = _first_lesson()
    bare = tmp_path / "bin"
    bare.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--db", f"sqlite:///{tmp_path / 'coach.sqlite3'}"],
        input="\n".join(["/start", "2", "1", "09:30", "1"]) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PATH": str(bare)},
    )
    assert done.returncode == 0, done.stderr
    assert f"{lesson['cards'][0]['text']['en']}\n  [1] Next\n" in done.stdout
    assert "Read it aloud" not in done.stdout


def test_words_and_a_simpler_card_in_the_console_keep_the_learners_place(tmp_path):
    words = Path(__file__).parents[1] / "fixtures" / "words"
    script = ["/start", "2", "1", "09:30", "1", "❓ Words", "Simpler, please", "/whatis avg", "1"]
    done = chat(tmp_path, script, "--lessons", str(words))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "  [2] Simpler, please\n  [3] ❓ Words" in out
    assert "» What the words mean\nphishing: A fake e-mail or text message" in out
    assert "» AVG (GDPR)\nThe European law that protects personal data." in out
    # After the words, the simpler card and /whatis, "1" is still the card's "Next".
    assert out.count("» Two-step login (1/2)") == 3
    assert "» Two-step login (2/2)" in out
