"""The kinds of values a setting takes, each read from text (a command line, an ini file) or
from a value (JSON, Python), and shown as text. Standard library only."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

MAX_LATENCY = 60_000  # milliseconds


class Kind:
    """What values a setting takes, read from text (a command line, an ini file) or a value.

    A value is what JSON or Python gives; reading one that is already read returns it as it is.
    Both readers raise ValueError (or TypeError) for what they cannot take.
    """

    describe = "a value"  # completes "invalid value 'x' (...)"
    metavar = "TEXT"
    hint = "Any"  # the Python type, for MockJobsServer's signature
    multiple = False  # on a command line, each occurrence gives one more item

    def from_text(self, text: str) -> Any:
        return self.from_value(text)

    def from_value(self, value: Any) -> Any:
        raise NotImplementedError

    def show(self, value: Any) -> str:
        """A value as text, as it would be given; "" for none."""
        return "" if value is None else str(value)


@dataclass(frozen=True)
class Integer(Kind):
    low: int | None = None
    high: int | None = None
    metavar: str = "N"
    hint = "int"

    @property
    def describe(self) -> str:  # type: ignore[override]
        if self.low is None:
            return "an integer"
        if self.high is None:
            return f"an integer >= {self.low}"
        return f"an integer from {self.low} to {self.high}"

    def from_text(self, text: str) -> int:
        return self.from_value(int(text))

    def from_value(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(value)
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise ValueError(value)
        return value


@dataclass(frozen=True)
class Number(Kind):
    low: float
    high: float
    metavar: str = "X"
    hint = "float"

    @property
    def describe(self) -> str:  # type: ignore[override]
        return f"a number from {self.low:g} to {self.high:g}"

    def from_text(self, text: str) -> float:
        return self.from_value(float(text))

    def from_value(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(value)
        if not self.low <= value <= self.high:  # NaN included
            raise ValueError(value)
        return float(value)


TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


class Flag(Kind):
    describe = "true or false"
    hint = "bool"

    def from_text(self, text: str) -> bool:
        word = text.strip().lower()
        if word not in TRUE + FALSE:
            raise ValueError(text)
        return word in TRUE

    def from_value(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise TypeError(value)
        return value

    def show(self, value: Any) -> str:
        return "true" if value else "false"


@dataclass(frozen=True)
class Text(Kind):
    """Text; with `optional`, None too (which empty text means); with `path`, a path too."""

    optional: bool = False
    path: bool = False
    metavar: str = "TEXT"

    @property
    def describe(self) -> str:  # type: ignore[override]
        return "a path or URL" if self.path else "a string"

    @property
    def hint(self) -> str:  # type: ignore[override]
        return "str | Path" if self.path else "str | None" if self.optional else "str"

    def from_value(self, value: Any) -> str | None:
        if self.path and isinstance(value, os.PathLike):
            value = os.fspath(value)
        if self.optional and value in (None, ""):
            return None
        if not isinstance(value, str):
            raise TypeError(value)
        return value


class Paths(Kind):
    """File paths: a list of them as a value, one as text (repeat the option for more)."""

    describe = "a list of file paths"
    metavar = "FILE"
    hint = "Sequence[str | Path]"
    multiple = True

    def from_text(self, text: str) -> tuple[str, ...]:
        return (text,)

    def from_value(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            raise TypeError(value)
        if not all(self.takes(item) for item in value):
            raise TypeError(value)
        return tuple(self.read(item) for item in value)

    def takes(self, item: Any) -> bool:
        return isinstance(item, str | os.PathLike)

    def read(self, item: Any) -> str:
        return os.fspath(item)

    def show(self, value: Any) -> str:
        return " ".join(value)


class Names(Paths):
    """Host names, as Paths are given; compared in lower case."""

    describe = "a list of host names"
    metavar = "NAME"
    hint = "Sequence[str]"

    def takes(self, item: Any) -> bool:
        return isinstance(item, str) and bool(item)

    def read(self, item: Any) -> str:
        return item.lower()


class Latency(Kind):
    """Milliseconds as (min, max): `"200"` or `"100-300"` as text, also `200` or `[100, 300]`."""

    describe = f"MS or MIN-MAX (MIN <= MAX), milliseconds from 0 to {MAX_LATENCY}"
    metavar = "MS|MIN-MAX"
    hint = "tuple[int, int] | str"

    def from_text(self, text: str) -> tuple[int, int]:
        low, _, high = text.partition("-")
        return self.from_value((int(low), int(high or low)))

    def from_value(self, value: Any) -> tuple[int, int]:
        if isinstance(value, str):
            return self.from_text(value)
        if isinstance(value, int) and not isinstance(value, bool):
            value = (value, value)
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise TypeError(value)
        low, high = (INTEGER.from_value(bound) for bound in value)
        if not 0 <= low <= high <= MAX_LATENCY:
            raise ValueError(value)
        return (low, high)

    def show(self, value: Any) -> str:
        low, high = value
        return str(low) if low == high else f"{low}-{high}"


INTEGER = Integer()
