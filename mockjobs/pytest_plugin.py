"""The pytest plugin: the fake API as fixtures (registered through the pytest11 entry point).

- `mockjobs_server` (session): one MockJobsServer on 127.0.0.1 and a free port.
- `mockjobs` (function): the same server, reset to the configured data set before the test.
- `mockjobs_client`: a Flask test client over the same data, for tests without sockets.

Configured by the ini options below, and per test by `@pytest.mark.mockjobs(...)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from .data.generator import DEFAULT_RANDOM_SEED
from .server import RUNNING, MockJobsServer

MARKER_ARGUMENTS = {"seed", "random_seed", "fixtures"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("mockjobs_seed", "mockjobs: number of generated jobs", default="500")
    parser.addini(
        "mockjobs_random_seed", "mockjobs: generator seed", default=str(DEFAULT_RANDOM_SEED)
    )
    parser.addini(
        "mockjobs_fixtures", "mockjobs: fixture files, loaded first", type="paths", default=[]
    )
    parser.addini("mockjobs_strict", "mockjobs: refuse unknown query parameters", type="bool", default=False)  # fmt: skip
    parser.addini("mockjobs_journal_size", "mockjobs: requests kept in the journal", default="1000")
    parser.addini("mockjobs_token", "mockjobs: token the API requires (Bearer)", default="")
    parser.addini(
        "mockjobs_latency", "mockjobs: latency of API requests, MS or MIN-MAX", default="0"
    )
    parser.addini("mockjobs_lifecycle", "mockjobs: jobs progress as time passes", type="bool", default=False)  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockjobs(seed=None, random_seed=None, fixtures=None): the data set the mockjobs"
        " fixtures serve to this test (fixture paths relative to the test file)",
    )


ALREADY_RUNNING = pytest.StashKey[set[MockJobsServer]]()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.stash[ALREADY_RUNNING] = set(RUNNING)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop any server this session started and left running."""
    for server in set(RUNNING) - session.stash.get(ALREADY_RUNNING, set()):
        server.stop()


def configured_dataset(config: pytest.Config) -> dict[str, Any]:
    return {
        "seed": int(config.getini("mockjobs_seed")),
        "random_seed": int(config.getini("mockjobs_random_seed")),
        "fixtures": [str(path) for path in config.getini("mockjobs_fixtures")],
    }


@pytest.fixture(scope="session")
def mockjobs_server(pytestconfig: pytest.Config) -> Iterator[MockJobsServer]:
    """The mock API on a real server for the whole session (each xdist worker has its own)."""
    server = MockJobsServer(
        **configured_dataset(pytestconfig),
        strict=pytestconfig.getini("mockjobs_strict"),
        token=pytestconfig.getini("mockjobs_token") or None,
        latency=pytestconfig.getini("mockjobs_latency"),
        lifecycle=pytestconfig.getini("mockjobs_lifecycle"),
        journal_size=int(pytestconfig.getini("mockjobs_journal_size")),
    )
    with server:
        yield server


@pytest.fixture
def mockjobs(mockjobs_server: MockJobsServer, request: pytest.FixtureRequest) -> MockJobsServer:
    """The mock API with this test's data set, as configured and untouched by other tests."""
    dataset = configured_dataset(request.config)
    marker = request.node.get_closest_marker("mockjobs")
    if marker is not None:
        unknown = set(marker.kwargs) - MARKER_ARGUMENTS
        if marker.args or unknown:
            pytest.fail(
                "@pytest.mark.mockjobs takes only the keywords seed, random_seed and fixtures;"
                f" got {marker.args or ''}{sorted(unknown) or ''}",
                pytrace=False,
            )
        dataset.update(marker.kwargs)
        here = Path(request.node.path).parent
        dataset["fixtures"] = [str(here / path) for path in dataset["fixtures"]]
    mockjobs_server.reset(**dataset)
    return mockjobs_server


@pytest.fixture
def mockjobs_client(mockjobs: MockJobsServer) -> FlaskClient:
    """A Flask test client over the same app and data as `mockjobs`."""
    return mockjobs.app.test_client()
