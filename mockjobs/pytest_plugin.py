"""The pytest plugin: the fake API as fixtures (registered through the pytest11 entry point).

- `mockjobs_server` (session): one MockJobsServer on 127.0.0.1 and a free port.
- `mockjobs` (function): a server reset to the test's data set before the test: the session's,
  unless the test's marker asks for an app of its own (then one shared by the tests asking
  for the same).
- `mockjobs_client`: a Flask test client over the same data, for tests without sockets.

Configured by the ini options `mockjobs_<setting>`, and per test by `@pytest.mark.mockjobs(...)`:
the marker, then the ini file, then the defaults. Loaded by every pytest run, so it imports
nothing heavy until a fixture is used.

With `MOCKJOBS_URL` (or the ini option `mockjobs_url`) naming a mockjobs running elsewhere,
no server is started: the fixtures are a MockJobsClient of that one, reset to each test's data
set as a local server would be; tests that need settings of their own, or the app in this
process (`mockjobs_client`), are skipped, saying why.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .errors import MockJobsError
from .settings import APP_SETTINGS, DATA_SET, SETTINGS, SettingError, from_keywords, resolve

if TYPE_CHECKING:
    from flask.testing import FlaskClient

    from .control import MockControl
    from .server import MockJobsServer

MARKER = "@pytest.mark.mockjobs"
SERVER_MODULE = f"{__package__}.server"
URL_VARIABLE, URL_INI = "MOCKJOBS_URL", "mockjobs_url"  # a mockjobs elsewhere, not one started
INI = pytest.StashKey[dict[str, Any]]()
EXTERNAL = pytest.StashKey[str | None]()
ALREADY_RUNNING = pytest.StashKey[set["MockJobsServer"]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        URL_INI,
        f"mockjobs: the base URL of a mockjobs running elsewhere, which the fixtures control"
        f" instead of starting one (the environment's {URL_VARIABLE} comes first).",
        default=None,
    )
    for name in APP_SETTINGS:
        setting = SETTINGS[name]
        shown = setting.kind.show(setting.default) or "none"
        parser.addini(
            setting.ini,
            f"mockjobs: {setting.help} Default: {shown}.",
            type="paths" if setting.kind.multiple else "string",  # paths: from the ini file's
            default=None,
        )


def pytest_configure(config: pytest.Config) -> None:
    keywords = ", ".join(f"{name}=..." for name in APP_SETTINGS)
    config.addinivalue_line(
        "markers",
        f"mockjobs({keywords}): this test's settings of the mockjobs fixtures (fixture paths"
        f" relative to the test file); any but {', '.join(DATA_SET)} give it a server of its own",
    )
    try:
        config.stash[INI] = ini_settings(config)
    except SettingError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[EXTERNAL] = os.environ.get(URL_VARIABLE) or config.getini(URL_INI) or None


def ini_settings(config: pytest.Config) -> dict[str, Any]:
    """The app's settings: from the ini file, else defaults."""
    given = {}
    for name in APP_SETTINGS:
        setting = SETTINGS[name]
        value = config.getini(setting.ini)
        if value is None:
            continue
        if isinstance(value, str):
            given[name] = setting.from_text(value, setting.ini)
        else:  # a list of paths, or a value of a TOML file's own type
            given[name] = setting.from_value(value, setting.ini)
    return resolve(given, APP_SETTINGS)


def marker_settings(node: pytest.Item) -> dict[str, Any]:
    """The settings the test's markers give (the closest first), fixture paths made absolute."""
    given: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers("mockjobs"))):
        if marker.args:
            raise TypeError(f"{MARKER}: takes keywords only, not {marker.args!r}")
        given.update(from_keywords(marker.kwargs, MARKER, APP_SETTINGS))
    if "fixtures" in given:
        here = Path(node.path).parent
        given["fixtures"] = tuple(str(here / path) for path in given["fixtures"])
    return given


