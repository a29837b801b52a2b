"""Lesson and organisation files made to hurt: built by the tests that need them, never committed.

Each is what the audit of issue 16 found to hang, exhaust or crash the loader:
deep nesting, nested aliases ("billion laughs"), characters YAML forbids, and
texts far longer than a chat message.
"""

from __future__ import annotations

from pathlib import Path

GOOD_LESSON = (Path(__file__).parents[1] / "fixtures" / "library" / "passwords.yaml").read_text(
    encoding="utf-8"
)


def deep_lesson(levels: int) -> str:
    """A title nested ``levels`` lists deep: 100,000 levels are a 200 KB file."""
    return GOOD_LESSON.replace(
        "title: {nl: Sterke wachtwoorden, en: Strong passwords}", "title: " + "[" * levels + "]" * levels
    )


def _laughs(levels: int, width: int) -> str:
    """Anchors that each repeat the one before ``width`` times: ``width ** levels`` values once expanded."""
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def laughing_lesson() -> str:
    """A lesson of about 500 bytes whose title expands to 9 ** 9 (387 million) values."""
    return "id: laughs\nversion: 1\n" + _laughs(9, 9) + "title: {nl: *a8, en: x}\n"


def laughing_organisation() -> str:
    """An organisation file of about 500 bytes whose name expands to 387 million values."""
    return _laughs(9, 9) + "organisations:\n  - id: ghent\n    name: *a8\n"


def with_character(character: str) -> str:
    """The good lesson with ``character`` in the Dutch title, on line 7 at column 25."""
    return GOOD_LESSON.replace("Sterke wachtwoorden,", f"Sterke wacht{character}woorden,")


def long_option(characters: int) -> str:
    return GOOD_LESSON.replace("{nl: Welkom1, en: Welcome1}", "{nl: Welkom1, en: " + "W" * characters + "}")


def long_title(characters: int) -> str:
    return GOOD_LESSON.replace("en: Strong passwords}", f"en: {'S' * characters}}}")
