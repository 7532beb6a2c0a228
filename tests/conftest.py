"""Shared fixtures: one app over the default 500 generated jobs, read-only for the tests using it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockjobs.app import create_app

from . import postgres


@pytest.fixture(scope="session")
def app() -> Flask:
    return create_app({"SEED": 500})


@pytest.fixture(scope="session")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def strict_client() -> FlaskClient:
    return create_app({"SEED": 20, "STRICT": True}).test_client()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server's URL (tests/postgres.py): skipped loudly without one, failed on CI."""
    yield from postgres.postgres_server()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Tests skipped for want of PostgreSQL are said in a section of their own, never silently."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if postgres.UNAVAILABLE in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        longrepr = skipped[0].longrepr
        reason = longrepr[2].removeprefix("Skipped: ") if isinstance(longrepr, tuple) else ""
        terminalreporter.section("PostgreSQL", yellow=True, bold=True)
        terminalreporter.write_line(
            f"{len(skipped)} tests did NOT run against PostgreSQL. {reason}", yellow=True, bold=True
        )
