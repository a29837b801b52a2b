"""Read a YAML file into plain data plus the line and column of every node.

Admins are told exactly where a problem is (``file:line:col``), so the loader
keeps PyYAML's node marks next to the data. Booleans follow YAML 1.2
(``true``/``false`` only): under YAML 1.1 an English option reading ``No`` or
``Yes`` would silently become a boolean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml's parser is several times faster on a large library
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader

Position = tuple[int, int]  # 1-based line and column
PathKey = tuple[str | int, ...]


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader with YAML 1.2 booleans and no timestamp or sexagesimal magic."""


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


@dataclass(frozen=True)
class SyntaxProblem:
    position: Position
    message: str


@dataclass
class YamlDocument:
    """A parsed file: its data, where each value and key stands, and duplicate keys."""

    data: Any
    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)
    duplicate_keys: list[tuple[PathKey, Position]] = field(default_factory=list)

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        """Where ``path`` stands; falls back to the nearest parent that exists."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            found = table.get(path[:end]) or self.values.get(path[:end])
            if found:
                return found
        return (1, 1)


def _mark(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _index(doc: YamlDocument, node: yaml.Node, path: PathKey) -> None:
    doc.values[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                doc.duplicate_keys.append(((*path, key), _mark(key_node)))
                continue
            seen.add(key)
            doc.keys[(*path, key)] = _mark(key_node)
            _index(doc, value_node, (*path, key))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(doc, item, (*path, i))


def parse(text: str) -> YamlDocument | SyntaxProblem:
    """Parse one YAML document, or say where and why it is not valid YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return SyntaxProblem((1, 1), "the file is empty")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return SyntaxProblem(where, f"YAML syntax error: {error.problem or error.context}")
    except yaml.YAMLError as error:
        return SyntaxProblem((1, 1), f"YAML syntax error: {error}")
    finally:
        loader.dispose()
    doc = YamlDocument(data)
    _index(doc, node, ())
    return doc


def read(path: Path) -> YamlDocument | SyntaxProblem:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return SyntaxProblem((1, 1), f"the file is not UTF-8 text ({error.reason}); save it as UTF-8")
    return parse(text)
