"""Every setting of mockjobs, declared once: its name, kind, default, help and where it applies.

The app's defaults, the MOCKJOBS_* environment variables, the options of `mockjobs serve`, the
pytest plugin's ini options and marker keywords and MockJobsServer's keywords all come from
SETTINGS. Standard library only: the pytest plugin, loaded by every pytest run, imports it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .vocabulary import DEFAULT_RANDOM_SEED, MEMORY

APP, SERVER = "app", "server"  # where a setting applies: the app's configuration, its server
MAX_LATENCY = 60_000  # milliseconds


class SettingError(ValueError):
    """A value a setting cannot take, in one line naming where it was given."""


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
    """File paths: a list of them as a value, one as text."""

    describe = "a list of file paths"
    metavar = "FILE"
    hint = "Sequence[str | Path]"
    multiple = True

    def from_text(self, text: str) -> tuple[str, ...]:
        return (text,)

    def from_value(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            raise TypeError(value)
        if not all(isinstance(item, str | os.PathLike) for item in value):
            raise TypeError(value)
        return tuple(os.fspath(item) for item in value)

    def show(self, value: Any) -> str:
        return " ".join(value)


class Names(Kind):
    """Host names: a list of them as a value, one as text (repeat the option for more)."""

    describe = "a list of host names"
    metavar = "NAME"
    hint = "Sequence[str]"
    multiple = True

    def from_text(self, text: str) -> tuple[str, ...]:
        return (text,)

    def from_value(self, value: Any) -> tuple[str, ...]:
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            raise TypeError(value)
        if not all(isinstance(item, str) and item for item in value):
            raise TypeError(value)
        return tuple(item.lower() for item in value)

    def show(self, value: Any) -> str:
        return " ".join(value)


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


@dataclass(frozen=True)
class Setting:
    """One setting. `name` is its keyword; its other names follow from it."""

    name: str
    kind: Kind
    default: Any
    help: str
    applies: str = APP
    data_set: bool = False  # part of the data set, which a reset switches without a new app

    @property
    def key(self) -> str:
        """The app's configuration key."""
        return self.name.upper()

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def variable(self) -> str:
        return f"MOCKJOBS_{self.key}"

    @property
    def ini(self) -> str:
        return f"mockjobs_{self.name}"

    def from_text(self, text: str, where: str) -> Any:
        try:
            return self.kind.from_text(text)
        except (TypeError, ValueError):
            raise self.invalid(text, where) from None

    def from_value(self, value: Any, where: str) -> Any:
        try:
            return self.kind.from_value(value)
        except (TypeError, ValueError):
            raise self.invalid(value, where) from None

    def from_environment(self, text: str) -> Any:
        """A MOCKJOBS_* value: JSON, or else the text as an option's.

        JSON that is a string, a list or an object is read as JSON only (`'["a.json", 3]'` is
        no fixture file); text that is not JSON, or other JSON that the setting does not take
        (`MOCKJOBS_TOKEN=123`, `MOCKJOBS_STRICT=1`), is read as the command line's text.
        """
        try:
            value = json.loads(text)
        except ValueError:
            return self.from_text(text, self.variable)
        try:
            return self.kind.from_value(value)
        except (TypeError, ValueError):
            if isinstance(value, str | list | dict):
                raise self.invalid(text, self.variable) from None
        return self.from_text(text, self.variable)

    def invalid(self, value: Any, where: str) -> SettingError:
        return SettingError(f"{where}: invalid value {value!r} ({self.kind.describe})")


# fmt: off
SETTINGS: dict[str, Setting] = {setting.name: setting for setting in (
    Setting("host", Text(metavar="HOST"), "127.0.0.1", "Interface to listen on.", SERVER),
    Setting("port", Integer(0, 65535), 8000, "Port; 0 picks a free one.", SERVER),
    Setting("seed", Integer(0), 500, "Number of generated jobs.", data_set=True),
    Setting("random_seed", Integer(), DEFAULT_RANDOM_SEED, "Seed of the generator.", data_set=True),
    Setting("fixtures", Paths(), (), "Fixture files, loaded before the generated jobs.",
            data_set=True),
    Setting("db", Text(path=True, metavar="PATH"), MEMORY,
            "Database file, or a postgresql:// URL; one that holds jobs is served as it is."),
    Setting("reset", Flag(), False, "Replace the jobs of an existing database."),
    Setting("strict", Flag(), False, "Refuse unknown query parameters (422)."),
    Setting("journal_size", Integer(0), 1000, "Requests kept in the journal, the latest."),
    Setting("token", Text(optional=True, metavar="TOKEN"), None,
            "Require `Authorization: Bearer TOKEN` (401 otherwise)."),
    Setting("latency", Latency(), (0, 0), "Milliseconds added to each API request."),
    Setting("lifecycle", Flag(), False, "Jobs start, progress and finish as time passes."),
    Setting("error_rate", Number(0, 1), 0.1,
            "With lifecycle, the share of jobs that end in ERROR."),
    Setting("threads", Integer(1, 256), 8,
            "Worker threads (two of them are never held by a delay)."),
    Setting("allowed_hosts", Names(), (),
            "Host names the server answers besides its own address ('*': any)."),
    Setting("connection_limit", Integer(8, 100_000), 4096,
            "Connections open at once; more wait to be accepted.", SERVER),
    Setting("channel_timeout", Integer(1, 86_400), 30,
            "Seconds before an idle or trickling connection is closed.", SERVER),
)}
# fmt: on
APP_SETTINGS = tuple(name for name, setting in SETTINGS.items() if setting.applies == APP)
DATA_SET = tuple(name for name, setting in SETTINGS.items() if setting.data_set)


def resolve(
    given: Mapping[str, Any],
    names: Iterable[str] = SETTINGS,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The named settings: from `given` (values already read), else `environ`, else defaults.

    Only the variables of settings not given are read, so that a bad one overridden is no error.
    """
    values = {}
    for name in names:
        setting = SETTINGS[name]
        if name in given:
            values[name] = given[name]
        elif environ is not None and setting.variable in environ:
            values[name] = setting.from_environment(environ[setting.variable])
        else:
            values[name] = setting.default
    return values


def from_keywords(
    keywords: Mapping[str, Any], where: str, names: Iterable[str] = SETTINGS
) -> dict[str, Any]:
    """Keyword arguments read as settings' values; TypeError for a keyword that names none."""
    known = tuple(names)
    for name in keywords:
        if name not in known:
            raise TypeError(f"{where}: unknown keyword {name!r} (it takes {', '.join(known)})")
    return {
        name: SETTINGS[name].from_value(value, f"{where}: {name}")
        for name, value in keywords.items()
    }


def app_config(
    config: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The app's configuration: `config`, then MOCKJOBS_* variables (os.environ), then defaults.

    `config` uses the settings' keys (SEED, FIXTURES, ...); its other keys (Flask's own, say)
    are kept as they are.
    """
    given = {
        name: setting.from_value(config[setting.key], f"config[{setting.key!r}]")
        for name, setting in SETTINGS.items()
        if setting.applies == APP and setting.key in config
    }
    values = resolve(given, APP_SETTINGS, os.environ if environ is None else environ)
    return {**config, **{SETTINGS[name].key: value for name, value in values.items()}}
