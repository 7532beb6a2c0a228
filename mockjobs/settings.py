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

from .errors import MockJobsError
from .kinds import Flag, Integer, Kind, Latency, Names, Number, Paths, Text
from .vocabulary import DEFAULT_RANDOM_SEED, MEMORY

APP, SERVER = "app", "server"  # where a setting applies: the app's configuration, its server


class SettingError(MockJobsError, ValueError):
    """A value a setting cannot take, in one line naming where it was given."""


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
    Setting("lifecycle", Flag(), False,
            "The data set's jobs start, progress and finish as time passes (submitted ones always do)."),
    Setting("fast_forward", Flag(), False,
            "A submitted batch is done by its first status poll: the clock jumps to its end."),
    Setting("error_rate", Number(0, 1), 0.1,
            "The share of jobs that end in ERROR, of those that run."),
    Setting("threads", Integer(1, 256), 8,
            "Worker threads (two of them are never held by a delay)."),
    Setting("workers", Integer(1, 32), 1,
            "Server processes on the port, sharing the database (one in memory becomes a temporary file)."),
    Setting("allowed_hosts", Names(), (),
            "Host names the server answers besides its own address ('*': any)."),
    Setting("connection_limit", Integer(8, 100_000), 4096,
            "Connections open at once, each process; more wait to be accepted.", SERVER),
    Setting("channel_timeout", Integer(1, 86_400), 30,
            "Seconds before an idle or trickling connection is closed.", SERVER),
    Setting("quiet", Flag(), False,
            "No access log on stdout (otherwise one line per request).", SERVER),
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
