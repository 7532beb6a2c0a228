"""Shared fixtures: one app over the default 500 generated jobs, read-only for the tests using it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockjobs.app import create_app


@pytest.fixture(scope="session")
def app() -> Flask:
    return create_app({"SEED": 500})


@pytest.fixture(scope="session")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def strict_client() -> FlaskClient:
    return create_app({"SEED": 20, "STRICT": True}).test_client()
