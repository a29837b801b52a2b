"""Buttons: each kind declares its fields once, and its choice id is built and read from them.

A button kind is a frozen dataclass that subclasses ``Button`` with a short
``kind``; its choice id is ``kind:field:field...`` (Telegram allows 64 bytes of
callback data). Its handler is declared next to the flow that handles it, with
``@on(Kind)``. An id that names no kind, has the wrong number of fields or a
field of the wrong shape reads as None: a forged, truncated or stale button,
refused before anything changes. A number is written in ASCII digits and
declares its range (``Annotated[int, Within(1, 7)]``): a button can be forged,
so a number outside it (a day 3000000, a row id beyond the database's 32 bits)
is refused here, once, rather than in every handler or by the database.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar, get_args, get_origin

from lessons.chat import Choice

if TYPE_CHECKING:
    from lessons.turn import Turn

SEPARATOR = ":"


@dataclass(frozen=True)
class Within:
    """The range a number in a button may take, ends included: ``Annotated[int, Within(1, 7)]``."""

    least: int
    most: int


# A row of the database: PostgreSQL's integer ids are 32-bit.
RowId = Annotated[int, Within(1, 2**31 - 1)]
# A place in a session: a card, a question of a lesson, a review or the placement check.
Position = Annotated[int, Within(0, 999)]

B = TypeVar("B", bound="Button")
Handler = Callable[["Turn", Any], None]

_KINDS: dict[str, type[Button]] = {}
_HANDLERS: dict[type[Button], Handler] = {}


@dataclass(frozen=True)
class Button:
    """A button the coach shows; subclasses are frozen dataclasses whose fields make the id."""

    kind: ClassVar[str]

    def __init_subclass__(cls, kind: str = "", **options: Any) -> None:
        super().__init_subclass__(**options)
        if not kind:
            raise TypeError(f"{cls.__name__} needs a kind: class {cls.__name__}(Button, kind='...')")
        if kind in _KINDS:
            raise TypeError(f"button kind '{kind}' is taken by {_KINDS[kind].__name__}")
        cls.kind = kind
        _KINDS[kind] = cls

    @property
    def id(self) -> str:
        values = (_text(getattr(self, f.name)) for f in fields(self))
        return SEPARATOR.join((self.kind, *values))

    def choice(self, label: str, *, ticked: bool | None = None) -> Choice:
        return Choice(self.id, label, ticked)


def _text(value: object) -> str:
    return value.value if isinstance(value, Enum) else str(value)


def on(kind: type[B]) -> Callable[[Callable[[Turn, B], None]], Callable[[Turn, B], None]]:
    """Declare the handler of a button kind; each kind has exactly one."""

    def register(handler: Callable[[Turn, B], None]) -> Callable[[Turn, B], None]:
        if kind in _HANDLERS:
            raise TypeError(f"button kind '{kind.kind}' has a handler already")
        _HANDLERS[kind] = handler
        return handler

    return register


_FIELD_TYPES: dict[str, tuple[tuple[str, Any], ...]] = {}


def _field_types(kind: type[Button]) -> tuple[tuple[str, Any], ...]:
    """(name, type) of each field, read once per kind."""
    if kind.kind not in _FIELD_TYPES:
        hints = typing.get_type_hints(kind, include_extras=True)
        _FIELD_TYPES[kind.kind] = tuple((f.name, hints[f.name]) for f in fields(kind))
    return _FIELD_TYPES[kind.kind]


def _value(text: str, wanted: Any) -> object:
    """One field of an id, or ValueError when it is not of the field's shape."""
    if get_origin(wanted) is Annotated and get_args(wanted)[0] is int:
        within = next((m for m in get_args(wanted)[1:] if isinstance(m, Within)), None)
        if within is None:
            raise TypeError(
                f"a number in a button needs its range, e.g. Annotated[int, Within(1, 7)]: {wanted!r}"
            )
        # isdigit() alone takes '³' and '٣'; the length check keeps int() from reading a huge number.
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(within.most)):
            raise ValueError(text)
        number = int(text)
        if not within.least <= number <= within.most:
            raise ValueError(text)
        return number
    if wanted is int:
        raise TypeError("a number in a button needs its range: Annotated[int, Within(least, most)]")
    if wanted is str:
        if not text:
            raise ValueError(text)
        return text
    if get_origin(wanted) is Literal:
        if text not in get_args(wanted):
            raise ValueError(text)
        return text
    if isinstance(wanted, type) and issubclass(wanted, Enum):
        return wanted(text)
    raise TypeError(f"a button field cannot be {wanted!r}")


def read(choice_id: str) -> Button | None:
    """The button a choice id stands for, or None if it stands for none."""
    kind_name, *parts = choice_id.split(SEPARATOR)
    kind = _KINDS.get(kind_name)
    if kind is None:
        return None
    types = _field_types(kind)
    if len(parts) != len(types):
        return None
    try:
        values = {name: _value(part, wanted) for part, (name, wanted) in zip(parts, types, strict=True)}
    except ValueError:
        return None
    return kind(**values)


def press(turn: Turn, button: Button) -> None:
    """Run the handler of a pressed button."""
    _HANDLERS[type(button)](turn, button)


def kinds() -> dict[str, type[Button]]:
    """Every button kind declared so far (load the flows first to have them all)."""
    return dict(_KINDS)


def unhandled() -> list[str]:
    """Kinds nobody declared a handler for: a test keeps this empty."""
    return sorted(name for name, kind in _KINDS.items() if kind not in _HANDLERS)
