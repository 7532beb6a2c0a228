"""Click options made from settings: `--seed N` and the others of `mockjobs serve`."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from .settings import SETTINGS, Flag, Setting, SettingError, resolve

F = TypeVar("F", bound=Callable[..., Any])


class SettingType(click.ParamType):
    """A setting's text read by the setting, refused in its words."""

    def __init__(self, setting: Setting) -> None:
        self.setting = setting
        self.name = setting.kind.metavar

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self.setting.kind.from_text(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not {self.setting.kind.describe}.", param, ctx)


def setting_option(setting: Setting) -> Callable[[F], F]:
    """`--name VALUE` (`--name/--no-name` for a flag), its default shown, never applied.

    The value is that of the command line only: `from_command_line` fills in the rest.
    """
    if isinstance(setting.kind, Flag):
        flag = f"{setting.option}/--no-{setting.option.removeprefix('--')}"
        return click.option(flag, setting.name, default=False, help=setting.help)
    repeatable = " Repeatable." if setting.kind.multiple else ""
    return click.option(
        setting.option,
        setting.name,
        type=SettingType(setting),
        multiple=setting.kind.multiple,
        metavar=setting.kind.metavar,
        default=setting.kind.show(setting.default) or None,  # as text, to be shown
        show_default=True,
        help=setting.help + repeatable,
    )


def setting_options(settings: Iterable[Setting]) -> Callable[[F], F]:
    """The options of `settings`, listed in their order."""

    def decorate(command: F) -> F:
        for setting in reversed(list(settings)):
            command = setting_option(setting)(command)
        return command

    return decorate


def from_command_line(ctx: click.Context, options: dict[str, Any]) -> dict[str, Any]:
    """Every setting: as given on the command line, else by MOCKJOBS_* variables, else default."""
    given = {
        name: tuple(chain.from_iterable(value)) if SETTINGS[name].kind.multiple else value
        for name, value in options.items()
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE
    }
    try:
        return resolve(given, SETTINGS, os.environ)
    except SettingError as error:
        raise click.ClickException(str(error)) from None


def given_as(ctx: click.Context, name: str, value: Any) -> str | None:
    """How a setting was given, as it was typed: `--seed 500`, `--fixtures a.json --fixtures
    b.json` or `MOCKJOBS_SEED=500`; None when it is the default."""
    setting = SETTINGS[name]
    if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE:
        if isinstance(setting.kind, Flag):
            return setting.option if value else f"--no-{setting.option.removeprefix('--')}"
        items = value if setting.kind.multiple else (setting.kind.show(value),)
        return " ".join(f"{setting.option} {shlex.quote(item)}" for item in items)
    if setting.variable in os.environ:
        return f"{setting.variable}={shlex.quote(os.environ[setting.variable])}"
    return None