def pytest_sessionstart(session: pytest.Session) -> None:
    server = sys.modules.get(SERVER_MODULE)
    session.stash[ALREADY_RUNNING] = set(server.RUNNING) if server else set()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop any server this session started and left running."""
    server = sys.modules.get(SERVER_MODULE)
    if server is None:  # none was ever made
        return
    for running in set(server.RUNNING) - session.stash.get(ALREADY_RUNNING, set()):
        running.stop()


class Servers:
    """The session's servers, one for each distinct app, started when first asked for; or the
    one mockjobs at `external`, controlled through a MockJobsClient."""

    def __init__(
        self, external: str | None = None, token: str | None = None, workers: int = 1
    ) -> None:
        self.servers: dict[tuple[tuple[str, Any], ...], MockControl] = {}
        self.external, self.token, self.workers = external, token, workers

    def get(self, settings: dict[str, Any], own: tuple[str, ...] = ()) -> MockControl:
        """The server for these settings, their data set aside (a reset switches it).

        `own`: the settings a test's marker gives beyond its data set, which an external
        server cannot take (the test is skipped).
        """
        if self.external is not None:
            return self.client(own)
        app = tuple((name, value) for name, value in settings.items() if name not in DATA_SET)
        if app not in self.servers:
            from .server import MockJobsServer

            self.servers[app] = MockJobsServer(**settings).start()
        return self.servers[app]

    def client(self, own: tuple[str, ...]) -> MockControl:
        if own:
            pytest.skip(
                f"{MARKER}({', '.join(f'{name}=...' for name in own)}) needs a server of its"
                f" own; the mockjobs at {self.external} serves as it was started"
            )
        if self.workers > 1:
            raise pytest.fail.Exception(
                f"{URL_VARIABLE}: one mockjobs cannot be reset for several xdist workers at"
                " once; run with -n 0 or 1, or without it (each worker then starts its own)",
                pytrace=False,
            )
        if not self.servers:
            from .client import MockJobsClient

            try:
                client = MockJobsClient(self.external, self.token)
                client.now  # noqa: B018 -- it answers, as a mockjobs, with this token
            except MockJobsError as error:
                raise pytest.fail.Exception(f"{URL_VARIABLE}: {error}", pytrace=False) from None
            self.servers[()] = client
        return self.servers[()]

    def stop(self) -> None:
        for server in self.servers.values():
            stop = getattr(server, "stop", None)  # a server elsewhere is not ours to stop
            if stop is not None:
                stop()
        self.servers.clear()


@pytest.fixture(scope="session")
def _mockjobs_servers(pytestconfig: pytest.Config) -> Iterator[Servers]:
    workers = getattr(pytestconfig, "workerinput", {}).get("workercount", 1)  # under xdist
    servers = Servers(pytestconfig.stash[EXTERNAL], pytestconfig.stash[INI]["token"], workers)
    yield servers
    servers.stop()


@pytest.fixture(scope="session")
def mockjobs_server(pytestconfig: pytest.Config, _mockjobs_servers: Servers) -> MockControl:
    """The mock API on a real server, as the ini file says (each xdist worker has its own):
    a MockJobsServer, or a MockJobsClient of the one at MOCKJOBS_URL."""
    return _mockjobs_servers.get(pytestconfig.stash[INI])


@pytest.fixture
def mockjobs(request: pytest.FixtureRequest, _mockjobs_servers: Servers) -> MockControl:
    """The mock API with this test's settings and data set, untouched by other tests."""
    try:
        given = marker_settings(request.node)
    except (SettingError, TypeError) as error:
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    ini = request.config.stash[INI]
    settings = {**ini, **given}
    own = tuple(n for n, value in given.items() if n not in DATA_SET and value != ini[n])
    server = _mockjobs_servers.get(settings, own)
    try:
        server.reset(**{name: settings[name] for name in DATA_SET})
    except MockJobsError as error:  # a fixture file that cannot be read, or holds bad records
        raise pytest.fail.Exception(f"mockjobs: {error}", pytrace=False) from None
    return server


@pytest.fixture
def mockjobs_client(mockjobs: MockControl) -> FlaskClient:
    """A Flask test client over the same app and data as `mockjobs` (a server in this
    process: skipped with MOCKJOBS_URL)."""
    app = getattr(mockjobs, "app", None)
    if app is None:
        pytest.skip(f"mockjobs_client needs the app in this process, not the one at {mockjobs.url}")
    return app.test_client()
