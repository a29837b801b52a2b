"""Read a YAML file into plain data, and find where a value stands in it.

Admins are told exactly where a problem is (``file:line:col``); a position is
looked up in the node tree only when a problem is reported. The data is built
from the nodes in one walk that also finds duplicate keys (PyYAML's own
constructor walks the tree again and silently keeps the last of two equal
keys). Booleans follow YAML 1.2 (``true``/``false`` only): under YAML 1.1 an
English option reading ``No`` or ``Yes`` would silently become a boolean.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """SafeLoader with YAML 1.2 booleans and no timestamp or sexagesimal magic.

    libyaml composes the tree but asks this Python class for the tag of every
    node; the generic resolver's path bookkeeping cost more than parsing, and
    lessons use no path resolvers, so tags are resolved here directly.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:  # plain (unquoted) scalar: it may be a number, boolean or null
                for tag, pattern in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if pattern.match(value):
                        return str(tag)
            return _STR
        return _MAP if kind is yaml.MappingNode else _SEQ


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

# The scalars the implicit resolvers above produce; anything else (an explicit
# tag such as !!binary) goes through PyYAML's constructor.
_SCALARS: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:bool": lambda text: text in ("true", "True", "TRUE"),
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:null": lambda _text: None,
}


@dataclass(frozen=True)
class SyntaxProblem:
    position: Position
    message: str


@dataclass
class Source:
    """A file's text, to find where a value stands when there is a problem to report.

    The node tree is not kept between lookups of different files: a library
    holds hundreds of them, and keeping every node alive made Python's garbage
    collector the slowest part of a check. The text is composed again on the
    first lookup, which happens only when there is something to report.
    """

    text: str
    _root: yaml.Node | None = field(default=None, repr=False, compare=False)

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        """Where ``path`` stands; falls back to the nearest parent that exists.

        ``key=True`` gives the position of the mapping key rather than its value
        (an unknown key is reported where the key is written).
        """
        if self._root is None:
            self._root = _compose(self.text)
        node, key_node = self._root, None
        for part in path:
            found = _child(node, part)
            if found is None:
                break
            key_node, node = found
        return _mark(key_node if key and key_node is not None else node)


@dataclass
class YamlDocument:
    """A parsed file: its data, its source, and the duplicate keys found."""

    data: Any
    source: Source
    duplicate_keys: list[tuple[str, Position]] = field(default_factory=list)

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        return self.source.position(path, key=key)


def _compose(text: str) -> yaml.Node:
    loader = _Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
    finally:
        loader.dispose()
    assert node is not None, "only called on text that parsed"
    return node


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def _mark(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node tree into dicts, lists and scalars in one walk."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self._loader = loader
        self._open: set[int] = set()  # collections being built: an alias back into one is a loop
        self.duplicate_keys: list[tuple[str, Position]] = []

    def build(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag in _SCALARS and isinstance(node, yaml.ScalarNode):
            return _SCALARS[tag](node.value)
        if id(node) in self._open:
            raise yaml.MarkedYAMLError(
                problem="an alias (*name) points into the list or mapping it stands in",
                problem_mark=node.start_mark,
            )
        if tag == _MAP and isinstance(node, yaml.MappingNode):
            self._open.add(id(node))
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node)
                if not isinstance(key, str | int | float | bool | None):
                    raise yaml.MarkedYAMLError(
                        problem="a key must be a word or a text, not a list or mapping",
                        problem_mark=key_node.start_mark,
                    )
                if key in mapping:
                    self.duplicate_keys.append((str(key), _mark(key_node)))
                else:
                    mapping[key] = self.build(value_node)
            self._open.discard(id(node))
            return mapping
        if tag == _SEQ and isinstance(node, yaml.SequenceNode):
            self._open.add(id(node))
            items = [self.build(item) for item in node.value]
            self._open.discard(id(node))
            return items
        # An explicit tag (e.g. !!binary): PyYAML's safe constructor knows it or says why not.
        return self._loader.construct_object(node, deep=True)


def parse(text: str) -> YamlDocument | SyntaxProblem:
    """Parse one YAML document, or say where and why it is not valid YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return SyntaxProblem((1, 1), "the file is empty")
        builder = _Builder(loader)
        data = builder.build(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return SyntaxProblem(where, f"YAML syntax error: {error.problem or error.context}")
    except yaml.YAMLError as error:
        return SyntaxProblem((1, 1), f"YAML syntax error: {error}")
    finally:
        loader.dispose()
    return YamlDocument(data, Source(text), builder.duplicate_keys)


def read(path: Path) -> YamlDocument | SyntaxProblem:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return SyntaxProblem((1, 1), f"the file is not UTF-8 text ({error.reason}); save it as UTF-8")
    return parse(text)
