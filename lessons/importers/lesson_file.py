"""Write an imported lesson as a YAML file an admin can read and edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_NO_FOLDING = 1 << 16


class _Dumper(yaml.SafeDumper):
    """Texts with line breaks as '|-' blocks, the way the shipped lessons are written."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    if style is None and "'" in value and not dumper.analyze_scalar(value).allow_flow_plain:
        style = '"'  # where YAML needs quotes: "it's" reads better than 'it''s'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(lesson: dict[str, Any], source: str) -> str:
    header = (
        f"# Imported from {source} by 'digicoach lessons import'.\n"
        "# Check the texts, add the other languages, then run 'digicoach lessons check'.\n"
    )
    # One text, one line, as in the shipped lessons: a folded line is harder to edit and to grep.
    body = yaml.dump(lesson, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=_NO_FOLDING)
    return header + body


def write(lesson: dict[str, Any], folder: Path, source: str) -> Path:
    """Write ``<id>.yaml`` in ``folder``; an existing file is never overwritten."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lesson['id']}.yaml"
    with path.open("x", encoding="utf-8") as file:
        file.write(dump(lesson, source))
    return path
