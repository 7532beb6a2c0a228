"""The settings table: its readers, the environment, and every place derived from it agreeing."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mockjobs import MockJobsServer
from mockjobs.app import create_app
from mockjobs.server import FOR_TESTS
from mockjobs.settings import APP_SETTINGS, SETTINGS, SettingError, app_config, resolve

FROM_TEXT = [
    ("seed", "50", 50),
    ("seed", "0", 0),
    ("random_seed", "-3", -3),
    ("port", "65535", 65535),
    ("error_rate", "0.25", 0.25),
    ("error_rate", "1", 1.0),
    ("strict", "true", True),
    ("strict", "False", False),
    ("strict", "1", True),
    ("strict", "off", False),
    ("latency", "200", (200, 200)),
    ("latency", "100-300", (100, 300)),
    ("fixtures", "a.json", ("a.json",)),
    ("token", "t", "t"),
    ("token", "", None),
    ("db", "jobs.db", "jobs.db"),
]
BAD_TEXT = [
    ("seed", "-1", "an integer >= 0"),
    ("seed", "ten", "an integer >= 0"),
    ("port", "65536", "an integer from 0 to 65535"),
    ("threads", "0", "an integer from 1 to 256"),
    ("error_rate", "nan", "a number from 0 to 1"),
    ("strict", "maybe", "true or false"),
    ("latency", "9-1", "MS or MIN-MAX (MIN <= MAX), milliseconds from 0 to 60000"),
    ("latency", "60001", "MS or MIN-MAX"),
    ("latency", "slow", "MS or MIN-MAX"),
]


@pytest.mark.parametrize(("name", "text", "value"), FROM_TEXT)
def test_from_text(name: str, text: str, value: Any) -> None:
    assert SETTINGS[name].from_text(text, "here") == value
    assert SETTINGS[name].from_value(value, "here") == value  # a value read is read as it is


@pytest.mark.parametrize(("name", "text", "describe"), BAD_TEXT)
def test_bad_text_is_one_line_naming_where_and_what(name: str, text: str, describe: str) -> None:
    with pytest.raises(SettingError) as error:
        SETTINGS[name].from_text(text, "--here")
    assert str(error.value).startswith(f"--here: invalid value {text!r} ({describe}")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("latency", [100, 300], (100, 300)),
        ("latency", "100-300", (100, 300)),
        ("latency", 5, (5, 5)),
        ("fixtures", [Path("a.json"), "b.json"], ("a.json", "b.json")),
        ("db", Path("jobs.db"), "jobs.db"),
        ("error_rate", 0, 0.0),
        ("token", None, None),
    ],
)
def test_from_value(name: str, value: Any, expected: Any) -> None:
    assert SETTINGS[name].from_value(value, "here") == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("seed", True),
        ("seed", 5.0),
        ("seed", "5"),
        ("strict", 1),
        ("strict", "true"),
        ("fixtures", "a.json"),
        ("fixtures", ["a.json", 3]),
        ("latency", [1, 2, 3]),
        ("latency", [True, 2]),
        ("token", 5),
        ("error_rate", 1.5),
    ],
)
def test_bad_values(name: str, value: Any) -> None:
    with pytest.raises(SettingError) as error:
        SETTINGS[name].from_value(value, "where")
    assert str(error.value).startswith(f"where: invalid value {value!r} (")


ENVIRONMENT = [
    ("seed", "50", 50),
    ("fixtures", '["a.json"]', ("a.json",)),
    ("fixtures", "a.json", ("a.json",)),  # not JSON: read as the option's text
    ("token", '"t"', "t"),
    ("token", "t", "t"),
    ("token", "123", "123"),  # JSON, but not a string: the text
    ("token", "null", None),
    ("strict", "true", True),
    ("strict", "1", True),
    ("latency", "[100, 300]", (100, 300)),
    ("latency", '"100-300"', (100, 300)),
    ("latency", "100-300", (100, 300)),
    ("latency", "200", (200, 200)),
    ("error_rate", "0.5", 0.5),
    ("db", "/tmp/jobs.db", "/tmp/jobs.db"),
]


@pytest.mark.parametrize(("name", "text", "value"), ENVIRONMENT)
def test_environment_values_are_json_or_the_options_text(name: str, text: str, value: Any) -> None:
    setting = SETTINGS[name]
    assert resolve({}, [name], {setting.variable: text}) == {name: value}


@pytest.mark.parametrize(
    ("name", "text"),
    [("seed", "ten"), ("seed", '"50"'), ("fixtures", '["a.json", 3]'), ("latency", "[9, 1]")],
)
def test_a_bad_environment_value_names_the_variable(name: str, text: str) -> None:
    variable = SETTINGS[name].variable
    with pytest.raises(SettingError) as error:
        resolve({}, [name], {variable: text})
    assert str(error.value).startswith(f"{variable}: invalid value {text!r} (")


def test_create_app_config_then_environment_then_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = app_config({}, environ={})
    assert defaults == {SETTINGS[name].key: SETTINGS[name].default for name in APP_SETTINGS}
    monkeypatch.setenv("MOCKJOBS_SEED", "7")
    monkeypatch.setenv("MOCKJOBS_STRICT", "true")
    monkeypatch.setenv("MOCKJOBS_OTHER", "not a setting: ignored")
    app = create_app({"STRICT": False, "LATENCY": "1-2", "TESTING": True})
    assert app.extensions["mockjobs"].jobs.count() == 7
    assert (app.config["STRICT"], app.config["LATENCY"], app.config["TESTING"]) == (
        False,
        (1, 2),
        True,
    )
    assert "OTHER" not in app.config


def test_create_app_refuses_a_bad_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKJOBS_SEED", "ten")
    with pytest.raises(SettingError, match=r"^MOCKJOBS_SEED: invalid value 'ten' \(an integer"):
        create_app()
    assert create_app({"SEED": 3}).extensions["mockjobs"].jobs.count() == 3  # unread
    with pytest.raises(SettingError, match=r"^config\['LATENCY'\]: invalid value 'slow'"):
        create_app({"SEED": 0, "LATENCY": "slow"})


def test_mockjobs_server_takes_every_setting_and_no_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parameters = inspect.signature(MockJobsServer).parameters
    assert list(parameters) == list(SETTINGS)
    for name, parameter in parameters.items():
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default == FOR_TESTS.get(name, SETTINGS[name].default)
    assert FOR_TESTS == {"port": 0, "quiet": True}  # a free port, and no access log
    monkeypatch.setenv("MOCKJOBS_SEED", "ten")
    server = MockJobsServer(seed=2, latency="3", fixtures=())
    assert server.threads == 8 and server.port == 0
    assert (server.app.config["SEED"], server.app.config["LATENCY"]) == (2, (3, 3))
    with pytest.raises(TypeError, match=r"^MockJobsServer: unknown keyword 'sede'"):
        MockJobsServer(sede=2)
    with pytest.raises(SettingError, match=r"^MockJobsServer: seed: invalid value -1"):
        MockJobsServer(seed=-1)


def test_the_readme_lists_every_setting_with_its_default() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    table = readme.split("### Settings", 1)[1].split("\n\n")[2].splitlines()[2:]
    cells = [[cell.strip(" `") for cell in re.split(r"(?<!\\)\|", row)] for row in table]
    shown = {
        name: setting.kind.show(setting.default) or "none" for name, setting in SETTINGS.items()
    }
    assert {row[1]: row[3] for row in cells} == shown
    assert [row[2].split()[0] for row in cells] == [SETTINGS[row[1]].option for row in cells]


def test_the_plugin_is_cheap_to_import() -> None:
    heavy = ("flask", "waitress", "peewee", "marshmallow", "faker", "mockjobs.server")
    code = (
        "import sys, mockjobs.pytest_plugin\n"
        f"print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == []
