"""Read a YAML file into plain data, and find where a value stands in it.

This is the one way lesson, track and organisation files are read, and it
assumes a careless or hostile file: admins are told exactly where a problem is
(``file:line:col``), never shown a traceback, and no file can take the process
down or hold it for long. So before anything is built:

- a file larger than ``MAX_FILE_BYTES`` is not read at all;
- a character YAML forbids (NUL, DEL, U+FFFF ...) is reported at its line and
  column, not at libyaml's "position N", and so is a control character written
  as an escape in a quoted text (``"\\0"``), which YAML allows but no chat
  message can carry;
- the tree is composed here, without recursion, from libyaml's events, and
  composing stops at ``MAX_DEPTH`` levels of nesting (libyaml's own composer
  recurses in C: 100,000 levels crashed the process) and when the file, with
  every alias (``*name``) written out, would hold more than ``MAX_VALUES``
  values or ``MAX_CHARACTERS`` characters (a few hundred bytes of nested
  aliases otherwise expand to gigabytes: "billion laughs").

A position is looked up in the node tree only when a problem is reported. The
data is built from the nodes in one walk that also finds duplicate keys
(PyYAML's own constructor walks the tree again and silently keeps the last of
two equal keys). Booleans follow YAML 1.2 (``true``/``false`` only): under
YAML 1.1 an English option reading ``No`` or ``Yes`` would silently become a
boolean.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lessons.chat import UNSENDABLE

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


# A lesson file is a few KB and the placement check 60 KB: a megabyte is far more than
# any needs, and little enough that reading, composing and checking stay well under a second.
MAX_FILE_BYTES = 1_000_000
# A lesson nests six deep (quiz > question > options > option > why > language).
MAX_DEPTH = 20
# The placement check holds about 2,000 values; a hundred-thousand-value tree costs hundreds of MB.
MAX_VALUES = 20_000
# With every alias written out, the text may be no longer than the largest file allowed.
MAX_CHARACTERS = MAX_FILE_BYTES

# What YAML forbids in a file (YAML 1.1 and 1.2, section 5.1, as libyaml checks it):
# C0 controls but tab, LF and CR; DEL; C1 controls but NEL; surrogates; U+FFFE and U+FFFF.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Where libyaml starts a new line, so that a position found here matches its marks.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


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
            loader = _Loader(self.text)
            try:
                self._root = _compose(loader)
            finally:
                loader.dispose()
            assert self._root is not None, "only called on text that parsed"
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


def _problem(message: str, mark: Any) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=message, problem_mark=mark)


@dataclass
class _Open:
    """A list or mapping being composed, and the budget spent before it began (for its anchor)."""

    node: yaml.SequenceNode | yaml.MappingNode
    anchor: str | None
    items: list[yaml.Node]
    values_before: int
    characters_before: int


def _over_budget(values: int, mark: Any) -> yaml.MarkedYAMLError:
    if values > MAX_VALUES:
        return _problem(
            f"the file holds more than {MAX_VALUES:,} values with every alias (*name) written out; "
            "a lesson holds a few hundred: split the file, or repeat fewer aliases",
            mark,
        )
    return _problem(
        f"the file holds more than {MAX_CHARACTERS:,} characters of text with every alias (*name) "
        "written out: split the file, or repeat fewer aliases",
        mark,
    )


def _compose(loader: yaml.SafeLoader) -> yaml.Node | None:
    """libyaml's events to the single document's node tree (None for an empty file), in a loop.

    Composing stops with an error at ``MAX_DEPTH`` levels, ``MAX_VALUES``
    values or ``MAX_CHARACTERS`` characters, counted as if every alias were
    written out: an alias costs what its anchored node cost, nested aliases
    included. Scalars are most of a file, so their branch is kept lean.
    """
    # PyYAML's stubs leave these untyped.
    get: Callable[[], Any] = loader.get_event
    resolve: Callable[[type[yaml.Node], str | None, Any], str] = loader.resolve
    new_scalar: Callable[..., yaml.ScalarNode] = yaml.ScalarNode
    new_collection: dict[type[Any], Callable[..., yaml.SequenceNode | yaml.MappingNode]] = {
        yaml.SequenceStartEvent: yaml.SequenceNode,
        yaml.MappingStartEvent: yaml.MappingNode,
    }
    get()  # the stream's start
    if isinstance(get(), yaml.StreamEndEvent):
        return None
    anchors: dict[str, tuple[yaml.Node, int, int]] = {}
    values = characters = 0
    stack: list[_Open] = []
    root: yaml.Node | None = None
    while root is None:
        event = get()
        kind = type(event)
        node: yaml.Node
        if kind is yaml.ScalarEvent:
            text, tag = event.value, event.tag
            # The file's characters are checked before parsing; an escape ("\0", "\x1b") in a
            # double-quoted scalar is the one way left to write what a chat message cannot carry.
            if event.style == '"' and (escaped := UNSENDABLE.search(text)):
                raise _problem(
                    f"the text holds U+{ord(escaped.group()):04X}, written as an escape such as "
                    "\\0 or \\x1b: remove it",
                    event.start_mark,
                )
            if tag is None or tag == "!":
                tag = resolve(yaml.ScalarNode, text, event.implicit)
            node = new_scalar(tag, text, event.start_mark, event.end_mark, style=event.style)
            values += 1
            characters += len(text)
            if values > MAX_VALUES or characters > MAX_CHARACTERS:
                raise _over_budget(values, event.start_mark)
            if event.anchor is not None:
                anchors[event.anchor] = (node, 1, len(text))
        elif kind is yaml.AliasEvent:
            if event.anchor not in anchors:
                raise _problem(
                    f"alias *{event.anchor} names no anchor &{event.anchor} before it", event.start_mark
                )
            node, cost, length = anchors[event.anchor]
            if any(open_.node is node for open_ in stack):
                raise _problem(
                    "an alias (*name) points into the list or mapping it stands in", event.start_mark
                )
            values += cost
            characters += length
            if values > MAX_VALUES or characters > MAX_CHARACTERS:
                raise _over_budget(values, event.start_mark)
        elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
            if len(stack) >= MAX_DEPTH:
                raise _problem(
                    f"lists and mappings nest more than {MAX_DEPTH} deep here; a lesson needs 6: "
                    "check the brackets and the indentation",
                    event.start_mark,
                )
            node_kind = yaml.SequenceNode if kind is yaml.SequenceStartEvent else yaml.MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(node_kind, None, event.implicit)
            collection = new_collection[kind](tag, [], event.start_mark, None, flow_style=event.flow_style)
            stack.append(_Open(collection, event.anchor, [], values, characters))
            values += 1
            if values > MAX_VALUES:
                raise _over_budget(values, event.start_mark)
            if event.anchor is not None:
                anchors[event.anchor] = (collection, 0, 0)  # an alias to it before it closes is refused
            continue
        else:  # the end of a list or mapping
            done = stack.pop()
            node = done.node
            node.end_mark = event.end_mark
            if kind is yaml.MappingEndEvent:
                node.value = list(zip(done.items[::2], done.items[1::2], strict=True))
            else:
                node.value = done.items
            if done.anchor is not None:
                anchors[done.anchor] = (
                    node,
                    values - done.values_before,
                    characters - done.characters_before,
                )
        if stack:
            stack[-1].items.append(node)
        else:
            root = node
    get()  # the document's end
    if not isinstance(following := get(), yaml.StreamEndEvent):
        raise _problem(
            "a file holds one YAML document: remove the second '---' and what follows", following.start_mark
        )
    return root


class _Builder:
    """Turns a composed node tree into dicts, lists and scalars in one walk.

    The tree is at most ``MAX_DEPTH`` deep, so the walk may recurse.
    """

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self._loader = loader
        self.duplicate_keys: list[tuple[str, Position]] = []

    def build(self, node: yaml.Node) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag in _SCALARS and isinstance(node, yaml.ScalarNode):
            return _SCALARS[tag](node.value)
        if tag == _MAP and isinstance(node, yaml.MappingNode):
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
            return mapping
        if tag == _SEQ and isinstance(node, yaml.SequenceNode):
            return [self.build(item) for item in node.value]
        # An explicit tag (e.g. !!binary): PyYAML's safe constructor knows it or says why not.
        return self._loader.construct_object(node, deep=True)


def _where(text: str, index: int) -> Position:
    """The line and column of ``text[index]``, counted as libyaml counts them."""
    line, start = 1, 0
    for line_break in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, line_break.end()
    return (line, index - start + 1)


def parse(text: str) -> YamlDocument | SyntaxProblem:
    """Parse one YAML document, or say where and why it is not valid YAML."""
    if forbidden := _NOT_PRINTABLE.search(text):
        return SyntaxProblem(
            _where(text, forbidden.start()),
            f"the character U+{ord(forbidden.group()):04X} is not allowed in a YAML file: remove it "
            "(an invisible control character, often copied along from another program)",
        )
    loader = _Loader(text)
    try:
        node = _compose(loader)
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
    """Read and parse ``path``; a file over ``MAX_FILE_BYTES`` is refused before it is read whole."""
    try:
        with path.open("rb") as file:
            content = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return SyntaxProblem((1, 1), f"cannot read the file: {error.strerror or error}")
    if len(content) > MAX_FILE_BYTES:
        return SyntaxProblem(
            (1, 1),
            f"the file is larger than {MAX_FILE_BYTES / 1_000_000:g} MB; a lesson is a few KB: "
            "split it into several files",
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        return SyntaxProblem((1, 1), f"the file is not UTF-8 text ({error.reason}); save it as UTF-8")
    return parse(text)
