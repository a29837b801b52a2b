"""Careless and hostile lesson and organisation files: a located message and exit 1, quickly, always.

Each file is what the audit of issue 16 found to print a traceback, hang for
a minute, take gigabytes or kill the process. The real command runs in a
subprocess, and its own CPU time is read from the kernel (``wait4``; on a
machine others share, CPU time is the steady measure) and its peak memory
from its own ``/proc/self/status`` as it ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from lessons.loader import load_library
from lessons.problems import MAX_PER_FILE
from lessons.yaml_source import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_VALUES,
    SyntaxProblem,
    YamlDocument,
    parse,
    read,
)
from tests.support import hostile_files

SECONDS = 2.0
MEGABYTES = 200


@dataclass(frozen=True)
class Finished:
    status: int
    output: str
    cpu_seconds: float
    peak_megabytes: float


# Runs the command and, as the process ends, reports its own peak memory (VmHWM): the kernel's
# ru_maxrss of a child counts the memory of the pytest process it was forked from, which grows
# with every test that ran before.
PEAK = "peak-memory-kB:"
MEASURED = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    f"            print('{PEAK}', line.split()[1], file=sys.__stderr__, flush=True)\n"
    "atexit.register(peak)\n"
    "sys.argv = ['digicoach', *sys.argv[1:]]\n"
    "runpy.run_module('bot', run_name='__main__')\n"
)


def run(*args: str, kill_after: float = 60) -> Finished:
    """``digicoach ARGS`` in a subprocess, with what it cost; killed (and failing) after ``kill_after`` s."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-c", MEASURED, *args], stdout=output, stderr=subprocess.STDOUT
        )
        killer = threading.Timer(kill_after, process.kill)
        killer.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait for it again
        output.seek(0)
        text = output.read().decode("utf-8", errors="replace")
    lines = text.splitlines(keepends=True)
    peaks = [int(line.split()[1]) for line in lines if line.startswith(PEAK)]
    assert peaks, f"the command did not report its peak memory:\n{text}"
    text = "".join(line for line in lines if not line.startswith(PEAK))
    return Finished(process.returncode, text, usage.ru_utime + usage.ru_stime, peaks[-1] / 1024)


HOSTILE_LESSONS = {
    # name: (the file's text, where and what the one problem is)
    "nested 1,000 deep": (
        hostile_files.deep_lesson(1_000),
        f"7:{7 + MAX_DEPTH}: YAML syntax error: lists and mappings nest more than {MAX_DEPTH} deep here",
    ),
    "nested 100,000 deep": (
        hostile_files.deep_lesson(100_000),
        f"7:{7 + MAX_DEPTH}: YAML syntax error: lists and mappings nest more than {MAX_DEPTH} deep here",
    ),
    "aliases that expand to 387 million values": (
        hostile_files.laughing_lesson(),
        f"7:15: YAML syntax error: the file holds more than {MAX_VALUES:,} values",
    ),
    "a NUL": (hostile_files.with_character("\x00"), "7:25: the character U+0000 is not allowed"),
    "a DEL": (hostile_files.with_character("\x7f"), "7:25: the character U+007F is not allowed"),
    "a U+FFFF": (hostile_files.with_character("\uffff"), "7:25: the character U+FFFF is not allowed"),
    "a 5,000,000-character option": (
        hostile_files.long_option(5_000_000),
        "1:1: the file is larger than 1 MB",
    ),
    "a 100,000-character title": (
        hostile_files.long_title(100_000),
        "7:38: title.en has 100,000 characters; at most 100 fit in a chat message",
    ),
}


@pytest.mark.parametrize("name", HOSTILE_LESSONS)
def test_lessons_check_reports_a_hostile_lesson_file_quickly_and_in_little_memory(tmp_path, name):
    text, expected = HOSTILE_LESSONS[name]
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    done = run("lessons", "check", str(path))
    assert done.status == 1, done.output
    problems = done.output.splitlines()[:-1]  # the last line is the summary
    assert len(problems) == 1, done.output
    assert problems[0].startswith(f"{path}:{expected}"), done.output
    assert done.cpu_seconds < SECONDS, f"{done.cpu_seconds:.1f} s of CPU time"
    assert done.peak_megabytes < MEGABYTES, f"{done.peak_megabytes:.0f} MB"


def test_org_apply_reports_a_hostile_organisation_file_quickly_and_in_little_memory(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(hostile_files.laughing_organisation(), encoding="utf-8")
    done = run("org", "apply", "--dry-run", str(path), "--db", f"sqlite:///{tmp_path / 'coach.sqlite3'}")
    assert done.status == 1, done.output
    assert done.output == (
        f"{path}:5:15: YAML syntax error: the file holds more than {MAX_VALUES:,} values with every alias "
        "(*name) written out; a lesson holds a few hundred: split the file, or repeat fewer aliases\n"
    )
    assert done.cpu_seconds < SECONDS, f"{done.cpu_seconds:.1f} s of CPU time"
    assert done.peak_megabytes < MEGABYTES, f"{done.peak_megabytes:.0f} MB"


def test_thousands_of_mistakes_list_the_first_and_count_the_rest(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text(hostile_files.GOOD_LESSON + "".join(f"k{i}: 1\n" for i in range(9_000)), encoding="utf-8")
    done = run("lessons", "check", str(path))
    assert done.status == 1
    lines = done.output.splitlines()
    assert len(lines) == MAX_PER_FILE + 2  # the problems listed, the count of the rest, the summary
    assert lines[0] == f"{path}:26:1: unknown key 'k0'; remove it or check the spelling"
    assert lines[MAX_PER_FILE] == (
        f"{path}:{26 + MAX_PER_FILE}:1: … and {9_000 - MAX_PER_FILE:,} more problem(s) in this file, "
        "not listed: fix the ones above and check again"
    )
    assert done.cpu_seconds < SECONDS, f"{done.cpu_seconds:.1f} s of CPU time"


# --- the reading rules, one at a time ---------------------------------------------------------


def _problem(text: str) -> SyntaxProblem:
    found = parse(text)
    assert isinstance(found, SyntaxProblem), found
    return found


def test_nesting_up_to_the_limit_is_read_and_one_more_level_is_not():
    deepest = "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert isinstance(parse(deepest), YamlDocument)
    assert "nest more than" in _problem("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n").message


def test_aliases_within_the_budget_are_written_out_and_the_budget_counts_them_expanded():
    doc = parse("a: &a {k: v}\nb: *a\nc: [*a, *a]\n")
    assert isinstance(doc, YamlDocument)
    assert doc.data == {"a": {"k": "v"}, "b": {"k": "v"}, "c": [{"k": "v"}, {"k": "v"}]}
    # 1,001 values written once, repeated 20 times by aliases: over the budget, though the file is small.
    text = "a: &a [" + ", ".join(["x"] * 1_000) + "]\nb: [" + ", ".join(["*a"] * 20) + "]\n"
    assert len(text) < 5_000
    assert _problem(text).message.startswith(
        f"YAML syntax error: the file holds more than {MAX_VALUES:,} values with every alias"
    )


def test_a_long_text_repeated_by_aliases_counts_every_time():
    text = "a: &a '" + "x" * 100_000 + "'\nb: [" + ", ".join(["*a"] * 10) + "]\n"
    assert "characters of text with every alias" in _problem(text).message


def test_an_alias_without_its_anchor_and_a_second_document_are_located():
    assert _problem("a: 1\nb: *nowhere\n") == SyntaxProblem(
        (2, 4), "YAML syntax error: alias *nowhere names no anchor &nowhere before it"
    )
    problem = _problem("a: 1\n---\nb: 2\n")
    assert problem.position == (2, 1)
    assert "one YAML document" in problem.message


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: b\x00\n", (1, 5)),
        ("a: 1\r\nb: \x1b\n", (2, 4)),  # CR LF is one line break, as libyaml counts
        ("a: 1\x85b: \x7f\n", (2, 4)),  # so is NEL
        ("a: |\n  one\n  tw\ufffeo\n", (3, 5)),
        ("a: 'é€😀\x08'\n", (1, 8)),  # columns count characters, not bytes
    ],
)
def test_a_forbidden_character_is_located_by_line_and_column(text, where):
    problem = _problem(text)
    assert problem.position == where
    assert "is not allowed in a YAML file" in problem.message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read_whole(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: '" + "x" * MAX_FILE_BYTES + "'\n", encoding="utf-8")
    assert read(path) == SyntaxProblem(
        (1, 1), "the file is larger than 1 MB; a lesson is a few KB: split it into several files"
    )


def test_a_folder_named_like_a_lesson_file_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "odd.yaml").mkdir()
    problem = read(tmp_path / "odd.yaml")
    assert isinstance(problem, SyntaxProblem)
    assert problem.message.startswith("cannot read the file")


# --- what the schema limits ---------------------------------------------------------------------


def _only_problem(tmp_path: Path, text: str) -> str:
    (tmp_path / "lesson.yaml").write_text(text, encoding="utf-8")
    loaded = load_library([tmp_path], ("nl", "en"))
    assert len(loaded.errors) == 1, [str(p) for p in loaded.problems]
    return str(loaded.errors[0]).removeprefix(f"{tmp_path / 'lesson.yaml'}:")


def test_a_text_longer_than_a_chat_message_can_carry_is_an_error_at_its_place(tmp_path):
    assert _only_problem(tmp_path, hostile_files.long_option(101)) == (
        "16:33: quiz[1].options[1].text.en has 101 characters; at most 100 fit in a chat message "
        "beside the rest: shorten it or split it"
    )


def test_a_control_character_written_as_an_escape_is_an_error_at_its_place(tmp_path):
    text = hostile_files.GOOD_LESSON.replace("en: Strong passwords}", 'en: "Strong\\0 passwords"}')
    assert _only_problem(tmp_path, text) == (
        "7:38: YAML syntax error: the text holds U+0000, written as an escape such as \\0 or \\x1b: remove it"
    )


def test_a_question_id_longer_than_the_database_keeps_is_an_error(tmp_path):
    text = hostile_files.GOOD_LESSON.replace("id: length", "id: " + "l" * 49)
    assert _only_problem(tmp_path, text) == "12:9: quiz[1].id has 49 characters; an id has at most 48"
